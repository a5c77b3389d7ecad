"""/deleteme: erase a person, or keep what the forum needs without anything that leads to them.

One transaction, table by table (the migrations list every table; tests/unit/test_erasure.py
scans every column of the file afterwards, so a table added later without a rule here fails):

Erased (by the statements below, the foreign keys' CASCADE or the triggers of 0004, 0007, 0009):
users, stars, session ratings, survey answers linked to the person and an anonymous response
still in progress, answer cursors, proposal and Q&A drafts, the Q&A audience, their questions
not yet answered, their votes on questions, their poll answers, reviewer profile, unsubmitted
reviews and open assignments, endorsement votes with their comments (an opinion on policy: no
count is kept that could be tied to them; a report already issued keeps the numbers it showed),
their team role, invitations they created or used, broadcast drafts, the messages queued to
them, every awaited text (open dialogs), old conversation states.

Kept without a link (nothing in them names or points to the person):
- a question that was answered: part of the session's record, shown as anonymous;
- a submitted review and its assignment: the board's ranking rests on it; the reviewer id is
  replaced by a random negative number (0012);
- a proposal: the organization's content, without contact fields, attachment or consent time;
- a finished anonymous survey response (it was never linked);
- a broadcast they sent: the forum's announcement; "sent by" becomes ERASED_ORGANIZER;
- the roles they granted to others stay, without "granted by";
- messages already delivered to others that quoted their name (a moderator's card of their
  question, an inviter's "joined" notice) keep the row for delivery statistics, without text.
"""

from __future__ import annotations

import secrets

import aiosqlite

# broadcasts.created_by of an erased organizer (NOT NULL column; no Telegram user has id 0).
ERASED_ORGANIZER = 0

# Runs before the users row goes (the triggers and CASCADE rules then do the rest).
_STATEMENTS = (
    # Team: the role goes (owners are ADMIN_IDS, not stored); invitations they created are
    # revoked, since nobody could tell whom an invitation came from; used ones are history.
    "DELETE FROM team_members WHERE user_id = :uid",
    "UPDATE team_members SET granted_by = NULL WHERE granted_by = :uid",
    "DELETE FROM team_invites WHERE created_by = :uid OR used_by = :uid",
    # Review board: submitted reviews stay under a random id; everything else of theirs goes.
    "UPDATE reviews SET reviewer_id = :alias, awaiting = NULL"
    " WHERE reviewer_id = :uid AND submitted_at IS NOT NULL",
    "DELETE FROM reviews WHERE reviewer_id = :uid",
    "UPDATE review_assignments SET reviewer_id = :alias"
    " WHERE reviewer_id = :uid AND state IN ('submitted', 'abstained')",
    "DELETE FROM review_assignments WHERE reviewer_id = :uid",
    # Their proposals stay (trigger of 0007); a revision they were typing is their draft.
    "UPDATE proposal_revisions SET awaiting = NULL, edits = '{}'"
    " WHERE proposal_id IN (SELECT id FROM proposals WHERE user_id = :uid)",
    # Broadcasts: a draft is an open dialog; one that went out is the forum's, without them.
    "DELETE FROM broadcasts WHERE created_by = :uid AND state = 'draft'",
    "UPDATE broadcasts SET created_by = :erased, status_chat_id = NULL, status_message_id = NULL"
    " WHERE created_by = :uid",
    # PTB conversation states of old versions, keyed "[chat_id, user_id]".
    "DELETE FROM conversations WHERE key LIKE :key_start OR key LIKE :key_end",
)


async def erase_person(conn: aiosqlite.Connection, user_id: int) -> None:
    """Erase everything of ``user_id`` but their ``users`` row, inside the caller's transaction
    (the caller deletes the row last and forgets the prelude's kept copy: storage/users.py)."""
    cursor = await conn.execute(
        "SELECT first_name, last_name, username FROM users WHERE id = ?", (user_id,)
    )
    row = await cursor.fetchone()
    await cursor.close()
    params = {
        "uid": user_id,
        "alias": -(secrets.randbits(62) + 1),
        "erased": ERASED_ORGANIZER,
        "key_start": f"[{user_id},%",
        "key_end": f"%, {user_id}]",
    }
    for statement in _STATEMENTS:
        await conn.execute(statement, params)
    if row is not None:
        await _forget_name_in_delivered(conn, user_id, [row[0], row[1], row[2]])


async def _forget_name_in_delivered(
    conn: aiosqlite.Connection, user_id: int, names: list[str | None]
) -> None:
    """Delivered messages to other people that quote the person's name lose their text.

    A delivered row's text is never read again (the sender reads pending rows only), so a row
    that merely contains a similar word loses nothing. Pending rows are left to be delivered.
    """
    for name in {n for n in names if n and n.strip()}:
        await conn.execute(
            "UPDATE outbox SET text = '', reply_markup = NULL"
            " WHERE user_id != ? AND state NOT IN ('pending', 'sending') AND instr(text, ?) > 0",
            (user_id, name),
        )
