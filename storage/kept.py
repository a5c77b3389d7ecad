"""What a repository keeps in memory per person between updates, and the rule that keeps it true.

Every update reads a few things about its person (their users row, their stars). A read of
SQLite is cheap, but each one is a trip to a connection's thread, and under load each trip
costs the event loop a wake-up and a switch of the GIL, more than the query itself. So a
repository keeps what it read, per person, on one rule: a kept value is the committed truth.

- Every write of a person's value forgets it first and holds the person *busy* until the write's
  outcome is final (its transaction ended, or its one statement ran): :meth:`Kept.forget_until`.
- Nothing is kept for a busy person, and nothing read while some write began or ended
  (:meth:`Kept.read`): a read that raced a write may have seen either side of it.
- A writer may keep what it wrote when it knows the whole new value (:meth:`Kept.keep`): it
  read the kept value before forgetting it, and no other write of that person was pending then.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Iterable
from typing import Generic, TypeVar
from weakref import WeakKeyDictionary

from storage.db import Database

V = TypeVar("V")


class Kept(Generic[V]):
    """Values kept per person (at most ``limit``; the oldest kept goes first)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.values: dict[Hashable, V] = {}
        # Writes in progress per busy person.
        self.busy: dict[Hashable, int] = {}
        # Bumped when a write starts and when it ends: a read that saw it move keeps nothing.
        self.writes = 0

    def get(self, key: Hashable) -> V | None:
        """The kept value, or None."""
        return self.values.get(key)

    async def read(self, key: Hashable, read: Callable[[], Awaitable[V | None]]) -> V | None:
        """The kept value, else what ``read()`` finds (None: nothing), kept if no write began or
        ended while it ran: a read that raced a write may have seen either side of it."""
        kept = self.values.get(key)
        if kept is not None:
            return kept
        writes = self.writes
        value = await read()
        if value is not None and self.writes == writes:
            self.keep(key, value)
        return value

    def keep(self, key: Hashable, value: V) -> None:
        """Keep a value known to be committed (refused while a write of it is in progress)."""
        if key in self.busy:
            return
        if len(self.values) >= self.limit and key not in self.values:
            del self.values[next(iter(self.values))]  # the oldest kept
        self.values[key] = value

    def forget_until(self, keys: Iterable[Hashable]) -> Callable[[], None]:
        """Forget ``keys`` and hold them busy until the returned call (the write's end)."""
        written = tuple(keys)
        self.writes += 1
        for key in written:
            self.values.pop(key, None)
            self.busy[key] = self.busy.get(key, 0) + 1
        return lambda: self._ended(written)

    def forget(self, db: Database, keys: Iterable[Hashable]) -> None:
        """:meth:`forget_until` the end of the transaction this task has open (or now)."""
        db.when_ended(self.forget_until(keys))

    def _ended(self, keys: tuple[Hashable, ...]) -> None:
        self.writes += 1
        for key in keys:
            left = self.busy.get(key, 0) - 1
            if left > 0:
                self.busy[key] = left
            else:
                self.busy.pop(key, None)


class KeptPerDatabase(Generic[V]):
    """One :class:`Kept` store per open database (tests open many)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._stores: WeakKeyDictionary[Database, Kept[V]] = WeakKeyDictionary()

    def of(self, db: Database) -> Kept[V]:
        """This database's store."""
        store = self._stores.get(db)
        if store is None:
            store = self._stores[db] = Kept(self.limit)
        return store
