-- Live Q&A: questions to a session, votes on them, audience polls and the ask dialog.
-- Erasing a user (/deleteme): their votes, poll answers and dialog go by CASCADE; the trigger
-- below deletes their questions that were not answered and strips the name from answered ones,
-- which stay (anonymous, user_id NULL by SET NULL) for the session's report.
CREATE TABLE qa_questions (
    id             INTEGER PRIMARY KEY,
    session_id     TEXT NOT NULL,
    user_id        INTEGER REFERENCES users(id) ON DELETE SET NULL,
    text           TEXT NOT NULL,
    anonymous      INTEGER NOT NULL DEFAULT 0,
    asker_name     TEXT,                          -- first name only; NULL when anonymous
    language       TEXT,                          -- the asker's language (for replies)
    status         TEXT NOT NULL
        CHECK (status IN ('waiting', 'approved', 'rejected', 'answered', 'hidden')),
    now_answering  INTEGER NOT NULL DEFAULT 0,
    reply          TEXT,
    replied_at     TEXT,
    created_at     TEXT NOT NULL,
    decided_at     TEXT
);
CREATE INDEX qa_questions_session ON qa_questions(session_id, status);
CREATE INDEX qa_questions_user ON qa_questions(user_id, session_id, status);

CREATE TABLE qa_votes (
    question_id INTEGER NOT NULL REFERENCES qa_questions(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (question_id, user_id)
) WITHOUT ROWID;
CREATE INDEX qa_votes_user ON qa_votes(user_id);

CREATE TRIGGER qa_erase_user BEFORE DELETE ON users
BEGIN
    DELETE FROM qa_questions WHERE user_id = OLD.id AND status != 'answered';
    UPDATE qa_questions SET asker_name = NULL, anonymous = 1 WHERE user_id = OLD.id;
END;

-- Where a person is in the ask dialog: typing the text, then choosing named or anonymous.
CREATE TABLE qa_drafts (
    user_id     INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    session_id  TEXT NOT NULL,
    step        TEXT NOT NULL CHECK (step IN ('text', 'mode', 'reply', 'poll')),
    text        TEXT,
    ref         INTEGER,                          -- the question replied to (step 'reply')
    updated_at  TEXT NOT NULL
);

-- Who follows a session's Q&A (opened it): they receive its polls.
CREATE TABLE qa_audience (
    session_id  TEXT NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (session_id, user_id)
) WITHOUT ROWID;

CREATE TABLE qa_polls (
    id          INTEGER PRIMARY KEY,
    session_id  TEXT NOT NULL,
    source      TEXT,                             -- the content poll's id, NULL when typed
    question    TEXT NOT NULL,                    -- JSON {"kk": ..., "ru": ..., "en": ...}
    options     TEXT NOT NULL,                    -- JSON list of such objects
    status      TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    created_at  TEXT NOT NULL,
    closed_at   TEXT
);
CREATE INDEX qa_polls_session ON qa_polls(session_id, status);

CREATE TABLE qa_poll_answers (
    poll_id     INTEGER NOT NULL REFERENCES qa_polls(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    option      INTEGER NOT NULL,
    answered_at TEXT NOT NULL,
    PRIMARY KEY (poll_id, user_id)
) WITHOUT ROWID;
