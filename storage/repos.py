"""All repositories over one database, as handlers and services reach them."""

from __future__ import annotations

from storage.db import Database
from storage.users import UsersRepo


class Repos:
    """One attribute per repository; each feature adds its own."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.users = UsersRepo(db)
