"""Team roles: who may do what. The one API every privileged action asks.

    roles.has(user_id, Role.ORGANIZER)
    roles.has(user_id, Role.MODERATOR, session="s3")      # a moderator of s3 (or of all)
    roles.has(user_id, Role.REVIEWER, topic="ecology")    # a reviewer of that topic (or all)
    roles.holders(Role.REVIEWER, topic="ecology")         # who to tell about a new proposal
    roles.members()                                       # owners first, then everyone stored

Owners are ``ADMIN_IDS`` (settings): they cannot be removed in chat. The other roles live in
the database (``storage/team.py``); a higher role includes the lower ones (an owner is an
organizer; an organizer may moderate every session and review every topic). The roles are kept
in memory for the synchronous checks; every write goes through this class and updates the
memory only after its transaction committed, so the database stays the one source of truth.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.clock import Clock
from storage.db import Database
from storage.team import Invite, Member, TeamRepo

INVITE_VALID = timedelta(hours=48)
INVITE_PREFIX = "join"


class Role(StrEnum):
    """Team roles, highest first."""

    OWNER = "owner"
    ORGANIZER = "organizer"
    MODERATOR = "moderator"
    REVIEWER = "reviewer"


# Roles that can be given in chat (owners come from ADMIN_IDS).
GRANTABLE: tuple[Role, ...] = (Role.ORGANIZER, Role.MODERATOR, Role.REVIEWER)


class RoleError(Exception):
    """A role change that is not allowed (``reason`` names it for the caller to translate)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Grant:
    """Someone's role as the team list shows it."""

    user_id: int
    role: Role
    scope: tuple[str, ...] | None = None


class Acceptance(StrEnum):
    """What became of ``/start join_<token>``."""

    ACCEPTED = "accepted"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    OWNER = "owner"  # an owner keeps being an owner


Also = Callable[[], Awaitable[object]]
ChangeHook = Callable[[int], Awaitable[None]]


