DROP INDEX credentials_expiry_idx;
ALTER TABLE credentials DROP COLUMN reinstatement_required_at;
DROP TABLE mail_messages;
DROP TABLE credential_reminders;
DROP TABLE renewal_attestations;
DROP TABLE renewals;
DROP TABLE ce_imports;
DROP TABLE ce_activities;
DROP TABLE stored_files;
