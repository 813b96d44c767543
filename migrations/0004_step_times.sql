-- ganpipe schema v4: when each recorded training step ended, in seconds of training since the
-- run began, summed over its sessions (a resumed run continues from the time recorded at its
-- checkpoint's step). Kept apart from `metrics`, whose values a resumed run reproduces bit for
-- bit; wall-clock times never are. One row per (run, step) at the steps that record metrics.
-- Never edit this file once it has landed.
CREATE TABLE step_times (
    run_id          INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step            INTEGER NOT NULL CHECK (step >= 1),
    elapsed_seconds REAL    NOT NULL CHECK (elapsed_seconds >= 0),
    PRIMARY KEY (run_id, step)
) WITHOUT ROWID;
