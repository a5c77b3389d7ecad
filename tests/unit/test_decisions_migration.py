"""Migration 0013: a decision pending release lives in one place. A database of the release
before it, with decisions pending in both /proposals (proposals.pending_status) and /board
(board_decisions), comes out with one pending decision per proposal, released once."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

import storage.db as db_module
from storage.db import Database
from storage.proposals import ProposalsRepo
from storage.reviews import ReviewsRepo
from tests.unit.test_proposals_storage import release

NOW = datetime(2018, 11, 20, 12, 0, tzinfo=UTC)
EARLY, LATE = "2018-11-10T10:00:00+00:00", "2018-11-11T10:00:00+00:00"


def old_database(path: Path) -> None:
    """The schema up to migration 0012 with pending decisions of both kinds."""
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE schema_migrations (number INTEGER PRIMARY KEY, name TEXT)")
        for number, name, sql in db_module._migration_files():
            if number < 13:
                for statement in db_module._split_sql(sql):
                    conn.execute(statement)
                conn.execute("INSERT INTO schema_migrations VALUES (?, ?)", (number, name))
        conn.execute(
            "INSERT INTO users(id, first_name, language, first_seen, last_seen)"
            " VALUES (1, 'A', 'en', 'x', 'x')"
        )
        for pid, status, pending, comment in (
            (1, "submitted", "accepted", "Well done"),  # /proposals only
            (2, "under_review", "rejected", None),  # both, /proposals' later
            (3, "accepted", "under_review", None),  # /proposals after a released board one
            (4, "submitted", None, "A comment before any decision"),
            (5, "withdrawn", "accepted", None),  # withdrawn: nothing to release
            (6, "submitted", None, None),  # /board only
        ):
            conn.execute(
                "INSERT INTO proposals(id, user_id, language, consent_version, consent_at,"
                " org_name, org_type, region, topic, title, summary, support, status,"
                " pending_status, pending_comment, submitted_at, updated_at) VALUES"
                " (?, 1, 'en', 'v1', 'x', 'Org', 'initiative', 'almaty_city', 'institutions',"
                " 'T', 'S', 'H', ?, ?, ?, 'x', ?)",
                (pid, status, pending, comment, LATE),
            )
        conn.executemany(
            "INSERT INTO board_decisions(proposal_id, decision, message, fields, decided_at,"
            " released_at) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (2, "revise", "Shorter, please", '["summary"]', EARLY, None),
                (3, "accept", "Bravo", "[]", EARLY, EARLY),
                (6, "reject", None, "[]", EARLY, None),
            ],
        )


async def test_pending_decisions_of_both_screens_end_up_in_one_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "forum.db"
    old_database(path)
    db = Database(path)
    await db.open()  # applies 0013
    try:
        columns = {r["name"] for r in await db.fetchall("PRAGMA table_info(proposals)")}
        assert not {"pending_status", "pending_comment"} & columns
        rows = await db.fetchall(
            "SELECT proposal_id, decision, message, released_at FROM board_decisions"
            " ORDER BY proposal_id"
        )
        assert [tuple(r) for r in rows] == [
            (1, "accept", "Well done", None),
            (2, "reject", "Shorter, please", None),
            (3, "review", None, None),
            (4, None, "A comment before any decision", None),
            (6, "reject", None, None),
        ]
        proposals = ProposalsRepo(db)
        one = await proposals.get(1)
        assert one is not None and (one.pending_status, one.pending_comment) == (
            "accepted",
            "Well done",
        )
        assert await proposals.count_pending() == 4  # the comment alone is no decision
        assert [d.proposal_id for d in await ReviewsRepo(db).pending()] == [1, 2, 3, 6]

        released = await release(db, NOW)
        assert [(p.id, p.status, p.comment) for p in released] == [
            (1, "accepted", "Well done"),
            (2, "rejected", "Shorter, please"),
            (3, "under_review", None),
            (6, "rejected", None),
        ]
        assert await proposals.count_pending() == 0
        assert await release(db, NOW) == []  # released once
        four = await proposals.get(4)
        assert four is not None and four.pending_comment == "A comment before any decision"
    finally:
        await db.close()


async def test_both_screens_write_the_same_pending_decision(tmp_path: Path) -> None:
    """A decision made on /proposals shows on /board and the other way round; the later one
    replaces the earlier, and a comment written first goes with it."""
    db = Database(tmp_path / "forum.db")
    await db.open()
    try:
        await db.conn.execute(
            "INSERT INTO users(id, first_name, language, first_seen, last_seen)"
            " VALUES (1, 'A', 'en', 'x', 'x')"
        )
        proposals, reviews = ProposalsRepo(db), ReviewsRepo(db)
        data = {
            "consent_version": "v1", "consent_at": "x", "org_name": "Org",
            "org_type": "initiative", "region": "almaty_city", "topic": "institutions",
            "sdgs": [4], "title": "T", "summary": "S", "support": "H",
        }  # fmt: skip
        p = await proposals.submit(1, "en", data, NOW)
        assert await proposals.set_pending_comment(p.id, "Please cite sources", NOW)
        assert await reviews.pending() == []
        await reviews.decide(p.id, "revise", NOW, fields=("summary",))
        (board,) = await reviews.pending()
        assert (board.decision, board.message) == ("revise", "Please cite sources")
        shown = await proposals.get(p.id)
        assert shown is not None and shown.pending_status == "under_review"
        assert await proposals.set_pending(p.id, "accepted", NOW)
        (board,) = await reviews.pending()
        assert (board.decision, board.message) == ("accept", "Please cite sources")
        assert await proposals.count_pending() == 1
    finally:
        await db.close()
