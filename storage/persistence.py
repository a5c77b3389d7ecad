"""SQLite-backed persistence for PTB's named ConversationHandlers.

Only conversation states are kept here (user and chat data are not used: features keep their
data in their own tables). ``ForumApplication`` flushes after every update, so a dialog step is
on disk before the next update is read. A flush costs a write only when a state changed: PTB
reports every state a handler returned (mostly the same one again), and the last written state
of each conversation is remembered here.
"""

from __future__ import annotations

import json
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from storage.db import Database

# PTB's own names for these live in a private module (telegram.ext._utils.types); the same
# types, spelled out here.
ConversationKey = tuple[int | str, ...]
ConversationDict = dict[ConversationKey, object]


class SQLitePersistence(BasePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """Conversation states in the ``conversations`` table."""

    def __init__(self, db: Database, update_interval: float = 60) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=False, callback_data=False
            ),
            update_interval=update_interval,
        )
        self.db = db
        self._written: dict[tuple[str, str], str] = {}  # (name, key) -> state JSON on disk

    async def get_conversations(self, name: str) -> ConversationDict:
        """All stored states of conversation ``name``."""
        await self.db.open()
        rows = await self.db.fetchall(
            "SELECT key, state FROM conversations WHERE name = ?", (name,)
        )
        for r in rows:
            self._written[(name, r["key"])] = r["state"]
        return {tuple(json.loads(r["key"])): json.loads(r["state"]) for r in rows}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        """Store (or, for None, delete) one conversation's state."""
        key_json = json.dumps(list(key))
        state_json = None if new_state is None else json.dumps(new_state)
        if self._written.get((name, key_json)) == state_json:
            return  # unchanged (None == None: nothing stored, nothing to delete)
        async with self.db.transaction() as conn:
            if state_json is None:
                await conn.execute(
                    "DELETE FROM conversations WHERE name = ? AND key = ?", (name, key_json)
                )
            else:
                await conn.execute(
                    "INSERT INTO conversations(name, key, state) VALUES (?, ?, ?)"
                    " ON CONFLICT(name, key) DO UPDATE SET state = excluded.state",
                    (name, key_json, state_json),
                )
        if state_json is None:
            self._written.pop((name, key_json), None)
        else:
            self._written[(name, key_json)] = state_json

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        """Not stored."""
        return {}

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        """Not stored."""
        return {}

    async def get_bot_data(self) -> dict[Any, Any]:
        """Not stored."""
        return {}

    async def get_callback_data(self) -> None:
        """Not stored."""
        return None

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        """Not stored."""

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        """Not stored."""

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        """Not stored."""

    async def update_callback_data(self, data: Any) -> None:
        """Not stored."""

    async def drop_chat_data(self, chat_id: int) -> None:
        """Not stored."""

    async def drop_user_data(self, user_id: int) -> None:
        """Not stored."""

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        """Not stored."""

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        """Not stored."""

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        """Not stored."""

    async def flush(self) -> None:
        """Everything is written as it happens."""
