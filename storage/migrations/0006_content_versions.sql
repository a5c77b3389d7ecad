-- Every content version the bot has applied, so a restart can tell what changed while it was
-- down (or while a reload was cut short by a crash) and finish telling people about it.
CREATE TABLE content_versions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    fingerprint   TEXT NOT NULL,
    source        BLOB NOT NULL,             -- the YAML as applied
    applied_at    TEXT NOT NULL,
    hooks_done_at TEXT                       -- alerts etc. handed over; NULL: still to do
);
