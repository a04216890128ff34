DROP INDEX exam_imports_sha256_idx;
ALTER TABLE exam_results DROP CONSTRAINT exam_results_outcome_passed;
ALTER TABLE exam_results DROP COLUMN outcome;
