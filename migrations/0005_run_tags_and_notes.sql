-- ganpipe schema v5: what people write about their runs. `runs.note` is one free-text note
-- per run (`ganpipe note`); `run_tags` holds short labels (`ganpipe tag`) that `ganpipe runs
-- --tag` and SQL filter on. Both are kept out of the trainer's row updates: the trainer never
-- writes them, so a note or tag added while a run trains stays.
-- Never edit this file once it has landed.
ALTER TABLE runs ADD COLUMN note TEXT CHECK (note IS NULL OR length(note) BETWEEN 1 AND 10000);

CREATE TABLE run_tags (
    run_id          INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    tag             TEXT    NOT NULL CHECK (length(tag) BETWEEN 1 AND 64),
    created_at      TEXT    NOT NULL,
    PRIMARY KEY (run_id, tag)
) WITHOUT ROWID;
CREATE INDEX run_tags_by_tag ON run_tags(tag);
