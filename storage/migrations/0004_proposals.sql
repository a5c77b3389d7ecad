-- Proposals from NGOs: drafts (one per user, every answer saved as given) and submissions.

-- A dialog in progress: the step and the answers so far (JSON). Gone with the user.
CREATE TABLE proposal_drafts (
    user_id    INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    step       TEXT NOT NULL,
    data       TEXT NOT NULL DEFAULT '{}',
    editing    INTEGER NOT NULL DEFAULT 0,           -- 1: return to the review screen next
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Submitted proposals. AUTOINCREMENT: a reference number (P-0042) is never reused.
-- When the submitter erases their data the personal fields are cleared (trigger below) and the
-- organization's content stays.
CREATE TABLE proposals (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id          INTEGER REFERENCES users(id) ON DELETE SET NULL,
    language         TEXT NOT NULL,
    consent_version  TEXT NOT NULL,
    consent_at       TEXT NOT NULL,
    org_name         TEXT NOT NULL,
    org_type         TEXT NOT NULL,
    bin              TEXT,
    region           TEXT NOT NULL,
    contact_person   TEXT,
    phone            TEXT,
    email            TEXT,
    topic            TEXT NOT NULL,
    title            TEXT NOT NULL,
    summary          TEXT NOT NULL,
    support          TEXT NOT NULL,
    attachment_id    TEXT,                           -- Telegram file_id
    attachment_name  TEXT,
    attachment_size  INTEGER,
    status           TEXT NOT NULL DEFAULT 'submitted' CHECK (status IN
                         ('submitted', 'under_review', 'accepted', 'rejected', 'withdrawn')),
    comment          TEXT,                           -- the released comment to the submitter
    pending_status   TEXT CHECK (pending_status IN ('under_review', 'accepted', 'rejected')),
    pending_comment  TEXT,
    submitted_at     TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    decided_at       TEXT
);
CREATE INDEX proposals_user ON proposals(user_id);
CREATE INDEX proposals_status ON proposals(status);
CREATE INDEX proposals_topic ON proposals(topic);

CREATE TABLE proposal_sdgs (
    proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    sdg         INTEGER NOT NULL CHECK (sdg BETWEEN 1 AND 17),
    PRIMARY KEY (proposal_id, sdg)
);
CREATE INDEX proposal_sdgs_sdg ON proposal_sdgs(sdg);

-- The proposal an organizer is writing a comment for (their next message is the comment).
CREATE TABLE proposal_review_inputs (
    user_id     INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL
);

-- /deleteme: the submitter's personal fields go with them; the proposal itself stays.
CREATE TRIGGER proposals_forget_submitter BEFORE DELETE ON users
BEGIN
    UPDATE proposals SET user_id = NULL, contact_person = NULL, phone = NULL, email = NULL
     WHERE user_id = OLD.id;
END;
