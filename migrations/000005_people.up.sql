-- The admin's people list: sorted by name and paged by (name, id), filtered
-- by role, searched by a prefix of the name or the email. COLLATE "C" lets
-- a btree serve LIKE 'prefix%' whatever the database's collation.
CREATE INDEX users_name_idx ON users ((lower(name) COLLATE "C"), id);
CREATE INDEX users_role_name_idx ON users (role, (lower(name) COLLATE "C"), id);
CREATE INDEX users_email_prefix_idx ON users ((email::text COLLATE "C"));

-- The admin's discipline page lists private actions too; the existing index
-- covers public ones only.
CREATE INDEX discipline_actions_credential_all_idx ON discipline_actions (credential_id, effective_on, id);
