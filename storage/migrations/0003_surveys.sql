-- Surveys: one response per person and survey, one row per answered question.
--
-- Anonymity: a response of an anonymous survey has user_id NULL and is found again only
-- through survey_anon_keys.key = HMAC-SHA256(secret derived from the bot token,
-- "<survey>:<user>"); the database alone cannot tell whose answers they are, and no export
-- shows anything but the random respondent token.
CREATE TABLE survey_responses (
    id            INTEGER PRIMARY KEY,
    survey_id     TEXT NOT NULL,
    respondent    TEXT NOT NULL UNIQUE,           -- random token: the only id in exports
    user_id       INTEGER REFERENCES users(id) ON DELETE CASCADE,  -- NULL when anonymous
    stakeholder   TEXT,                           -- the group at the first answer
    language      TEXT,
    started_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    completed_at  TEXT
);
CREATE UNIQUE INDEX survey_responses_user
    ON survey_responses(survey_id, user_id) WHERE user_id IS NOT NULL;
CREATE INDEX survey_responses_survey ON survey_responses(survey_id);

CREATE TABLE survey_anon_keys (
    key          TEXT PRIMARY KEY,                -- keyed hash of survey and user, see above
    response_id  INTEGER NOT NULL UNIQUE REFERENCES survey_responses(id) ON DELETE CASCADE
);

CREATE TABLE survey_answers (
    response_id  INTEGER NOT NULL REFERENCES survey_responses(id) ON DELETE CASCADE,
    question_id  TEXT NOT NULL,
    value        TEXT,                            -- JSON: option id, [ids], number, text
    skipped      INTEGER NOT NULL DEFAULT 0,
    draft        INTEGER NOT NULL DEFAULT 0,      -- a multiple choice not yet confirmed
    answered_at  TEXT NOT NULL,
    PRIMARY KEY (response_id, question_id)
);

-- Session ratings: 1-5 stars and an optional comment, one per person and session.
CREATE TABLE session_ratings (
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    session_id   TEXT NOT NULL,
    stars        INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
    comment      TEXT,
    stakeholder  TEXT,
    rated_at     TEXT NOT NULL,
    PRIMARY KEY (user_id, session_id)
);
CREATE INDEX session_ratings_session ON session_ratings(session_id);

-- What a person is answering right now (a survey question or a rating comment), so free
-- text and wrong input go to the right place, also after a restart.
CREATE TABLE answer_cursors (
    user_id     INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('survey', 'comment')),
    ref         TEXT NOT NULL,                    -- survey id or session id
    question    TEXT,                             -- question id (survey)
    message_id  INTEGER,                          -- the message showing the question
    shown_at    TEXT NOT NULL
);
