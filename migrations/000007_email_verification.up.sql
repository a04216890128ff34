-- Email verification: training and CE recorded for an address attach to an
-- account only once its owner has proved they read mail sent there.
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;
-- Accounts that exist already keep working as before.
UPDATE users SET email_verified_at = created_at;
-- Renewals now count only CE linked to the account; rows an existing
-- account used to be credited with by email alone are linked, so nobody's
-- progress drops.
UPDATE ce_activities a SET user_id = u.id FROM users u WHERE a.user_id IS NULL AND a.person_email = u.email;
UPDATE training_completions t SET user_id = u.id FROM users u WHERE t.user_id IS NULL AND t.person_email = u.email;

-- One row per confirmation link sent. Only the SHA-256 of the token is
-- stored, so a copy of the database cannot confirm anyone's address. The
-- address the link was sent to is kept: a link confirms that address only.
CREATE TABLE email_verifications (
    token_hash text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email      citext NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- Resend limits count a user's recent links.
CREATE INDEX email_verifications_user_idx ON email_verifications (user_id, created_at);
