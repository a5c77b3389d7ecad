-- /deleteme keeps a reviewer's submitted reviews for the board, without the reviewer (issue 12,
-- 15, 17; storage/erasure.py does the erase).
--
-- reviews.reviewer_id and review_assignments.reviewer_id referenced users(id) ON DELETE
-- CASCADE, so erasing a reviewer deleted their submitted scores and changed the board's ranking
-- after the fact. The two tables are rebuilt without that foreign key: on erasure a submitted
-- review (and its 'submitted' or 'abstained' assignment) gets a random negative reviewer id,
-- which no Telegram user has and which is derived from nothing; everything unsubmitted of theirs
-- is deleted by the erase itself.
CREATE TABLE review_assignments_0012 (
    proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    reviewer_id INTEGER NOT NULL,                    -- user id; negative: an erased reviewer
    state       TEXT NOT NULL DEFAULT 'open'
                CHECK (state IN ('open', 'submitted', 'abstained', 'conflict', 'removed')),
    round       INTEGER NOT NULL DEFAULT 1,
    assigned_at TEXT NOT NULL,
    PRIMARY KEY (proposal_id, reviewer_id)
);
INSERT INTO review_assignments_0012 (proposal_id, reviewer_id, state, round, assigned_at)
    SELECT proposal_id, reviewer_id, state, round, assigned_at FROM review_assignments;
DROP TABLE review_assignments;
ALTER TABLE review_assignments_0012 RENAME TO review_assignments;
CREATE INDEX review_assignments_reviewer ON review_assignments(reviewer_id, state);

CREATE TABLE reviews_0012 (
    proposal_id     INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    reviewer_id     INTEGER NOT NULL,                -- user id; negative: an erased reviewer
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
INSERT INTO reviews_0012 (proposal_id, reviewer_id, round, scores, comment, author_comment,
                          reveals_authors, awaiting, submitted_at, updated_at)
    SELECT proposal_id, reviewer_id, round, scores, comment, author_comment, reveals_authors,
           awaiting, submitted_at, updated_at FROM reviews;
DROP TABLE reviews;
ALTER TABLE reviews_0012 RENAME TO reviews;
