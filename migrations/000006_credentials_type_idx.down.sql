DROP INDEX credentials_type_idx;
