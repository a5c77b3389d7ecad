"""Proposals: drafts of the /propose dialog and submitted proposals with their decisions."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiosqlite

from storage.db import Database
from storage.reviews import DECISION_STATUS, ReviewsRepo

STATUSES: tuple[str, ...] = ("submitted", "under_review", "accepted", "rejected", "withdrawn")
DECISIONS: tuple[str, ...] = ("under_review", "accepted", "rejected")
# /proposals decides a status; board_decisions stores it as the board's decision word.
STATUS_DECISION = {"under_review": "review", "accepted": "accept", "rejected": "reject"}
# A new decision on a proposal whose last one was released starts afresh (no old message).
_FRESH_IF_RELEASED = (
    " fields = CASE WHEN released_at IS NULL THEN fields ELSE '[]' END,"
    " author_comments = CASE WHEN released_at IS NULL THEN author_comments ELSE 0 END,"
    " released_at = NULL"
)


@dataclass(slots=True)
class Draft:
    """A dialog in progress: the current step and the answers so far."""

    user_id: int
    step: str
    data: dict[str, Any] = field(default_factory=dict)
    editing: bool = False


@dataclass(frozen=True, slots=True)
class Proposal:
    """A submitted proposal."""

    id: int
    user_id: int | None
    language: str
    consent_version: str
    consent_at: str
    org_name: str
    org_type: str
    bin: str | None
    region: str
    contact_person: str | None
    phone: str | None
    email: str | None
    topic: str
    sdgs: tuple[int, ...]
    title: str
    summary: str
    support: str
    attachment_id: str | None
    attachment_name: str | None
    attachment_size: int | None
    status: str
    comment: str | None
    # The decision pending release (as the status it will give) and the message going with it,
    # read from board_decisions: the one place where either screen keeps a pending decision.
    pending_status: str | None
    pending_comment: str | None
    submitted_at: str
    updated_at: str
    decided_at: str | None

    @property
    def reference(self) -> str:
        """The number the submitter and organizers quote, e.g. ``P-0042``."""
        return reference(self.id)


def reference(proposal_id: int) -> str:
    """``P-0042`` for 42."""
    return f"P-{proposal_id:04d}"


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


async def _touch(conn: aiosqlite.Connection, proposal_id: int, now: datetime) -> bool:
    """Mark the proposal updated; False when it is withdrawn or gone."""
    cursor = await conn.execute(
        "UPDATE proposals SET updated_at = ? WHERE id = ? AND status != 'withdrawn'",
        (_iso(now), proposal_id),
    )
    return cursor.rowcount > 0


_COLUMNS = (
    "org_name",
    "org_type",
    "bin",
    "region",
    "contact_person",
    "phone",
    "email",
    "topic",
    "title",
    "summary",
    "support",
    "attachment_id",
    "attachment_name",
    "attachment_size",
)


class ProposalsRepo:
    """Reads and writes ``proposal_drafts``, ``proposals`` and ``proposal_sdgs``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- drafts ---------------------------------------------------------------------------
    async def get_draft(self, user_id: int) -> Draft | None:
        """The user's draft, or None."""
        row = await self.db.fetchone("SELECT * FROM proposal_drafts WHERE user_id = ?", (user_id,))
        if row is None:
            return None
        return Draft(row["user_id"], row["step"], json.loads(row["data"]), bool(row["editing"]))

    async def save_draft(self, draft: Draft, now: datetime) -> None:
        """Insert or replace the user's draft."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO proposal_drafts(user_id, step, data, editing, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(user_id) DO UPDATE SET"
                " step = excluded.step, data = excluded.data, editing = excluded.editing,"
                " updated_at = excluded.updated_at",
                (
                    draft.user_id,
                    draft.step,
                    json.dumps(draft.data, ensure_ascii=False),
                    int(draft.editing),
                    _iso(now),
                    _iso(now),
                ),
            )

    async def delete_draft(self, user_id: int) -> bool:
        """Discard the user's draft; True if there was one."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute("DELETE FROM proposal_drafts WHERE user_id = ?", (user_id,))
            return cursor.rowcount > 0

    # -- proposals ------------------------------------------------------------------------
    async def submit(
        self, user_id: int, language: str, data: dict[str, Any], now: datetime
    ) -> Proposal:
        """Turn the user's draft answers into a proposal and drop the draft, atomically."""
        attachment = data.get("attachment") or {}
        values = {
            "org_name": data["org_name"],
            "org_type": data["org_type"],
            "bin": data.get("bin"),
            "region": data["region"],
            "contact_person": data.get("contact_person"),
            "phone": data.get("phone"),
            "email": data.get("email"),
            "topic": data["topic"],
            "title": data["title"],
            "summary": data["summary"],
            "support": data["support"],
            "attachment_id": attachment.get("file_id"),
            "attachment_name": attachment.get("name"),
            "attachment_size": attachment.get("size"),
        }
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO proposals(user_id, language, consent_version, consent_at, "
                + ", ".join(_COLUMNS)
                + ", status, submitted_at, updated_at) VALUES (?, ?, ?, ?, "
                + ", ".join("?" for _ in _COLUMNS)
                + ", 'submitted', ?, ?)",
                (
                    user_id,
                    language,
                    data["consent_version"],
                    data["consent_at"],
                    *(values[c] for c in _COLUMNS),
                    _iso(now),
                    _iso(now),
                ),
            )
            proposal_id = cursor.lastrowid
            assert proposal_id is not None
            await conn.executemany(
                "INSERT INTO proposal_sdgs(proposal_id, sdg) VALUES (?, ?)",
                [(proposal_id, int(g)) for g in sorted(set(data["sdgs"]))],
            )
            await conn.execute("DELETE FROM proposal_drafts WHERE user_id = ?", (user_id,))
        proposal = await self.get(proposal_id)
        assert proposal is not None
        return proposal

    async def _load(self, rows: list[aiosqlite.Row]) -> list[Proposal]:
        if not rows:
            return []
        ids = [r["id"] for r in rows]
        marks = ", ".join("?" for _ in ids)
        goals: dict[int, list[int]] = {i: [] for i in ids}
        for r in await self.db.fetchall(
            f"SELECT proposal_id, sdg FROM proposal_sdgs WHERE proposal_id IN ({marks})"
            " ORDER BY sdg",
            ids,
        ):
            goals[r[0]].append(r[1])
        pending = {
            r[0]: (DECISION_STATUS[r[1]] if r[1] else None, r[2])
            for r in await self.db.fetchall(
                "SELECT proposal_id, decision, message FROM board_decisions"
                f" WHERE released_at IS NULL AND proposal_id IN ({marks})",
                ids,
            )
        }
        return [
            Proposal(
                id=r["id"],
                user_id=r["user_id"],
                language=r["language"],
                consent_version=r["consent_version"],
                consent_at=r["consent_at"],
                org_name=r["org_name"],
                org_type=r["org_type"],
                bin=r["bin"],
                region=r["region"],
                contact_person=r["contact_person"],
                phone=r["phone"],
                email=r["email"],
                topic=r["topic"],
                sdgs=tuple(goals[r["id"]]),
                title=r["title"],
                summary=r["summary"],
                support=r["support"],
                attachment_id=r["attachment_id"],
                attachment_name=r["attachment_name"],
                attachment_size=r["attachment_size"],
                status=r["status"],
                comment=r["comment"],
                pending_status=pending.get(r["id"], (None, None))[0],
                pending_comment=pending.get(r["id"], (None, None))[1],
                submitted_at=r["submitted_at"],
                updated_at=r["updated_at"],
                decided_at=r["decided_at"],
            )
            for r in rows
        ]

    async def get(self, proposal_id: int) -> Proposal | None:
        """One proposal, or None."""
        rows = await self.db.fetchall("SELECT * FROM proposals WHERE id = ?", (proposal_id,))
        found = await self._load(rows)
        return found[0] if found else None

    async def of_user(self, user_id: int) -> list[Proposal]:
        """The user's proposals, newest first."""
        rows = await self.db.fetchall(
            "SELECT * FROM proposals WHERE user_id = ? ORDER BY id DESC", (user_id,)
        )
        return await self._load(rows)

    async def count_open(self, user_id: int) -> int:
        """The user's proposals still open: submitted or under review."""
        value = await self.db.fetchval(
            "SELECT COUNT(*) FROM proposals WHERE user_id = ?"
            " AND status IN ('submitted', 'under_review')",
            (user_id,),
        )
        return int(value or 0)

    async def all(self) -> list[Proposal]:
        """Every proposal in reference order."""
        return await self._load(await self.db.fetchall("SELECT * FROM proposals ORDER BY id"))

    async def search(
        self,
        *,
        status: str | None = None,
        topic: str | None = None,
        sdg: int | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> tuple[list[Proposal], int]:
        """A page of proposals matching the filters (newest first) and the total count."""
        where: list[str] = []
        params: list[str | int] = []
        if status is not None:
            where.append("status = ?")
            params.append(status)
        if topic is not None:
            where.append("topic = ?")
            params.append(topic)
        if sdg is not None:
            where.append("id IN (SELECT proposal_id FROM proposal_sdgs WHERE sdg = ?)")
            params.append(sdg)
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        total = int(await self.db.fetchval("SELECT COUNT(*) FROM proposals" + clause, params))
        rows = await self.db.fetchall(
            "SELECT * FROM proposals" + clause + " ORDER BY id DESC LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return await self._load(rows), total

    async def set_pending(self, proposal_id: int, status: str | None, now: datetime) -> bool:
        """Keep a decision (or, with None, no decision) pending release.

        The decision lives where the review board keeps its own (``board_decisions``, see
        :mod:`storage.reviews`): one place, one release. A comment already written stays.
        """
        if status is not None and status not in DECISIONS:
            raise ValueError(f"unknown decision {status!r}")
        async with self.db.transaction() as conn:
            if not await _touch(conn, proposal_id, now):
                return False
            if status is None:
                await conn.execute(
                    "UPDATE board_decisions SET decision = NULL"
                    " WHERE proposal_id = ? AND released_at IS NULL",
                    (proposal_id,),
                )
                await conn.execute(
                    "DELETE FROM board_decisions WHERE proposal_id = ? AND released_at IS NULL"
                    " AND message IS NULL",
                    (proposal_id,),
                )
                return True
            await conn.execute(
                "INSERT INTO board_decisions(proposal_id, decision, decided_at) VALUES (?, ?, ?)"
                " ON CONFLICT(proposal_id) DO UPDATE SET decision = excluded.decision,"
                " decided_at = excluded.decided_at," + _FRESH_IF_RELEASED,
                (proposal_id, STATUS_DECISION[status], _iso(now)),
            )
            return True

    async def set_pending_comment(
        self, proposal_id: int, comment: str | None, now: datetime
    ) -> bool:
        """The comment that goes to the submitter with the next released decision."""
        async with self.db.transaction() as conn:
            if not await _touch(conn, proposal_id, now):
                return False
            await conn.execute(
                "INSERT INTO board_decisions(proposal_id, message, decided_at) VALUES (?, ?, ?)"
                " ON CONFLICT(proposal_id) DO UPDATE SET"
                " decision = CASE WHEN released_at IS NULL THEN decision END,"
                " message = excluded.message," + _FRESH_IF_RELEASED,
                (proposal_id, comment, _iso(now)),
            )
            return True

    async def count_pending(self) -> int:
        """Decisions waiting for release (the board's and /proposals' alike)."""
        return await ReviewsRepo(self.db).count_pending()

    async def withdraw(self, proposal_id: int, user_id: int, now: datetime) -> bool:
        """Withdraw the user's own proposal while it is only submitted."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE proposals SET status = 'withdrawn', updated_at = ?"
                " WHERE id = ? AND user_id = ? AND status = 'submitted'",
                (_iso(now), proposal_id, user_id),
            )
            if cursor.rowcount == 0:
                return False
            # A decision pending release goes with it.
            await conn.execute(
                "DELETE FROM board_decisions WHERE proposal_id = ? AND released_at IS NULL",
                (proposal_id,),
            )
            return True

    # -- an organizer's awaited comment ----------------------------------------------------
    async def set_review_target(self, user_id: int, proposal_id: int, now: datetime) -> None:
        """Remember which proposal the organizer's next message comments on."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO proposal_review_inputs(user_id, proposal_id, created_at)"
                " VALUES (?, ?, ?) ON CONFLICT(user_id) DO UPDATE SET"
                " proposal_id = excluded.proposal_id, created_at = excluded.created_at",
                (user_id, proposal_id, _iso(now)),
            )

    async def review_target(self, user_id: int) -> int | None:
        """The proposal the organizer's next message comments on, if they are writing one."""
        value = await self.db.fetchval(
            "SELECT proposal_id FROM proposal_review_inputs WHERE user_id = ?", (user_id,)
        )
        return None if value is None else int(value)

    async def pop_review_target(self, user_id: int) -> int | None:
        """The proposal the organizer was commenting on, forgetting it."""
        async with self.db.transaction() as conn:
            row = await self.db.fetchone(
                "SELECT proposal_id FROM proposal_review_inputs WHERE user_id = ?", (user_id,)
            )
            await conn.execute("DELETE FROM proposal_review_inputs WHERE user_id = ?", (user_id,))
        return None if row is None else int(row[0])
