-- ganpipe schema v1: the one database that the loader, trainer and evaluator share.
-- Times are ISO-8601 UTC text ('2026-11-29T16:42:00.000Z'); sizes are bytes; every blob is
-- chunked (parts of at most a few MB) and carries its own SHA-256 checksum.
-- Documented for SQL users in migrations/README.md. Never edit this file once it has landed.

-- Datasets: one row per generated or imported dataset.
CREATE TABLE datasets (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
    kind            TEXT    NOT NULL CHECK (kind IN ('synthetic', 'imported')),
    source          TEXT    NOT NULL,
    source_bytes    INTEGER CHECK (source_bytes IS NULL OR source_bytes >= 0),
    content_sha256  TEXT    NOT NULL,
    sample_count    INTEGER NOT NULL CHECK (sample_count >= 0),
    train_count     INTEGER NOT NULL CHECK (train_count >= 0),
    test_count      INTEGER NOT NULL CHECK (test_count >= 0),
    seed            INTEGER,
    metadata_json   TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(metadata_json)),
    created_at      TEXT    NOT NULL,
    CHECK (train_count + test_count = sample_count)
);
CREATE INDEX datasets_by_content ON datasets(content_sha256);

-- The arrays of a dataset (samples, labels), each stored as chunked parts.
CREATE TABLE dataset_arrays (
    id              INTEGER PRIMARY KEY,
    dataset_id      INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    element_type    TEXT    NOT NULL CHECK (element_type IN ('float32', 'float64', 'uint8', 'int32', 'int64')),
    shape_json      TEXT    NOT NULL CHECK (json_valid(shape_json)),
    scale           REAL    NOT NULL DEFAULT 1.0,
    "offset"        REAL    NOT NULL DEFAULT 0.0,
    byte_count      INTEGER NOT NULL CHECK (byte_count >= 0),
    sha256          TEXT    NOT NULL,
    UNIQUE (dataset_id, name)
);

CREATE TABLE dataset_parts (
    array_id        INTEGER NOT NULL REFERENCES dataset_arrays(id) ON DELETE CASCADE,
    part_index      INTEGER NOT NULL CHECK (part_index >= 0),
    data            BLOB    NOT NULL,
    sha256          TEXT    NOT NULL,
    PRIMARY KEY (array_id, part_index)
) WITHOUT ROWID;

-- Runs: one training run, its full resolved configuration and its lifecycle.
CREATE TABLE runs (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
    status          TEXT    NOT NULL DEFAULT 'queued'
                            CHECK (status IN ('queued', 'running', 'completed', 'failed', 'interrupted')),
    objective       TEXT    NOT NULL,
    dataset_id      INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
    seed            INTEGER NOT NULL,
    config_json     TEXT    NOT NULL CHECK (json_valid(config_json)),
    config_sha256   TEXT    NOT NULL,
    pipeline        TEXT,
    total_steps     INTEGER NOT NULL CHECK (total_steps >= 0),
    current_step    INTEGER NOT NULL DEFAULT 0 CHECK (current_step >= 0),
    created_at      TEXT    NOT NULL,
    started_at      TEXT,
    finished_at     TEXT,
    heartbeat_at    TEXT,
    owner           TEXT,
    error           TEXT
);
CREATE INDEX runs_by_dataset ON runs(dataset_id);
CREATE INDEX runs_by_status ON runs(status);

-- Checkpoints: written in one transaction; `complete` is set last, so a row with complete = 0
-- is never loaded.
CREATE TABLE checkpoints (
    id              INTEGER PRIMARY KEY,
    run_id          INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step            INTEGER NOT NULL CHECK (step >= 0),
    complete        INTEGER NOT NULL DEFAULT 0 CHECK (complete IN (0, 1)),
    byte_count      INTEGER NOT NULL DEFAULT 0 CHECK (byte_count >= 0),
    created_at      TEXT    NOT NULL,
    UNIQUE (run_id, step)
);

-- The named blobs of a checkpoint (weights, optimizer moments, random-stream states, cursors),
-- each split into parts with a checksum per part.
CREATE TABLE checkpoint_parts (
    checkpoint_id   INTEGER NOT NULL REFERENCES checkpoints(id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    part_index      INTEGER NOT NULL CHECK (part_index >= 0),
    element_type    TEXT    NOT NULL CHECK (element_type IN ('float32', 'uint64', 'bytes', 'json')),
    shape_json      TEXT    NOT NULL CHECK (json_valid(shape_json)),
    data            BLOB    NOT NULL,
    sha256          TEXT    NOT NULL,
    PRIMARY KEY (checkpoint_id, name, part_index)
) WITHOUT ROWID;

-- Per-step metrics in long format: replayed steps overwrite, never duplicate.
CREATE TABLE metrics (
    run_id          INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key             TEXT    NOT NULL,
    step            INTEGER NOT NULL CHECK (step >= 0),
    value           REAL,
    PRIMARY KEY (run_id, key, step)
) WITHOUT ROWID;

-- Things that happened to a run: vanishing or exploding episodes, non-finite values, resumes.
CREATE TABLE events (
    id              INTEGER PRIMARY KEY,
    run_id          INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step            INTEGER,
    kind            TEXT    NOT NULL,
    severity        TEXT    NOT NULL CHECK (severity IN ('info', 'warning', 'error')),
    message         TEXT    NOT NULL,
    created_at      TEXT    NOT NULL
);
CREATE INDEX events_by_run ON events(run_id, step);

-- Sample-quality scores, one per (run, checkpoint step, metric).
CREATE TABLE evaluations (
    id              INTEGER PRIMARY KEY,
    run_id          INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step            INTEGER NOT NULL CHECK (step >= 0),
    metric          TEXT    NOT NULL,
    value           REAL,
    sample_count    INTEGER CHECK (sample_count IS NULL OR sample_count > 0),
    seed            INTEGER,
    created_at      TEXT    NOT NULL,
    UNIQUE (run_id, step, metric)
);

-- Pipeline bookkeeping: the status of each stage of each run.
CREATE TABLE stages (
    id              INTEGER PRIMARY KEY,
    run_id          INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    stage           TEXT    NOT NULL CHECK (stage IN ('loader', 'trainer', 'evaluator')),
    status          TEXT    NOT NULL DEFAULT 'pending'
                            CHECK (status IN ('pending', 'running', 'completed', 'failed', 'skipped')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    started_at      TEXT,
    finished_at     TEXT,
    error           TEXT,
    UNIQUE (run_id, stage)
);

-- Convenience: the latest value of every metric of every run.
CREATE VIEW latest_metrics AS
SELECT m.run_id, r.name AS run_name, m.key, m.step, m.value
FROM metrics AS m
JOIN runs AS r ON r.id = m.run_id
WHERE m.step = (SELECT max(step) FROM metrics AS l WHERE l.run_id = m.run_id AND l.key = m.key);
