-- A no-show is not a fail: keep what the vendor reported.
ALTER TABLE exam_results ADD COLUMN outcome text NOT NULL DEFAULT 'fail'
    CHECK (outcome IN ('pass', 'fail', 'no_show'));
UPDATE exam_results SET outcome = 'pass' WHERE passed;
ALTER TABLE exam_results ALTER COLUMN outcome DROP DEFAULT;
ALTER TABLE exam_results ADD CONSTRAINT exam_results_outcome_passed CHECK ((outcome = 'pass') = passed);

-- "This file was imported before" is looked up by its hash.
CREATE INDEX exam_imports_sha256_idx ON exam_imports (sha256, id);
