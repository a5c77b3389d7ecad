"""Stars: the sessions each person put into "my agenda".

Opening a session's card asks whether the person starred it, and /my lists their stars, so a
person's stars, once read, are kept in memory (storage/kept.py): every write of the ``stars``
table forgets the person's kept stars first (:func:`forget`, or this repository's own writes,
which keep what they wrote), so what is kept is always what is committed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from storage.db import Database
from storage.kept import KeptPerDatabase

# A person's stars: (starred_at, session_id) in the order /my lists them.
Stars = tuple[tuple[str, str], ...]
# People whose stars are kept at most: the people active at a forum.
PEOPLE_KEPT = 10_000
_KEPT: KeptPerDatabase[Stars] = KeptPerDatabase(PEOPLE_KEPT)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def forget(db: Database, user_ids: Iterable[int]) -> None:
    """Drop the kept stars of ``user_ids`` until the transaction writing them ends: EVERY
    statement that writes ``stars`` outside this repository calls this (deleting a person
    deletes their stars: storage/users.py)."""
    _KEPT.of(db).forget(db, user_ids)


class StarsRepo:
    """Reads and writes the ``stars`` table."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def star(self, user_id: int, session_id: str, now: datetime) -> bool:
        """Star a session; False if it was already starred."""
        kept = _KEPT.of(self.db)
        before = kept.get(user_id)
        added = await self.db.write(
            "INSERT OR IGNORE INTO stars (user_id, session_id, starred_at) VALUES (?, ?, ?)",
            (user_id, session_id, _iso(now)),
            ended=kept.forget_until((user_id,)),
        )
        if before is not None:
            after = sorted((*before, (_iso(now), session_id))) if added else before
            kept.keep(user_id, tuple(after))
        return added > 0

    async def unstar(self, user_id: int, session_id: str) -> bool:
        """Remove a star; False if there was none."""
        kept = _KEPT.of(self.db)
        before = kept.get(user_id)
        removed = await self.db.write(
            "DELETE FROM stars WHERE user_id = ? AND session_id = ?",
            (user_id, session_id),
            ended=kept.forget_until((user_id,)),
        )
        if before is not None:
            kept.keep(user_id, tuple(star for star in before if star[1] != session_id))
        return removed > 0

    async def is_starred(self, user_id: int, session_id: str) -> bool:
        """Whether the person starred the session."""
        return any(star[1] == session_id for star in await self._of(user_id))

    async def sessions_of(self, user_id: int) -> list[str]:
        """Ids of the sessions the person starred (in the order they starred them)."""
        return [star[1] for star in await self._of(user_id)]

    async def _of(self, user_id: int) -> Stars:
        """The person's stars: kept, else read (and kept if no write of them ran meanwhile)."""
        return await _KEPT.of(self.db).read(user_id, lambda: self._read(user_id)) or ()

    async def _read(self, user_id: int) -> Stars:
        rows = await self.db.fetchall(
            "SELECT starred_at, session_id FROM stars WHERE user_id = ?"
            " ORDER BY starred_at, session_id",
            (user_id,),
        )
        return tuple((row[0], row[1]) for row in rows)
