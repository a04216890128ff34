-- A no-show is not a fail: keep what the vendor reported. NULL (rows
-- written without it) reads as pass or fail from the passed column.
ALTER TABLE exam_results ADD COLUMN outcome text CHECK (outcome IN ('pass', 'fail', 'no_show'));
ALTER TABLE exam_results ADD CONSTRAINT exam_results_outcome_passed
    CHECK (outcome IS NULL OR (outcome = 'pass') = passed);

-- "This file was imported before" is looked up by its hash.
CREATE INDEX exam_imports_sha256_idx ON exam_imports (sha256, id);
