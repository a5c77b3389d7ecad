-- Users: one row per Telegram user who has talked to the bot.
CREATE TABLE users (
    id              INTEGER PRIMARY KEY,          -- Telegram user id
    first_name      TEXT NOT NULL DEFAULT '',
    last_name       TEXT,
    username        TEXT,
    language_code   TEXT,                         -- what Telegram reports
    language        TEXT CHECK (language IN ('kk', 'ru', 'en')),  -- the user's own choice
    stakeholder     TEXT,                         -- government, parliament, ngo, ...
    onboarded       INTEGER NOT NULL DEFAULT 0,
    consent_version TEXT,
    consent_at      TEXT,
    blocked         INTEGER NOT NULL DEFAULT 0,   -- 403 from Telegram: never message again
    first_seen      TEXT NOT NULL,
    last_seen       TEXT NOT NULL
);
CREATE INDEX users_language ON users(language);
CREATE INDEX users_stakeholder ON users(stakeholder);

-- Conversation states of PTB's persistent ConversationHandlers.
CREATE TABLE conversations (
    name  TEXT NOT NULL,
    key   TEXT NOT NULL,                          -- JSON list, e.g. [chat_id, user_id]
    state TEXT NOT NULL,                          -- JSON
    PRIMARY KEY (name, key)
);
