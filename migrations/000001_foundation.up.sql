CREATE EXTENSION IF NOT EXISTS citext;

CREATE TABLE training_organizations (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name           text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
    contact_email  citext,
    -- Approval is a date range: it can lapse without anyone touching the row.
    approved_from  date,
    approved_until date,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email           citext NOT NULL UNIQUE CHECK (length(email) BETWEEN 3 AND 254),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    password_hash   text NOT NULL,
    role            text NOT NULL CHECK (role IN ('applicant', 'trainer', 'reviewer', 'admin')),
    organization_id bigint REFERENCES training_organizations (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((role = 'trainer') = (organization_id IS NOT NULL))
);
CREATE INDEX users_organization_idx ON users (organization_id) WHERE organization_id IS NOT NULL;

-- The table scs/pgxstore expects; it does not create it itself.
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

CREATE TABLE credential_types (
    id                              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code                            text NOT NULL UNIQUE CHECK (code ~ '^[A-Z][A-Z0-9]{1,11}$'),
    name                            text NOT NULL,
    description                     text NOT NULL DEFAULT '',
    number_prefix                   text NOT NULL UNIQUE CHECK (number_prefix ~ '^[A-Z]{2,8}$'),
    active                          boolean NOT NULL DEFAULT true,
    cycle_months                    int NOT NULL CHECK (cycle_months BETWEEN 1 AND 120),
    appeal_days                     int NOT NULL DEFAULT 30 CHECK (appeal_days >= 0),
    standard_enabled                boolean NOT NULL DEFAULT true,
    training_hours                  numeric(6,2) NOT NULL DEFAULT 0 CHECK (training_hours >= 0),
    require_all_competencies        boolean NOT NULL DEFAULT true,
    require_ethics_module           boolean NOT NULL DEFAULT false,
    supervised_hours                int NOT NULL DEFAULT 0 CHECK (supervised_hours >= 0),
    exam_required                   boolean NOT NULL DEFAULT true,
    exam_authorization_days         int NOT NULL DEFAULT 365 CHECK (exam_authorization_days > 0),
    exam_retake_wait_days           int NOT NULL DEFAULT 30 CHECK (exam_retake_wait_days >= 0),
    exam_max_attempts               int NOT NULL DEFAULT 3 CHECK (exam_max_attempts > 0),
    grandparenting_enabled          boolean NOT NULL DEFAULT false,
    grandparenting_training_cutoff  date,
    grandparenting_apply_until      date,
    ce_hours_per_cycle              numeric(6,2) NOT NULL DEFAULT 20 CHECK (ce_hours_per_cycle >= 0),
    ce_ethics_hours                 numeric(6,2) NOT NULL DEFAULT 3 CHECK (ce_ethics_hours >= 0),
    ce_self_reported_cap            numeric(6,2) CHECK (ce_self_reported_cap >= 0),
    renewal_window_days             int NOT NULL DEFAULT 90 CHECK (renewal_window_days >= 0),
    grace_days                      int NOT NULL DEFAULT 90 CHECK (grace_days >= 0),
    audit_percent                   int NOT NULL DEFAULT 10 CHECK (audit_percent BETWEEN 0 AND 100),
    reminder_days                   int[] NOT NULL DEFAULT '{90,60,30,7}',
    fee_id_cents                    int NOT NULL DEFAULT 0 CHECK (fee_id_cents >= 0),
    fee_application_cents           int NOT NULL DEFAULT 0 CHECK (fee_application_cents >= 0),
    fee_exam_cents                  int NOT NULL DEFAULT 0 CHECK (fee_exam_cents >= 0),
    version                         int NOT NULL DEFAULT 1,
    updated_at                      timestamptz NOT NULL DEFAULT now()
);

-- The Connecticut defaults of DOMAIN.md; a board admin edits them as data.
INSERT INTO credential_types (
    code, name, description, number_prefix, cycle_months, appeal_days,
    standard_enabled, training_hours, require_all_competencies, require_ethics_module,
    supervised_hours, exam_required, exam_authorization_days, exam_retake_wait_days, exam_max_attempts,
    grandparenting_enabled, grandparenting_training_cutoff, grandparenting_apply_until,
    ce_hours_per_cycle, ce_ethics_hours, renewal_window_days, grace_days, audit_percent, reminder_days,
    fee_id_cents, fee_application_cents, fee_exam_cents)
VALUES (
    'CPSRP', 'Certified Peer Support & Recovery Professional',
    'Connecticut''s credential for recovery peer support workers, aligned with SAMHSA''s twelve core competencies and DMHAS'' Peer Ethics & Values.',
    'CPSRP', 24, 30,
    true, 80, true, true,
    300, true, 365, 30, 3,
    true, '2026-05-31', '2026-10-01',
    20, 3, 90, 90, 10, '{90,60,30,7}',
    5000, 15000, 15000);

-- Append-only: every decision and status change, kept forever.
CREATE TABLE audit_events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at  timestamptz NOT NULL DEFAULT now(),
    actor_id     bigint REFERENCES users (id),
    actor_role   text NOT NULL,
    action       text NOT NULL,
    entity_type  text NOT NULL,
    entity_id    bigint NOT NULL,
    before       jsonb,
    after        jsonb,
    reason       text NOT NULL DEFAULT '',
    request_id   text NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_entity_idx ON audit_events (entity_type, entity_id, id);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, id) WHERE actor_id IS NOT NULL;

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
