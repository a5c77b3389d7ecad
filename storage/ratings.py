"""Session ratings: 1-5 stars and an optional comment, one per person and session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database


@dataclass(frozen=True, slots=True)
class Rating:
    """A rating as results show it (no user id)."""

    session_id: str
    stars: int
    comment: str | None
    stakeholder: str | None
    rated_at: str


@dataclass(frozen=True, slots=True)
class RatingSummary:
    """A session's number of ratings, average stars and comments count."""

    session_id: str
    count: int
    average: float
    comments: int


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


class RatingsRepo:
    """Reads and writes ``session_ratings``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def rate(
        self, user_id: int, session_id: str, stars: int, *, stakeholder: str | None, now: datetime
    ) -> None:
        """Store or change the person's stars (a comment already given stays)."""
        if not 1 <= stars <= 5:
            raise ValueError("stars must be 1-5")
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO session_ratings (user_id, session_id, stars, stakeholder, rated_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT(user_id, session_id) DO UPDATE SET"
                " stars = excluded.stars, rated_at = excluded.rated_at",
                (user_id, session_id, stars, stakeholder, _iso(now)),
            )

    async def set_comment(self, user_id: int, session_id: str, comment: str | None) -> bool:
        """Attach a comment to an existing rating; False if there is no rating."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE session_ratings SET comment = ? WHERE user_id = ? AND session_id = ?",
                (comment, user_id, session_id),
            )
            return cursor.rowcount > 0

    async def get(self, user_id: int, session_id: str) -> Rating | None:
        """The person's rating of the session."""
        row = await self.db.fetchone(
            "SELECT * FROM session_ratings WHERE user_id = ? AND session_id = ?",
            (user_id, session_id),
        )
        if row is None:
            return None
        return Rating(
            row["session_id"], row["stars"], row["comment"], row["stakeholder"], row["rated_at"]
        )

    async def summaries(self) -> list[RatingSummary]:
        """Every rated session with its count and average."""
        rows = await self.db.fetchall(
            "SELECT session_id, COUNT(*) AS n, AVG(stars) AS avg, COUNT(comment) AS comments"
            " FROM session_ratings GROUP BY session_id"
        )
        return [
            RatingSummary(r["session_id"], r["n"], float(r["avg"]), r["comments"]) for r in rows
        ]

    async def all(self) -> list[Rating]:
        """Every rating, without who gave it, by session and time."""
        rows = await self.db.fetchall(
            "SELECT session_id, stars, comment, stakeholder, rated_at FROM session_ratings"
            " ORDER BY session_id, rated_at"
        )
        return [
            Rating(r["session_id"], r["stars"], r["comment"], r["stakeholder"], r["rated_at"])
            for r in rows
        ]
