-- Self-service password reset: one row per reset link mailed. As with
-- email_verifications, only the SHA-256 of the token is stored, so a copy of
-- the database resets no one's password, and the address the link was sent
-- to is kept: a link works only while the account still has that address.
CREATE TABLE password_resets (
    token_hash text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email      citext NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- The hourly limit counts a user's recent links; a reset spends all of a
-- user's outstanding links.
CREATE INDEX password_resets_user_idx ON password_resets (user_id, created_at);
