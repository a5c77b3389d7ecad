"""The review board's SQL: reviewers, assignments, reviews, decisions, revision rounds."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiosqlite

from storage.db import Database

ASSIGNMENT_STATES = ("open", "submitted", "abstained", "conflict", "removed")
DECISIONS = ("accept", "reject", "revise")
# What a released decision makes of the proposal's status. 'review' is /proposals' "under
# review" (storage/proposals.py writes it into the same table; migration 0013).
DECISION_STATUS = {
    "accept": "accepted",
    "reject": "rejected",
    "revise": "under_review",
    "review": "under_review",
}
# A decision row with a NULL decision is only a message written before any decision.
_DECIDED = "decision IS NOT NULL"
_PENDING = (  # decisions waiting for release; a withdrawn proposal's never go out
    "FROM board_decisions d JOIN proposals p ON p.id = d.proposal_id"
    f" WHERE d.released_at IS NULL AND d.{_DECIDED} AND p.status != 'withdrawn'"
)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class Reviewer:
    """A person with the reviewer role (topics: the role's scope; empty for every topic) and
    the organization they declared."""

    user_id: int
    organization: str | None
    topics: tuple[str, ...]

    def reviews_topic(self, topic: str) -> bool:
        """Whether the reviewer is limited to topics that leave ``topic`` out."""
        return not self.topics or topic in self.topics


@dataclass(frozen=True, slots=True)
class Assignment:
    """A proposal given to a reviewer, with where the review stands."""

    proposal_id: int
    reviewer_id: int
    state: str
    round: int


@dataclass(slots=True)
class Review:
    """A reviewer's scores and comments on a proposal."""

    proposal_id: int
    reviewer_id: int
    round: int = 1
    scores: dict[str, int] = field(default_factory=dict)
    comment: str | None = None
    author_comment: str | None = None
    reveals_authors: bool = False
    awaiting: str | None = None
    submitted_at: str | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """The board's decision on a proposal (pending while ``released_at`` is None)."""

    proposal_id: int
    decision: str
    message: str | None
    fields: tuple[str, ...]
    author_comments: bool
    released_at: str | None
    decided_at: str = ""


@dataclass(slots=True)
class Revision:
    """A proposal's revision round: requested fields, the authors' edits so far."""

    proposal_id: int
    round: int = 1
    fields: tuple[str, ...] = ()
    message: str | None = None
    edits: dict[str, str] = field(default_factory=dict)
    awaiting: str | None = None
    state: str = "none"


def _review(row: aiosqlite.Row) -> Review:
    return Review(
        proposal_id=row["proposal_id"],
        reviewer_id=row["reviewer_id"],
        round=row["round"],
        scores={k: int(v) for k, v in json.loads(row["scores"]).items()},
        comment=row["comment"],
        author_comment=row["author_comment"],
        reveals_authors=bool(row["reveals_authors"]),
        awaiting=row["awaiting"],
        submitted_at=row["submitted_at"],
    )


def _decision(row: aiosqlite.Row) -> Decision:
    return Decision(
        proposal_id=row["proposal_id"],
        decision=row["decision"],
        message=row["message"],
        fields=tuple(json.loads(row["fields"])),
        author_comments=bool(row["author_comments"]),
        released_at=row["released_at"],
        decided_at=row["decided_at"],
    )


class ReviewsRepo:
    """Reads and writes the tables of migration 0010 that concern proposals."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- reviewers' declarations -------------------------------------------------------------
    async def declare(self, user_id: int, organization: str | None, now: datetime) -> None:
        """The organization the reviewer works for or represents (None: none)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO reviewer_profiles(user_id, organization, declared_at)"
                " VALUES (?, ?, ?) ON CONFLICT(user_id) DO UPDATE SET"
                " organization = excluded.organization, declared_at = excluded.declared_at",
                (user_id, organization, _iso(now)),
            )

    async def declarations(self) -> dict[int, str | None]:
        """Reviewer id -> declared organization (None: none), for those who declared."""
        rows = await self.db.fetchall("SELECT user_id, organization FROM reviewer_profiles")
        return {r[0]: r[1] for r in rows}

    async def withdraw_open(self, reviewer_id: int) -> list[int]:
        """The person no longer reviews: their open assignments go back; returns the proposals."""
        async with self.db.transaction() as conn:
            rows = await self.db.fetchall(
                "SELECT proposal_id FROM review_assignments WHERE reviewer_id = ?"
                " AND state = 'open' ORDER BY proposal_id",
                (reviewer_id,),
            )
            await conn.execute(
                "UPDATE review_assignments SET state = 'removed'"
                " WHERE reviewer_id = ? AND state = 'open'",
                (reviewer_id,),
            )
        return [r[0] for r in rows]

    # -- assignments ------------------------------------------------------------------------
    async def assignments(self) -> list[Assignment]:
        """Every assignment."""
        rows = await self.db.fetchall(
            "SELECT * FROM review_assignments ORDER BY proposal_id, reviewer_id"
        )
        return [
            Assignment(r["proposal_id"], r["reviewer_id"], r["state"], r["round"]) for r in rows
        ]

    async def assignments_of(self, reviewer_id: int) -> list[Assignment]:
        """The reviewer's assignments in proposal order."""
        rows = await self.db.fetchall(
            "SELECT * FROM review_assignments WHERE reviewer_id = ? ORDER BY proposal_id",
            (reviewer_id,),
        )
        return [
            Assignment(r["proposal_id"], r["reviewer_id"], r["state"], r["round"]) for r in rows
        ]

    async def assignment(self, proposal_id: int, reviewer_id: int) -> Assignment | None:
        """One assignment, or None."""
        r = await self.db.fetchone(
            "SELECT * FROM review_assignments WHERE proposal_id = ? AND reviewer_id = ?",
            (proposal_id, reviewer_id),
        )
        return None if r is None else Assignment(r[0], r[1], r["state"], r["round"])

    async def assign(self, pairs: Iterable[tuple[int, int]], round_: int, now: datetime) -> None:
        """Give each (proposal, reviewer) pair; an existing pair is reopened for ``round_``."""
        async with self.db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO review_assignments(proposal_id, reviewer_id, state, round,"
                " assigned_at) VALUES (?, ?, 'open', ?, ?) ON CONFLICT DO UPDATE SET"
                " state = 'open', round = excluded.round, assigned_at = excluded.assigned_at",
                [(p, r, round_, _iso(now)) for p, r in pairs],
            )

    async def set_state(self, proposal_id: int, reviewer_id: int, state: str) -> bool:
        """Mark an assignment submitted, abstained, conflict or removed."""
        if state not in ASSIGNMENT_STATES:
            raise ValueError(f"unknown assignment state {state!r}")
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE review_assignments SET state = ? WHERE proposal_id = ? AND reviewer_id = ?",
                (state, proposal_id, reviewer_id),
            )
            return cursor.rowcount > 0

    async def reopen_round(self, proposal_id: int, round_: int) -> list[int]:
        """A new version: every reviewer who reviewed it reviews again; returns their ids."""
        async with self.db.transaction() as conn:
            # An erased reviewer (negative id, storage/erasure.py) cannot review again.
            await conn.execute(
                "UPDATE review_assignments SET state = 'removed' WHERE proposal_id = ?"
                " AND reviewer_id < 0 AND state IN ('open', 'submitted', 'abstained')",
                (proposal_id,),
            )
            rows = await self.db.fetchall(
                "SELECT reviewer_id FROM review_assignments WHERE proposal_id = ?"
                " AND reviewer_id > 0 AND state IN ('open', 'submitted', 'abstained')"
                " ORDER BY reviewer_id",
                (proposal_id,),
            )
            await conn.execute(
                "UPDATE review_assignments SET state = 'open', round = ? WHERE proposal_id = ?"
                " AND state IN ('open', 'submitted', 'abstained')",
                (round_, proposal_id),
            )
            await conn.execute(
                "UPDATE reviews SET submitted_at = NULL, round = ? WHERE proposal_id = ?",
                (round_, proposal_id),
            )
        return [r[0] for r in rows]

    # -- reviews ----------------------------------------------------------------------------
    async def review(self, proposal_id: int, reviewer_id: int) -> Review | None:
        """The reviewer's review of the proposal, or None."""
        row = await self.db.fetchone(
            "SELECT * FROM reviews WHERE proposal_id = ? AND reviewer_id = ?",
            (proposal_id, reviewer_id),
        )
        return None if row is None else _review(row)

    async def reviews_for(self, proposal_id: int) -> list[Review]:
        """Every review of a proposal, by reviewer."""
        rows = await self.db.fetchall(
            "SELECT * FROM reviews WHERE proposal_id = ? ORDER BY reviewer_id", (proposal_id,)
        )
        return [_review(r) for r in rows]

    async def all_reviews(self) -> list[Review]:
        """Every review (exports and the board)."""
        rows = await self.db.fetchall("SELECT * FROM reviews ORDER BY proposal_id, reviewer_id")
        return [_review(r) for r in rows]

    async def save_review(self, review: Review, now: datetime) -> None:
        """Insert or replace a review."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO reviews(proposal_id, reviewer_id, round, scores, comment,"
                " author_comment, reveals_authors, awaiting, submitted_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET"
                " round = excluded.round, scores = excluded.scores, comment = excluded.comment,"
                " author_comment = excluded.author_comment,"
                " reveals_authors = excluded.reveals_authors, awaiting = excluded.awaiting,"
                " submitted_at = excluded.submitted_at, updated_at = excluded.updated_at",
                (
                    review.proposal_id,
                    review.reviewer_id,
                    review.round,
                    json.dumps(review.scores, sort_keys=True),
                    review.comment,
                    review.author_comment,
                    int(review.reveals_authors),
                    review.awaiting,
                    review.submitted_at,
                    _iso(now),
                ),
            )

    async def awaiting_review(self, reviewer_id: int) -> Review | None:
        """The review whose comment the reviewer's next message is."""
        row = await self.db.fetchone(
            "SELECT * FROM reviews WHERE reviewer_id = ? AND awaiting IS NOT NULL", (reviewer_id,)
        )
        return None if row is None else _review(row)

    async def clear_awaiting(self, reviewer_id: int) -> None:
        """No comment is awaited from the reviewer any more."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE reviews SET awaiting = NULL WHERE reviewer_id = ?", (reviewer_id,)
            )

    # -- decisions --------------------------------------------------------------------------
    async def decide(
        self,
        proposal_id: int,
        decision: str | None,
        now: datetime,
        *,
        message: str | None = None,
        fields: Iterable[str] = (),
    ) -> None:
        """Keep a decision pending release (None: undo the pending decision)."""
        async with self.db.transaction() as conn:
            if decision is None:
                await conn.execute(
                    "DELETE FROM board_decisions WHERE proposal_id = ? AND released_at IS NULL",
                    (proposal_id,),
                )
                return
            if decision not in DECISIONS:
                raise ValueError(f"unknown decision {decision!r}")
            await conn.execute(
                "INSERT INTO board_decisions(proposal_id, decision, message, fields, decided_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT(proposal_id) DO UPDATE SET"
                " decision = excluded.decision,"
                " message = coalesce(excluded.message, CASE WHEN released_at IS NULL"
                " THEN message END), author_comments = CASE WHEN released_at IS NULL"
                " THEN author_comments ELSE 0 END,"
                " fields = excluded.fields, decided_at = excluded.decided_at, released_at = NULL",
                (proposal_id, decision, message, json.dumps(list(fields)), _iso(now)),
            )

    async def update_decision(self, proposal_id: int, **values: Any) -> None:
        """Change ``message``, ``fields`` or ``author_comments`` of a pending decision."""
        allowed = {"message", "fields", "author_comments"}
        if not values or set(values) - allowed:
            raise ValueError(f"cannot set {sorted(values)}")
        if "fields" in values:
            values["fields"] = json.dumps(list(values["fields"]))
        if "author_comments" in values:
            values["author_comments"] = int(values["author_comments"])
        sets = ", ".join(f"{k} = ?" for k in sorted(values))
        async with self.db.transaction() as conn:
            await conn.execute(
                f"UPDATE board_decisions SET {sets} WHERE proposal_id = ? AND released_at IS NULL"
                f" AND {_DECIDED}",
                [*(values[k] for k in sorted(values)), proposal_id],
            )

    async def decision(self, proposal_id: int) -> Decision | None:
        """The proposal's decision (pending or released), or None."""
        row = await self.db.fetchone(
            f"SELECT * FROM board_decisions WHERE proposal_id = ? AND {_DECIDED}", (proposal_id,)
        )
        return None if row is None else _decision(row)

    async def decisions(self) -> list[Decision]:
        """Every decision, pending and released."""
        rows = await self.db.fetchall(
            f"SELECT * FROM board_decisions WHERE {_DECIDED} ORDER BY proposal_id"
        )
        return [_decision(r) for r in rows]

    async def pending(self) -> list[Decision]:
        """Decisions waiting for release, the board's and /proposals' alike (a withdrawn
        proposal's never go out)."""
        rows = await self.db.fetchall(f"SELECT d.* {_PENDING} ORDER BY d.proposal_id")
        return [_decision(r) for r in rows]

    async def count_pending(self) -> int:
        """How many decisions :meth:`pending` would give (counted, not loaded)."""
        return int(await self.db.fetchval(f"SELECT COUNT(*) {_PENDING}"))

    async def mark_released(self, decisions: list[Decision], now: datetime) -> None:
        """Apply released decisions to the proposals (call inside the release transaction)."""
        async with self.db.transaction() as conn:
            for d in decisions:
                await conn.execute(
                    "UPDATE board_decisions SET released_at = ? WHERE proposal_id = ?",
                    (_iso(now), d.proposal_id),
                )
                await conn.execute(
                    "UPDATE proposals SET status = ?, comment = ?, decided_at = ?, updated_at = ?"
                    " WHERE id = ? AND status != 'withdrawn'",
                    (DECISION_STATUS[d.decision], d.message, _iso(now), _iso(now), d.proposal_id),
                )
                if d.decision == "revise":
                    await conn.execute(
                        "INSERT INTO proposal_revisions(proposal_id, fields, message, state)"
                        " VALUES (?, ?, ?, 'requested') ON CONFLICT(proposal_id) DO UPDATE SET"
                        " fields = excluded.fields, message = excluded.message, edits = '{}',"
                        " awaiting = NULL, state = 'requested'",
                        (d.proposal_id, json.dumps(list(d.fields)), d.message),
                    )

    # -- revision rounds --------------------------------------------------------------------
    async def revision(self, proposal_id: int) -> Revision | None:
        """The proposal's revision round, or None if none was ever requested."""
        r = await self.db.fetchone(
            "SELECT * FROM proposal_revisions WHERE proposal_id = ?", (proposal_id,)
        )
        if r is None:
            return None
        return Revision(
            r["proposal_id"],
            r["round"],
            tuple(json.loads(r["fields"])),
            r["message"],
            json.loads(r["edits"]),
            r["awaiting"],
            r["state"],
        )

    async def rounds(self) -> dict[int, int]:
        """Proposal id -> its current version number (1 when never revised)."""
        rows = await self.db.fetchall("SELECT proposal_id, round FROM proposal_revisions")
        return {r[0]: r[1] for r in rows}

    async def save_revision(self, revision: Revision) -> None:
        """Keep the authors' edits and the field awaited next."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE proposal_revisions SET edits = ?, awaiting = ? WHERE proposal_id = ?",
                (
                    json.dumps(revision.edits, ensure_ascii=False),
                    revision.awaiting,
                    revision.proposal_id,
                ),
            )

    async def awaiting_revision(self, proposal_ids: Iterable[int]) -> Revision | None:
        """Of these proposals, the one whose field the author's next message fills."""
        for proposal_id in proposal_ids:
            revision = await self.revision(proposal_id)
            if revision is not None and revision.state == "requested" and revision.awaiting:
                return revision
        return None

    async def resubmit(
        self, revision: Revision, old: dict[str, str], now: datetime
    ) -> tuple[int, list[int]]:
        """Keep the old version, apply the edits, reopen the reviews: (new round, reviewers)."""
        new_round = revision.round + 1
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT OR REPLACE INTO proposal_versions(proposal_id, round, data, saved_at)"
                " VALUES (?, ?, ?, ?)",
                (
                    revision.proposal_id,
                    revision.round,
                    json.dumps(old, ensure_ascii=False),
                    _iso(now),
                ),
            )
            for name, value in revision.edits.items():
                if name in ("title", "summary", "support"):  # the editable columns only
                    await conn.execute(
                        f"UPDATE proposals SET {name} = ? WHERE id = ?",
                        (value, revision.proposal_id),
                    )
            await conn.execute(
                "UPDATE proposals SET status = 'under_review', updated_at = ? WHERE id = ?",
                (_iso(now), revision.proposal_id),
            )
            await conn.execute(
                "UPDATE proposal_revisions SET round = ?, state = 'resubmitted', edits = '{}',"
                " awaiting = NULL WHERE proposal_id = ?",
                (new_round, revision.proposal_id),
            )
            await conn.execute(
                "DELETE FROM board_decisions WHERE proposal_id = ?", (revision.proposal_id,)
            )
            reviewers = await self.reopen_round(revision.proposal_id, new_round)
        return new_round, reviewers

    async def versions(self, proposal_id: int) -> list[tuple[int, dict[str, str]]]:
        """Earlier versions of the proposal's edited fields, oldest first."""
        rows = await self.db.fetchall(
            "SELECT round, data FROM proposal_versions WHERE proposal_id = ? ORDER BY round",
            (proposal_id,),
        )
        return [(r[0], json.loads(r[1])) for r in rows]

    # -- an organizer's awaited text --------------------------------------------------------
    async def set_input(self, user_id: int, kind: str, target: str, now: datetime) -> None:
        """The organizer's next message is ``kind`` for ``target``."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT OR REPLACE INTO board_inputs(user_id, kind, target, created_at)"
                " VALUES (?, ?, ?, ?)",
                (user_id, kind, target, _iso(now)),
            )

    async def get_input(self, user_id: int) -> tuple[str, str] | None:
        """(kind, target) awaited from the organizer, or None."""
        row = await self.db.fetchone(
            "SELECT kind, target FROM board_inputs WHERE user_id = ?", (user_id,)
        )
        return None if row is None else (row[0], row[1])

    async def clear_input(self, user_id: int) -> None:
        """Nothing awaited from the organizer any more."""
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM board_inputs WHERE user_id = ?", (user_id,))
