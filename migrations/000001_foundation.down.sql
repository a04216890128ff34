DROP TABLE audit_events;
DROP FUNCTION audit_events_append_only();
DROP TABLE credential_types;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE training_organizations;
