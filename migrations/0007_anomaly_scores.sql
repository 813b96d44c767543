-- ganpipe schema v7: anomaly scores kept for later use (`ganpipe score --store`). One row per
-- run, checkpoint, method, scored data and options: the scores as float32 little-endian, one per
-- sample in the order of the data, and with a normal class the method's AUROC. The scored data
-- are named (a dataset and split, or a file) and identified by the hash of their values, so a
-- rerun with the same inputs replaces its row instead of adding one.
-- Never edit this file once it has landed.
CREATE TABLE anomaly_scores (
    id              INTEGER PRIMARY KEY,
    run_id          INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step            INTEGER NOT NULL CHECK (step >= 0),
    method          TEXT    NOT NULL CHECK (length(method) BETWEEN 1 AND 64),
    data            TEXT    NOT NULL,
    data_sha256     TEXT    NOT NULL CHECK (length(data_sha256) = 64),
    options_json    TEXT    NOT NULL CHECK (json_valid(options_json)),
    sample_count    INTEGER NOT NULL CHECK (sample_count >= 0),
    scores          BLOB    NOT NULL CHECK (length(scores) = 4 * sample_count),
    auroc           REAL,
    created_at      TEXT    NOT NULL,
    UNIQUE (run_id, step, method, data_sha256, options_json)
);
CREATE INDEX anomaly_scores_by_run ON anomaly_scores(run_id, step);
