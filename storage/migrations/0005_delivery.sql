-- Delivery: the outbox (one row per message to send), broadcasts, and reminder preferences.
--
-- The sender claims pending rows by setting state 'sending' in a committed transaction before
-- the HTTP call and 'sent' after it; rows found in 'sending' at start-up were in flight when
-- the process died and are sent again (at most one extra copy, at most one row per chat).

-- reminder_minutes: 0 means off.
ALTER TABLE users ADD COLUMN reminder_minutes INTEGER NOT NULL DEFAULT 10;

CREATE TABLE broadcasts (
    id                INTEGER PRIMARY KEY,
    created_by        INTEGER NOT NULL,            -- organizer's Telegram id
    created_at        TEXT NOT NULL,
    state             TEXT NOT NULL DEFAULT 'draft'
        CHECK (state IN ('draft', 'scheduled', 'sending', 'paused', 'done', 'cancelled')),
    audience          TEXT NOT NULL DEFAULT '{"kind": "all"}',   -- JSON, see services.broadcasts
    texts             TEXT NOT NULL DEFAULT '{}',  -- JSON {"*": text} or {"kk": .., "ru": .., "en": ..}
    button            TEXT,                        -- JSON {"kind": "session"|"survey", "id": ..}
    scheduled_at      TEXT,                        -- UTC; NULL: send at once
    started_at        TEXT,
    finished_at       TEXT,
    total             INTEGER NOT NULL DEFAULT 0,  -- recipients when it started
    status_chat_id    INTEGER,                     -- the organizer's progress message
    status_message_id INTEGER,
    reported          INTEGER NOT NULL DEFAULT 0   -- final report sent
);
CREATE INDEX broadcasts_state ON broadcasts(state);

CREATE TABLE outbox (
    id                  INTEGER PRIMARY KEY,
    dedup_key           TEXT NOT NULL UNIQUE,      -- e.g. bc:<broadcast>:<user>, reminder:<session>:<user>
    user_id             INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,  -- == chat id
    kind                TEXT NOT NULL,             -- broadcast, reminder, alert, rating, ...
    priority            INTEGER NOT NULL DEFAULT 1,  -- lower goes first
    broadcast_id        INTEGER REFERENCES broadcasts(id) ON DELETE CASCADE,
    text                TEXT NOT NULL,
    reply_markup        TEXT,                      -- JSON of the Bot API reply_markup
    parse_mode          TEXT,
    state               TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'blocked', 'skipped')),
    attempts            INTEGER NOT NULL DEFAULT 0,
    not_before          TEXT,                      -- UTC: not sent before this moment
    expires_at          TEXT,                      -- UTC: skipped if not sent by then
    next_attempt_at     TEXT,                      -- UTC: earliest retry after a failure
    coalesce_key        TEXT,                      -- pending rows with the same key merge
    meta                TEXT,                      -- JSON for the producer (e.g. an alert's "before")
    telegram_message_id INTEGER,
    error               TEXT,
    created_at          TEXT NOT NULL,
    sent_at             TEXT
);
CREATE INDEX outbox_pending ON outbox(priority, id) WHERE state = 'pending';
CREATE INDEX outbox_sending ON outbox(id) WHERE state = 'sending';
CREATE INDEX outbox_broadcast ON outbox(broadcast_id, state);
CREATE INDEX outbox_coalesce ON outbox(coalesce_key) WHERE coalesce_key IS NOT NULL;
CREATE INDEX outbox_user ON outbox(user_id);

-- Small durable marks of the delivery services (e.g. when reminders were last checked).
CREATE TABLE delivery_marks (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
