-- ganpipe schema v3: what the report draws from a checkpoint's networks, computed by the
-- evaluator so that the report runs no network: generated samples, and for 2-D data the
-- discriminator's output over a grid of the plane. One row per (run, checkpoint step, view);
-- evaluating a checkpoint again replaces its rows. Never edit this file once it has landed.
CREATE TABLE checkpoint_views (
    run_id          INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step            INTEGER NOT NULL CHECK (step >= 0),
    name            TEXT    NOT NULL CHECK (name IN ('samples', 'critic_field')),
    shape_json      TEXT    NOT NULL CHECK (json_valid(shape_json)),
    meta_json       TEXT    NOT NULL CHECK (json_valid(meta_json)),
    data            BLOB    NOT NULL,
    sha256          TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    PRIMARY KEY (run_id, step, name)
) WITHOUT ROWID;
