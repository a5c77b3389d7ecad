-- Anonymous surveys that stay anonymous, and what /deleteme takes away (issue 12).
--
-- An anonymous response is linked to its person only while it is in progress
-- (survey_anon_progress, so that it can be resumed); completing it deletes that link in the
-- same transaction and records only that the person has finished the survey
-- (survey_anon_done: no response id, no time). Anonymous responses get random ids and their
-- times are the day only, so neither the order of rows nor a timestamp joins them to anything.
CREATE TABLE survey_anon_progress (
    survey_id    TEXT NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    response_id  INTEGER NOT NULL UNIQUE REFERENCES survey_responses(id) ON DELETE CASCADE,
    PRIMARY KEY (survey_id, user_id)
) WITHOUT ROWID;

CREATE TABLE survey_anon_done (
    survey_id  TEXT NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (survey_id, user_id)
) WITHOUT ROWID;

-- /deleteme: an anonymous response still in progress is the person's own data: it goes too.
CREATE TRIGGER survey_anon_forget_progress BEFORE DELETE ON users
BEGIN
    DELETE FROM survey_responses WHERE id IN
        (SELECT response_id FROM survey_anon_progress WHERE user_id = OLD.id);
END;

-- The keyed hashes of 0003 could be recomputed by whoever holds the bot token: dropped.
-- Responses finished before stay, now unlinked; one in progress is started again.
DROP TABLE survey_anon_keys;

-- Existing anonymous responses: random ids (the old ones follow the order people started in).
CREATE TABLE anon_ids_0007 (old INTEGER PRIMARY KEY, new INTEGER NOT NULL UNIQUE);
INSERT INTO anon_ids_0007 (old, new)
    SELECT id, 1000000000 + abs(random() % 4000000000000000000) FROM survey_responses
     WHERE user_id IS NULL;

-- Answers without SQLite's implicit rowid (its insertion order could be joined), anonymous
-- ones with the day only.
CREATE TABLE answers_0007 AS
    SELECT COALESCE(m.new, a.response_id) AS response_id, a.question_id, a.value, a.skipped,
           a.draft,
           CASE WHEN m.new IS NULL THEN a.answered_at ELSE substr(a.answered_at, 1, 10) END
               AS answered_at
      FROM survey_answers a LEFT JOIN anon_ids_0007 m ON m.old = a.response_id;
DROP TABLE survey_answers;

UPDATE survey_responses
   SET id = (SELECT new FROM anon_ids_0007 WHERE old = survey_responses.id),
       started_at = substr(started_at, 1, 10),
       updated_at = substr(updated_at, 1, 10),
       completed_at = substr(completed_at, 1, 10)
 WHERE user_id IS NULL;

CREATE TABLE survey_answers (
    response_id  INTEGER NOT NULL REFERENCES survey_responses(id) ON DELETE CASCADE,
    question_id  TEXT NOT NULL,
    value        TEXT,                            -- JSON: option id, [ids], number, text
    skipped      INTEGER NOT NULL DEFAULT 0,
    draft        INTEGER NOT NULL DEFAULT 0,      -- a multiple choice not yet confirmed
    answered_at  TEXT NOT NULL,                   -- anonymous responses: the day only
    PRIMARY KEY (response_id, question_id)
) WITHOUT ROWID;
INSERT INTO survey_answers (response_id, question_id, value, skipped, draft, answered_at)
    SELECT response_id, question_id, value, skipped, draft, answered_at FROM answers_0007;
DROP TABLE answers_0007;
DROP TABLE anon_ids_0007;

-- /deleteme: proposals also lose the attachment (it can hold personal data) and the consent
-- time, along with the contact fields; the organization's content stays.
DROP TRIGGER proposals_forget_submitter;
CREATE TRIGGER proposals_forget_submitter BEFORE DELETE ON users
BEGIN
    UPDATE proposals SET user_id = NULL, contact_person = NULL, phone = NULL, email = NULL,
           attachment_id = NULL, attachment_name = NULL, attachment_size = NULL,
           consent_at = ''
     WHERE user_id = OLD.id;
END;
