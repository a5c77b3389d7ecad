-- Team roles and invitations; the health check's heartbeat.
--
-- Owners are not stored: they are ADMIN_IDS from the settings (so nobody can remove them in
-- chat). Everyone else with a role has one row here; a moderator's or reviewer's scope is a
-- JSON list of session or topic ids (NULL: every session / every topic).
CREATE TABLE team_members (
    user_id     INTEGER PRIMARY KEY,              -- Telegram user id (no FK: may not have talked yet)
    role        TEXT NOT NULL CHECK (role IN ('organizer', 'moderator', 'reviewer')),
    scope       TEXT,                             -- JSON list of ids, or NULL for all
    granted_by  INTEGER,
    granted_at  TEXT NOT NULL
);
CREATE INDEX team_members_role ON team_members(role);

-- One-time invitations: /start join_<token>, valid until expires_at, used once.
CREATE TABLE team_invites (
    token       TEXT PRIMARY KEY,                 -- random, URL-safe
    role        TEXT NOT NULL CHECK (role IN ('organizer', 'moderator', 'reviewer')),
    scope       TEXT,
    created_by  INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_by     INTEGER,
    used_at     TEXT
);

-- The health check writes one row here to prove the database is writable.
CREATE TABLE heartbeat (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    at  TEXT NOT NULL
);
