CREATE TABLE applications (
    id                          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    applicant_id                bigint NOT NULL REFERENCES users (id),
    credential_type_id          bigint NOT NULL REFERENCES credential_types (id),
    pathway                     text NOT NULL CHECK (pathway IN ('standard', 'grandparenting')),
    status                      text NOT NULL DEFAULT 'draft' CHECK (status IN
        ('draft', 'submitted', 'under_review', 'needs_information', 'resubmitted',
         'approved', 'denied', 'withdrawn', 'abandoned')),
    first_name                  text NOT NULL DEFAULT '',
    last_name                   text NOT NULL DEFAULT '',
    date_of_birth               date,
    phone                       text NOT NULL DEFAULT '',
    address_line                text NOT NULL DEFAULT '',
    city                        text NOT NULL DEFAULT '',
    state                       text NOT NULL DEFAULT '',
    postal_code                 text NOT NULL DEFAULT '',
    lived_experience            text NOT NULL DEFAULT '' CHECK (lived_experience IN ('', 'self', 'family')),
    supervised_hours            int NOT NULL DEFAULT 0 CHECK (supervised_hours BETWEEN 0 AND 100000),
    prior_training_kind         text NOT NULL DEFAULT '' CHECK (prior_training_kind IN ('', 'rss', 'recovery_coach')),
    prior_training_completed_on date,
    prior_training_provider     text NOT NULL DEFAULT '',
    board_message               text NOT NULL DEFAULT '',
    info_deadline               date,
    appeal_until                date,
    submitted_at                timestamptz,
    decided_at                  timestamptz,
    decided_by                  bigint REFERENCES users (id),
    assigned_to                 bigint REFERENCES users (id),
    version                     int NOT NULL DEFAULT 1,
    created_at                  timestamptz NOT NULL DEFAULT now(),
    updated_at                  timestamptz NOT NULL DEFAULT now()
);
-- One open application per person and credential type.
CREATE UNIQUE INDEX applications_one_open_idx ON applications (applicant_id, credential_type_id)
    WHERE status NOT IN ('approved', 'denied', 'withdrawn', 'abandoned');
CREATE INDEX applications_applicant_idx ON applications (applicant_id, id DESC);
-- The reviewer queue: cases waiting for the board, oldest first.
CREATE INDEX applications_queue_idx ON applications (submitted_at, id)
    WHERE status IN ('submitted', 'under_review', 'resubmitted');
CREATE INDEX applications_status_queue_idx ON applications (status, pathway, submitted_at, id);

CREATE TABLE attestations (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    application_id bigint NOT NULL REFERENCES applications (id),
    kind           text NOT NULL CHECK (kind IN ('code_of_ethics', 'lived_experience', 'release_of_information')),
    text_version   text NOT NULL,
    signed_by      bigint NOT NULL REFERENCES users (id),
    signed_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (application_id, kind)
);

CREATE TABLE training_courses (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id        bigint NOT NULL REFERENCES training_organizations (id),
    code                   text NOT NULL CHECK (length(code) BETWEEN 1 AND 40),
    title                  text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    total_hours            numeric(6,2) NOT NULL CHECK (total_hours > 0),
    includes_ethics_module boolean NOT NULL DEFAULT false,
    active                 boolean NOT NULL DEFAULT true,
    created_at             timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, code)
);

CREATE TABLE course_competencies (
    course_id  bigint NOT NULL REFERENCES training_courses (id) ON DELETE CASCADE,
    competency smallint NOT NULL CHECK (competency BETWEEN 1 AND 12),
    hours      numeric(6,2) NOT NULL CHECK (hours > 0),
    PRIMARY KEY (course_id, competency)
);

CREATE TABLE training_completions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    course_id       bigint NOT NULL REFERENCES training_courses (id),
    organization_id bigint NOT NULL REFERENCES training_organizations (id),
    person_email    citext NOT NULL,
    person_name     text NOT NULL,
    -- Set now when the person has an account, or when they register.
    user_id         bigint REFERENCES users (id),
    completed_on    date NOT NULL,
    recorded_by     bigint NOT NULL REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (course_id, person_email, completed_on)
);
CREATE INDEX training_completions_user_idx ON training_completions (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX training_completions_email_idx ON training_completions (person_email) WHERE user_id IS NULL;
CREATE INDEX training_completions_org_idx ON training_completions (organization_id, id DESC);

CREATE SEQUENCE exam_candidate_seq;

CREATE TABLE exam_authorizations (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    application_id     bigint NOT NULL UNIQUE REFERENCES applications (id),
    user_id            bigint NOT NULL REFERENCES users (id),
    credential_type_id bigint NOT NULL REFERENCES credential_types (id),
    candidate_id       text NOT NULL UNIQUE,
    valid_from         date NOT NULL,
    valid_until        date NOT NULL,
    status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'used', 'forfeited', 'exhausted')),
    attempts           int NOT NULL DEFAULT 0,
    created_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (valid_until >= valid_from)
);
CREATE INDEX exam_authorizations_user_idx ON exam_authorizations (user_id);

CREATE TABLE exam_imports (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    filename    text NOT NULL,
    sha256      text NOT NULL,
    row_count   int NOT NULL,
    new_results int NOT NULL,
    imported_by bigint REFERENCES users (id),
    imported_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE exam_results (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    authorization_id bigint NOT NULL REFERENCES exam_authorizations (id),
    candidate_id     text NOT NULL,
    exam_date        date NOT NULL,
    exam_form        text NOT NULL,
    scaled_score     int NOT NULL,
    passed           boolean NOT NULL,
    import_id        bigint NOT NULL REFERENCES exam_imports (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    -- Re-importing the same file changes nothing.
    UNIQUE (candidate_id, exam_date, exam_form)
);
CREATE INDEX exam_results_authorization_idx ON exam_results (authorization_id);

CREATE SEQUENCE credential_number_seq;

CREATE TABLE credentials (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number             text NOT NULL UNIQUE,
    user_id            bigint NOT NULL REFERENCES users (id),
    credential_type_id bigint NOT NULL REFERENCES credential_types (id),
    application_id     bigint UNIQUE REFERENCES applications (id),
    status             text NOT NULL DEFAULT 'active' CHECK (status IN
        ('active', 'inactive', 'expired', 'surrendered', 'suspended', 'revoked')),
    -- The public name, copied at issue so the record an employer sees is stable.
    first_name         text NOT NULL,
    last_name          text NOT NULL,
    family_modifier    boolean NOT NULL DEFAULT false,
    issued_on          date NOT NULL,
    expires_on         date NOT NULL,
    version            int NOT NULL DEFAULT 1,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, credential_type_id)
);
CREATE INDEX credentials_name_idx ON credentials (lower(last_name), lower(first_name));

-- Discipline is a separate fact from the credential's status, shown publicly.
CREATE TABLE discipline_actions (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    credential_id  bigint NOT NULL REFERENCES credentials (id),
    action         text NOT NULL CHECK (action IN
        ('reprimand', 'probation', 'suspension', 'revocation', 'surrender')),
    public_summary text NOT NULL,
    effective_on   date NOT NULL,
    ends_on        date,
    public         boolean NOT NULL DEFAULT true,
    created_by     bigint REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX discipline_actions_credential_idx ON discipline_actions (credential_id) WHERE public;
