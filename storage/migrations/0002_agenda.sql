-- Agenda: personal stars ("my agenda") and the record of programme changes after a reload.
--
-- Stars point at a session id of the content file (not a row here): a session removed by a
-- reload keeps its stars, so the schedule alerts can still tell the people who starred it,
-- and /my simply skips ids the programme no longer has.
CREATE TABLE IF NOT EXISTS stars (
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    session_id  TEXT NOT NULL,
    starred_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, session_id)
);
CREATE INDEX IF NOT EXISTS stars_session ON stars(session_id);

-- One row per changed session and reload: what it was and what it is now (JSON snapshots).
CREATE TABLE IF NOT EXISTS content_changes (
    id           INTEGER PRIMARY KEY,
    session_id   TEXT NOT NULL,
    kind         TEXT NOT NULL
                 CHECK (kind IN ('added', 'moved', 'reroomed', 'cancelled', 'retitled')),
    before_json  TEXT,
    after_json   TEXT,
    detected_at  TEXT NOT NULL,
    fingerprint  TEXT
);
CREATE INDEX IF NOT EXISTS content_changes_session ON content_changes(session_id);