class Roles:
    """Owners from the settings, the others from the database, checked in memory."""

    def __init__(self, db: Database, owners: Iterable[int], clock: Clock) -> None:
        self.db = db
        self.repo = TeamRepo(db)
        self.owners = frozenset(owners)
        self.clock = clock
        self._members: dict[int, Member] = {}
        # Run after a role changed (user_id): e.g. the person's command menu follows.
        self.on_change: list[ChangeHook] = []

    async def load(self) -> None:
        """Read the stored roles (once the database is open)."""
        self._members = {m.user_id: m for m in await self.repo.members()}

    # ------------------------------------------------------------------ checks
    def role_of(self, user_id: int | None) -> Role | None:
        """The person's highest role, or None."""
        if user_id is None:
            return None
        if user_id in self.owners:
            return Role.OWNER
        member = self._members.get(user_id)
        return None if member is None else Role(member.role)

    def scope_of(self, user_id: int) -> tuple[str, ...] | None:
        """A moderator's sessions or a reviewer's topics (None: all)."""
        member = self._members.get(user_id)
        return None if member is None else member.scope

    def has(
        self,
        user_id: int | None,
        role: Role,
        *,
        session: str | None = None,
        topic: str | None = None,
    ) -> bool:
        """Whether the person may act as ``role`` (for this session or topic, if given)."""
        mine = self.role_of(user_id)
        if mine is None:
            return False
        if mine is Role.OWNER:
            return True
        if role is Role.OWNER:
            return False
        if mine is Role.ORGANIZER:
            return True
        if mine is not role:
            return False
        assert user_id is not None
        scope = self.scope_of(user_id)
        wanted = session if role is Role.MODERATOR else topic
        return scope is None or wanted is None or wanted in scope

    def is_team(self, user_id: int | None) -> bool:
        """Whether the person has any role."""
        return self.role_of(user_id) is not None

    def holders(
        self, role: Role, *, session: str | None = None, topic: str | None = None
    ) -> list[int]:
        """Everyone for whom :meth:`has` is true, in id order (owners and organizers too)."""
        everyone = self.owners | set(self._members)
        return sorted(u for u in everyone if self.has(u, role, session=session, topic=topic))

    def members(self, role: Role | None = None) -> list[Grant]:
        """Owners, then stored roles (highest first); only those of exactly ``role`` if given."""
        grants = [Grant(u, Role.OWNER) for u in sorted(self.owners)]
        order = {r: i for i, r in enumerate(Role)}
        stored = sorted(
            (m for m in self._members.values() if m.user_id not in self.owners),
            key=lambda m: (order[Role(m.role)], m.granted_at, m.user_id),
        )
        grants += [Grant(m.user_id, Role(m.role), m.scope) for m in stored]
        return [g for g in grants if role is None or g.role is role]

    # ------------------------------------------------------------------ changes
    async def grant(
        self,
        user_id: int,
        role: Role,
        scope: Iterable[str] | None = None,
        *,
        by: int | None = None,
        also: Also | None = None,
    ) -> None:
        """Give ``role`` (replacing any other); ``also`` runs in the same transaction."""
        if role not in GRANTABLE:
            raise RoleError("not_grantable")
        if user_id in self.owners:
            raise RoleError("owner")
        scoped = tuple(scope) if scope is not None and role is not Role.ORGANIZER else None
        async with self.db.transaction():
            await self.repo.set_role(user_id, role.value, scoped, by, self.clock.now())
            if also is not None:
                await also()
        await self._reload(user_id)

    async def remove(self, user_id: int, *, also: Also | None = None) -> bool:
        """Take the role away (False if there was none); owners cannot be removed."""
        if user_id in self.owners:
            raise RoleError("owner")
        async with self.db.transaction():
            removed = await self.repo.remove(user_id)
            if removed and also is not None:
                await also()
        if removed:
            await self._reload(user_id)
        return removed

    async def forget(self, user_id: int) -> None:
        """The person erased their data (/deleteme), their role row with it: memory follows the
        committed database and the change hooks run (menu, waiting reviews)."""
        await self._reload(user_id)

    async def invite(self, role: Role, scope: Iterable[str] | None = None, *, by: int) -> Invite:
        """A new one-time invitation, valid for 48 hours."""
        if role not in GRANTABLE:
            raise RoleError("not_grantable")
        token = secrets.token_urlsafe(12)  # 16 characters: fits a deep link (64) easily
        now = self.clock.now()
        scoped = tuple(scope) if scope is not None and role is not Role.ORGANIZER else None
        await self.repo.add_invite(token, role.value, scoped, by, now, now + INVITE_VALID)
        invite = await self.repo.invite(token)
        assert invite is not None
        return invite

    async def accept(
        self, token: str, user_id: int, *, also: Callable[[Invite], Awaitable[object]] | None = None
    ) -> tuple[Acceptance, Invite | None]:
        """Use an invitation: the person gets its role, once, within 48 hours."""
        invite = await self.repo.invite(token)
        if invite is None:
            return Acceptance.UNKNOWN, None
        if invite.used_by is not None:
            return Acceptance.USED, invite
        if datetime.fromisoformat(invite.expires_at) <= self.clock.now():
            return Acceptance.EXPIRED, invite
        if user_id in self.owners:
            return Acceptance.OWNER, invite
        async with self.db.transaction():
            if not await self.repo.use_invite(token, user_id, self.clock.now()):
                return Acceptance.USED, invite
            await self.repo.set_role(
                user_id, invite.role, invite.scope, invite.created_by, self.clock.now()
            )
            if also is not None:
                await also(invite)
        await self._reload(user_id)
        return Acceptance.ACCEPTED, invite

    async def _reload(self, user_id: int) -> None:
        """Memory follows the committed database; then the change hooks run."""
        await self.load()
        for hook in self.on_change:
            await hook(user_id)
