-- At most one open poll per session, also for writers that race (two moderators at once):
-- the flow checks inside its transaction, and the database refuses a second open poll anyway.
-- A database that already holds two keeps the newest open and closes the others.
UPDATE qa_polls SET status = 'closed', closed_at = created_at
WHERE status = 'open'
  AND id NOT IN (SELECT MAX(id) FROM qa_polls WHERE status = 'open' GROUP BY session_id);
CREATE UNIQUE INDEX qa_polls_one_open ON qa_polls(session_id) WHERE status = 'open';
