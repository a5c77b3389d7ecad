-- The review board: reviewers, assignments, scored reviews, decisions released together,
-- revision rounds with kept versions, recommendations and their endorsement by participants.

-- What a reviewer (team role 'reviewer', see storage/team.py) declared about themselves: the
-- organization they work for or represent (NULL: none), so that its proposals never reach them.
CREATE TABLE reviewer_profiles (
    user_id      INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    organization TEXT,
    declared_at  TEXT NOT NULL
);

-- Who reviews what. A row stays when its review is withdrawn by a conflict (state 'conflict')
-- so that the proposal is never given to that reviewer again.
CREATE TABLE review_assignments (
    proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    reviewer_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    state       TEXT NOT NULL DEFAULT 'open'
                CHECK (state IN ('open', 'submitted', 'abstained', 'conflict', 'removed')),
    round       INTEGER NOT NULL DEFAULT 1,          -- the proposal's version it reviews
    assigned_at TEXT NOT NULL,
    PRIMARY KEY (proposal_id, reviewer_id)
);
CREATE INDEX review_assignments_reviewer ON review_assignments(reviewer_id, state);

-- A reviewer's review of a proposal in its current round: scores per criterion and comments.
CREATE TABLE reviews (
    proposal_id     INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    reviewer_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    round           INTEGER NOT NULL DEFAULT 1,
    scores          TEXT NOT NULL DEFAULT '{}',      -- JSON {criterion id: score}
    comment         TEXT,                            -- for the organizers
    author_comment  TEXT,                            -- may go to the authors with the decision
    reveals_authors INTEGER NOT NULL DEFAULT 0,      -- the text names its authors (blind review)
    awaiting        TEXT,                            -- 'comment' / 'author': next text goes there
    submitted_at    TEXT,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (proposal_id, reviewer_id)
);

-- The board's decision on a proposal: pending until released together with the others.
CREATE TABLE board_decisions (
    proposal_id      INTEGER PRIMARY KEY REFERENCES proposals(id) ON DELETE CASCADE,
    decision         TEXT NOT NULL CHECK (decision IN ('accept', 'reject', 'revise')),
    message          TEXT,
    fields           TEXT NOT NULL DEFAULT '[]',     -- JSON: what to revise
    author_comments  INTEGER NOT NULL DEFAULT 0,     -- send reviewers' comments for authors
    decided_at       TEXT NOT NULL,
    released_at      TEXT                            -- NULL: pending release
);

-- An organizer's awaited text on the board (a decision message, a recommendation's text).
CREATE TABLE board_inputs (
    user_id    INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    target     TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Revision rounds: what was requested, and each earlier version of the proposal's text.
CREATE TABLE proposal_versions (
    proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    round       INTEGER NOT NULL,
    data        TEXT NOT NULL,                       -- JSON of the edited fields as they were
    saved_at    TEXT NOT NULL,
    PRIMARY KEY (proposal_id, round)
);
CREATE TABLE proposal_revisions (
    proposal_id INTEGER PRIMARY KEY REFERENCES proposals(id) ON DELETE CASCADE,
    round       INTEGER NOT NULL DEFAULT 1,          -- current version number
    fields      TEXT NOT NULL DEFAULT '[]',          -- JSON: fields the authors may edit now
    message     TEXT,
    edits       TEXT NOT NULL DEFAULT '{}',          -- JSON: the authors' edits so far
    awaiting    TEXT,                                -- the field their next message fills
    state       TEXT NOT NULL DEFAULT 'none' CHECK (state IN ('none', 'requested', 'resubmitted'))
);

-- Recommendations: the forum's outcome, from accepted proposals (and Q&A questions).
CREATE TABLE recommendations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    content_id TEXT UNIQUE,                          -- id in the content file, if from there
    topic      TEXT NOT NULL,
    text       TEXT NOT NULL,                        -- JSON {language: text}
    questions  TEXT NOT NULL DEFAULT '[]',           -- JSON list of question texts
    created_at TEXT NOT NULL
);
CREATE TABLE recommendation_proposals (
    recommendation_id INTEGER NOT NULL REFERENCES recommendations(id) ON DELETE CASCADE,
    proposal_id       INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    PRIMARY KEY (recommendation_id, proposal_id)
);

-- Phases opened and closed by organizers ('endorsement').
CREATE TABLE board_phases (
    name      TEXT PRIMARY KEY,
    opened_at TEXT,
    closed_at TEXT
);

-- Endorsement: each person's shuffled order (stored once) and one voice per recommendation.
CREATE TABLE endorsement_orders (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    ids     TEXT NOT NULL                            -- JSON list of recommendation ids
);
CREATE TABLE endorsements (
    recommendation_id INTEGER NOT NULL REFERENCES recommendations(id) ON DELETE CASCADE,
    user_id           INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    vote              TEXT NOT NULL CHECK (vote IN ('support', 'object', 'abstain')),
    comment           TEXT,
    voted_at          TEXT NOT NULL,
    PRIMARY KEY (recommendation_id, user_id)
);
CREATE TABLE endorsement_inputs (
    user_id           INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    recommendation_id INTEGER NOT NULL REFERENCES recommendations(id) ON DELETE CASCADE
);
