"""Recommendations, the endorsement phase, each person's shuffled order and their votes."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from storage.db import Database

VOTES = ("support", "object", "abstain")


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


# The board's flows that await a text from person ?1 (the dialog router's query includes it).
BOARD_AWAITS_TEXT = (
    "SELECT 1 FROM endorsement_inputs WHERE user_id = ?1"
    " UNION ALL SELECT 1 FROM board_inputs WHERE user_id = ?1"
    " UNION ALL SELECT 1 FROM reviews WHERE reviewer_id = ?1 AND awaiting IS NOT NULL"
    " UNION ALL SELECT 1 FROM proposal_revisions r JOIN proposals p"
    " ON p.id = r.proposal_id WHERE p.user_id = ?1 AND r.awaiting IS NOT NULL"
)


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One of the forum's recommendations."""

    id: int
    content_id: str | None
    topic: str
    text: dict[str, str]
    proposal_ids: tuple[int, ...]
    questions: tuple[str, ...]

    def text_in(self, language: str) -> str:
        """The text in ``language``, else in any language it was written in."""
        return self.text.get(language) or next(iter(self.text.values()), "")


@dataclass(frozen=True, slots=True)
class ContentItem:
    """A recommendation as the content file writes it (proposals as ids)."""

    content_id: str
    topic: str
    text: dict[str, str]
    proposal_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Vote:
    """A person's voice on a recommendation, with their stakeholder group."""

    recommendation_id: int
    user_id: int
    vote: str
    comment: str | None
    stakeholder: str | None


