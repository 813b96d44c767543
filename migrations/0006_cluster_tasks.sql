-- ganpipe schema v6: runs sent to a cluster scheduler (`ganpipe run --executor slurm`). One row
-- per run while it is away: the Slurm job array and task that trains it, and the database
-- shard it trains into (merged back by `ganpipe merge` or the next `ganpipe run`). The row
-- stays after the merge, so `ganpipe runs` can say where a run was trained.
-- Never edit this file once it has landed.
CREATE TABLE cluster_tasks (
    run_id          INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
    scheduler       TEXT    NOT NULL CHECK (scheduler IN ('slurm')),
    job_id          TEXT    NOT NULL CHECK (length(job_id) BETWEEN 1 AND 64),
    array_index     INTEGER NOT NULL CHECK (array_index >= 0),
    shard           TEXT    NOT NULL,
    submitted_at    TEXT    NOT NULL,
    merged_at       TEXT
);
