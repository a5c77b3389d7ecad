-- One place for a decision pending release. /proposals kept its pending decision and comment in
-- proposals.pending_status / pending_comment while /board kept its own in board_decisions; one
-- proposal could carry both, and one release then sent its authors two contradicting notices.
-- From now on board_decisions holds every decision of either screen, pending until released:
-- 'review' is /proposals' "under review" and a NULL decision a message (comment) written before
-- any decision.
CREATE TABLE decisions_0013 (
    proposal_id      INTEGER PRIMARY KEY REFERENCES proposals(id) ON DELETE CASCADE,
    decision         TEXT CHECK (decision IN ('accept', 'reject', 'revise', 'review')),
    message          TEXT,
    fields           TEXT NOT NULL DEFAULT '[]',     -- JSON: what to revise
    author_comments  INTEGER NOT NULL DEFAULT 0,     -- send reviewers' comments for authors
    decided_at       TEXT NOT NULL,
    released_at      TEXT                            -- NULL: pending release
);
INSERT INTO decisions_0013(proposal_id, decision, message, fields, author_comments, decided_at,
                           released_at)
SELECT proposal_id, decision, message, fields, author_comments, decided_at, released_at
  FROM board_decisions;

-- /proposals' pending decisions and comments move over. Where the board also has one pending,
-- the later decision wins and a comment is kept; a released board decision gives way.
INSERT INTO decisions_0013(proposal_id, decision, message, decided_at)
SELECT id,
       CASE pending_status WHEN 'accepted' THEN 'accept' WHEN 'rejected' THEN 'reject'
                           WHEN 'under_review' THEN 'review' END,
       pending_comment, updated_at
  FROM proposals
 WHERE (pending_status IS NOT NULL OR pending_comment IS NOT NULL) AND status != 'withdrawn'
ON CONFLICT(proposal_id) DO UPDATE SET
    decision = CASE WHEN released_at IS NOT NULL
                      OR (excluded.decision IS NOT NULL AND excluded.decided_at > decided_at)
                    THEN excluded.decision ELSE decision END,
    message = coalesce(excluded.message, CASE WHEN released_at IS NULL THEN message END),
    fields = CASE WHEN released_at IS NULL THEN fields ELSE '[]' END,
    author_comments = CASE WHEN released_at IS NULL THEN author_comments ELSE 0 END,
    decided_at = max(decided_at, excluded.decided_at),
    released_at = NULL;

DROP TABLE board_decisions;
ALTER TABLE decisions_0013 RENAME TO board_decisions;
ALTER TABLE proposals DROP COLUMN pending_status;
ALTER TABLE proposals DROP COLUMN pending_comment;

-- A recommendation of the content file that a reload no longer lists is hidden from the board,
-- the endorsement, the results and the resolution, not deleted: its votes stay, and it comes
-- back with them if the file lists its id again (an older file uploaded by mistake).
ALTER TABLE recommendations ADD COLUMN removed_at TEXT;
