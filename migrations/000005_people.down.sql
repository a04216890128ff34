DROP INDEX discipline_actions_credential_all_idx;
DROP INDEX users_email_prefix_idx;
DROP INDEX users_role_name_idx;
DROP INDEX users_name_idx;
