"""All repositories over one database, as handlers and services reach them."""

from __future__ import annotations

from storage.broadcasts import BroadcastsRepo
from storage.content_changes import ContentChangesRepo
from storage.content_versions import ContentVersionsRepo
from storage.db import Database
from storage.ops import OpsRepo
from storage.outbox import OutboxRepo
from storage.proposals import ProposalsRepo
from storage.ratings import RatingsRepo
from storage.stars import StarsRepo
from storage.surveys import SurveysRepo
from storage.team import TeamRepo
from storage.users import UsersRepo


class Repos:
    """One attribute per repository; each feature adds its own."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.users = UsersRepo(db)
        self.outbox = OutboxRepo(db)
        self.broadcasts = BroadcastsRepo(db)
        self.proposals = ProposalsRepo(db)
        self.surveys = SurveysRepo(db)
        self.ratings = RatingsRepo(db)
        self.stars = StarsRepo(db)
        self.content_changes = ContentChangesRepo(db)
        self.content_versions = ContentVersionsRepo(db)
        self.team = TeamRepo(db)
        self.ops = OpsRepo(db)
