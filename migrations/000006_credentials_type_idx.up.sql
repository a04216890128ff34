-- The admin's prefix check and per-type reports look credentials up by type.
CREATE INDEX credentials_type_idx ON credentials (credential_type_id);
