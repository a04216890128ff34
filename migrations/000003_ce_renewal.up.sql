-- Files (proof of CE) live in PostgreSQL under ids the server makes.
CREATE TABLE stored_files (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id     bigint NOT NULL REFERENCES users (id),
    filename     text NOT NULL CHECK (length(filename) BETWEEN 1 AND 200),
    content_type text NOT NULL CHECK (content_type IN ('application/pdf', 'image/png', 'image/jpeg')),
    size_bytes   int NOT NULL CHECK (size_bytes BETWEEN 1 AND 10485760),
    sha256       text NOT NULL,
    data         bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stored_files_owner_idx ON stored_files (owner_id);

CREATE TABLE ce_activities (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The holder by email, so an organization can post before the account exists;
    -- user_id is set now or when they register, as for training completions.
    person_email    citext NOT NULL,
    person_name     text NOT NULL DEFAULT '',
    user_id         bigint REFERENCES users (id),
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    provider        text NOT NULL CHECK (length(provider) BETWEEN 1 AND 200),
    activity_date   date NOT NULL,
    hours           numeric(5,2) NOT NULL CHECK (hours > 0 AND hours <= 24 AND hours * 4 = trunc(hours * 4)),
    category        text NOT NULL CHECK (category IN
        ('ethics', 'core_competencies', 'cultural_responsiveness', 'professional_development', 'other')),
    source          text NOT NULL CHECK (source IN ('self_reported', 'verified')),
    organization_id bigint REFERENCES training_organizations (id),
    proof_file_id   uuid REFERENCES stored_files (id),
    -- CE audit of a renewal: each self-reported item is accepted or rejected.
    audit_status    text NOT NULL DEFAULT '' CHECK (audit_status IN ('', 'pending', 'accepted', 'rejected')),
    audit_note      text NOT NULL DEFAULT '',
    recorded_by     bigint REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((source = 'verified') = (organization_id IS NOT NULL))
);
-- The same CE posted twice is one record.
CREATE UNIQUE INDEX ce_activities_dedupe_idx ON ce_activities
    (person_email, lower(title), lower(provider), activity_date, category, hours);
CREATE INDEX ce_activities_user_idx ON ce_activities (user_id, activity_date) WHERE user_id IS NOT NULL;
CREATE INDEX ce_activities_email_idx ON ce_activities (person_email) WHERE user_id IS NULL;
CREATE INDEX ce_activities_org_idx ON ce_activities (organization_id, id DESC) WHERE organization_id IS NOT NULL;

CREATE TABLE ce_imports (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES training_organizations (id),
    filename        text NOT NULL,
    sha256          text NOT NULL,
    row_count       int NOT NULL,
    new_records     int NOT NULL,
    imported_by     bigint REFERENCES users (id),
    imported_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ce_imports_org_idx ON ce_imports (organization_id, id DESC);

CREATE TABLE renewals (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    credential_id  bigint NOT NULL REFERENCES credentials (id),
    holder_id      bigint NOT NULL REFERENCES users (id),
    -- The cycle renewed: CE must be dated inside it; approval extends from cycle_end.
    cycle_start    date NOT NULL,
    cycle_end      date NOT NULL,
    status         text NOT NULL DEFAULT 'submitted' CHECK (status IN
        ('submitted', 'under_review', 'needs_information', 'resubmitted', 'approved', 'denied', 'withdrawn')),
    audit_selected boolean NOT NULL DEFAULT false,
    board_message  text NOT NULL DEFAULT '',
    info_deadline  date,
    submitted_at   timestamptz NOT NULL DEFAULT now(),
    decided_at     timestamptz,
    decided_by     bigint REFERENCES users (id),
    assigned_to    bigint REFERENCES users (id),
    version        int NOT NULL DEFAULT 1,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    -- One renewal per credential and cycle: a double submit makes one.
    UNIQUE (credential_id, cycle_end)
);
CREATE INDEX renewals_queue_idx ON renewals (submitted_at, id)
    WHERE status IN ('submitted', 'under_review', 'resubmitted');
CREATE INDEX renewals_holder_idx ON renewals (holder_id, id DESC);

CREATE TABLE renewal_attestations (
    renewal_id   bigint NOT NULL REFERENCES renewals (id),
    kind         text NOT NULL,
    text_version text NOT NULL,
    signed_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (renewal_id, kind)
);

-- Each reminder once per credential, cycle and threshold, however often the job runs.
CREATE TABLE credential_reminders (
    credential_id bigint NOT NULL REFERENCES credentials (id),
    expires_on    date NOT NULL,
    days_before   int NOT NULL,
    sent_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (credential_id, expires_on, days_before)
);

-- Every outgoing message; the send is a River job inserted in the same transaction.
CREATE TABLE mail_messages (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    to_address citext NOT NULL,
    subject    text NOT NULL,
    body       text NOT NULL,
    kind       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz,
    -- 'smtp' or 'catcher' (no SMTP configured: the admin reads it at /admin/mail).
    sent_via   text NOT NULL DEFAULT ''
);
CREATE INDEX mail_messages_created_idx ON mail_messages (id DESC);

-- Set by the daily job when an expired credential is past its grace period.
ALTER TABLE credentials ADD COLUMN reinstatement_required_at timestamptz;

-- The daily job scans by expiry date.
CREATE INDEX credentials_expiry_idx ON credentials (expires_on, id) WHERE status IN ('active', 'inactive', 'expired');