class EndorsementsRepo:
    """Reads and writes recommendations, ``board_phases`` and the endorsement tables."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- recommendations --------------------------------------------------------------------
    async def add(
        self,
        topic: str,
        text: dict[str, str],
        proposal_ids: Iterable[int],
        now: datetime,
        *,
        content_id: str | None = None,
        questions: Iterable[str] = (),
    ) -> int:
        """A new recommendation (from the content file: replaces the one with its id)."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO recommendations(content_id, topic, text, questions, created_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT(content_id) DO UPDATE SET"
                " topic = excluded.topic, text = excluded.text RETURNING id",
                (
                    content_id,
                    topic,
                    json.dumps(text, ensure_ascii=False),
                    json.dumps(list(questions), ensure_ascii=False),
                    _iso(now),
                ),
            )
            row = await cursor.fetchone()
            assert row is not None
            rec_id = int(row[0])
            await conn.executemany(
                "INSERT OR IGNORE INTO recommendation_proposals(recommendation_id, proposal_id)"
                " VALUES (?, ?)",
                [(rec_id, p) for p in proposal_ids],
            )
        return rec_id

    async def all(self) -> list[Recommendation]:
        """Every recommendation in the order written (not those the content file dropped)."""
        links: dict[int, list[int]] = {}
        for r in await self.db.fetchall(
            "SELECT recommendation_id, proposal_id FROM recommendation_proposals"
            " ORDER BY proposal_id"
        ):
            links.setdefault(r[0], []).append(r[1])
        rows = await self.db.fetchall(
            "SELECT * FROM recommendations WHERE removed_at IS NULL ORDER BY id"
        )
        return [
            Recommendation(
                r["id"],
                r["content_id"],
                r["topic"],
                json.loads(r["text"]),
                tuple(links.get(r["id"], ())),
                tuple(json.loads(r["questions"])),
            )
            for r in rows
        ]

    async def sync_content(self, items: Iterable[ContentItem], now: datetime) -> tuple[int, int]:
        """Make the content file's recommendations those of ``items``, in one transaction.

        New ids are added; a changed text, topic or list of proposals is updated in place (its
        votes stay); ids no longer listed are hidden (``removed_at``), votes kept, and shown
        again if listed again. Recommendations written in chat are left alone. Returns
        (listed, hidden now).
        """
        items = list(items)
        async with self.db.transaction() as conn:
            for item in items:
                cursor = await conn.execute(
                    "INSERT INTO recommendations(content_id, topic, text, created_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT(content_id) DO UPDATE SET"
                    " topic = excluded.topic, text = excluded.text, removed_at = NULL"
                    " RETURNING id",
                    (item.content_id, item.topic, json.dumps(item.text, ensure_ascii=False),
                     _iso(now)),
                )  # fmt: skip
                row = await cursor.fetchone()
                assert row is not None
                await conn.execute(
                    "DELETE FROM recommendation_proposals WHERE recommendation_id = ?", (row[0],)
                )
                await conn.executemany(
                    "INSERT INTO recommendation_proposals(recommendation_id, proposal_id)"
                    " VALUES (?, ?)",
                    [(row[0], p) for p in dict.fromkeys(item.proposal_ids)],
                )
            listed = [item.content_id for item in items]
            cursor = await conn.execute(
                "UPDATE recommendations SET removed_at = ? WHERE content_id IS NOT NULL"
                " AND removed_at IS NULL AND content_id NOT IN"
                f" ({', '.join('?' for _ in listed) or 'NULL'})",
                [_iso(now), *listed],
            )
            return len(items), cursor.rowcount

    async def get(self, recommendation_id: int) -> Recommendation | None:
        """One recommendation, or None."""
        return next((r for r in await self.all() if r.id == recommendation_id), None)

    async def set_questions(self, recommendation_id: int, questions: Iterable[str]) -> bool:
        """The live Q&A questions the organizers chose to go with a recommendation."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE recommendations SET questions = ? WHERE id = ?",
                (json.dumps(list(questions), ensure_ascii=False), recommendation_id),
            )
            return cursor.rowcount > 0

    async def delete(self, recommendation_id: int) -> bool:
        """Remove a recommendation (and its votes)."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM recommendations WHERE id = ?", (recommendation_id,)
            )
            return cursor.rowcount > 0

    # -- phases -----------------------------------------------------------------------------
    async def phase(self, name: str) -> tuple[str | None, str | None]:
        """(opened_at, closed_at) of a phase."""
        row = await self.db.fetchone(
            "SELECT opened_at, closed_at FROM board_phases WHERE name = ?", (name,)
        )
        return (None, None) if row is None else (row[0], row[1])

    async def set_phase(self, name: str, *, open_: bool, now: datetime) -> None:
        """Open (again) or close a phase."""
        async with self.db.transaction() as conn:
            if open_:
                await conn.execute(
                    "INSERT INTO board_phases(name, opened_at, closed_at) VALUES (?, ?, NULL)"
                    " ON CONFLICT(name) DO UPDATE SET opened_at = excluded.opened_at,"
                    " closed_at = NULL",
                    (name, _iso(now)),
                )
            else:
                await conn.execute(
                    "UPDATE board_phases SET closed_at = ? WHERE name = ?", (_iso(now), name)
                )

    # -- a person's order and votes ---------------------------------------------------------
    async def order(self, user_id: int) -> list[int] | None:
        """The person's stored order of recommendation ids, or None."""
        value = await self.db.fetchval(
            "SELECT ids FROM endorsement_orders WHERE user_id = ?", (user_id,)
        )
        return None if value is None else [int(i) for i in json.loads(value)]

    async def save_order(self, user_id: int, ids: list[int]) -> None:
        """Store the person's order (kept for every later visit)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT OR REPLACE INTO endorsement_orders(user_id, ids) VALUES (?, ?)",
                (user_id, json.dumps(ids)),
            )

    async def orders(self) -> dict[int, list[int]]:
        """Every stored order (tests and exports)."""
        rows = await self.db.fetchall("SELECT user_id, ids FROM endorsement_orders")
        return {r[0]: json.loads(r[1]) for r in rows}

    async def vote(self, recommendation_id: int, user_id: int, vote: str, now: datetime) -> None:
        """Record or change the person's voice (one per recommendation)."""
        if vote not in VOTES:
            raise ValueError(f"unknown vote {vote!r}")
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO endorsements(recommendation_id, user_id, vote, voted_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET vote = excluded.vote,"
                " voted_at = excluded.voted_at",
                (recommendation_id, user_id, vote, _iso(now)),
            )

    async def comment(self, recommendation_id: int, user_id: int, text: str | None) -> bool:
        """The person's comment on a recommendation they voted on."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE endorsements SET comment = ? WHERE recommendation_id = ? AND user_id = ?",
                (text, recommendation_id, user_id),
            )
            return cursor.rowcount > 0

    async def votes_of(self, user_id: int) -> dict[int, str]:
        """Recommendation id -> the person's vote."""
        rows = await self.db.fetchall(
            "SELECT recommendation_id, vote FROM endorsements WHERE user_id = ?", (user_id,)
        )
        return {r[0]: r[1] for r in rows}

    async def votes(self) -> list[Vote]:
        """Every vote with the voter's stakeholder group (never their id outside this layer's
        callers, which count)."""
        rows = await self.db.fetchall(
            "SELECT e.recommendation_id, e.user_id, e.vote, e.comment, u.stakeholder"
            " FROM endorsements e JOIN users u ON u.id = e.user_id"
            " ORDER BY e.recommendation_id, e.user_id"
        )
        return [Vote(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    # -- an awaited comment -----------------------------------------------------------------
    async def set_input(self, user_id: int, recommendation_id: int | None) -> None:
        """The person's next message comments ``recommendation_id`` (None: nothing awaited)."""
        async with self.db.transaction() as conn:
            if recommendation_id is None:
                await conn.execute("DELETE FROM endorsement_inputs WHERE user_id = ?", (user_id,))
            else:
                await conn.execute(
                    "INSERT OR REPLACE INTO endorsement_inputs(user_id, recommendation_id)"
                    " VALUES (?, ?)",
                    (user_id, recommendation_id),
                )

    async def get_input(self, user_id: int) -> int | None:
        """The recommendation the person is commenting on, or None."""
        value = await self.db.fetchval(
            "SELECT recommendation_id FROM endorsement_inputs WHERE user_id = ?", (user_id,)
        )
        return None if value is None else int(value)

    async def awaits_text(self, user_id: int) -> bool:
        """Whether one of the board's flows awaits a text from the person (one query: the
        dialog router asks this for every free text message)."""
        row = await self.db.fetchone(BOARD_AWAITS_TEXT + " LIMIT 1", (user_id,))
        return row is not None
