"""Team roles: owners from ADMIN_IDS, stored roles, scopes, invitations, one source of truth."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.services.roles import Acceptance, Role, RoleError, Roles
from storage.db import Database

NOW = datetime(2018, 11, 14, 4, 0, tzinfo=UTC)
OWNER, ORG, MOD, REV, NOBODY = 1, 2, 3, 4, 5


@pytest.fixture
async def roles(tmp_path: Path):
    db = Database(tmp_path / "t.db")
    await db.open()
    service = Roles(db, {OWNER}, Clock(NOW, frozen=True))
    await service.load()
    yield service
    await db.close()


async def test_roles_and_what_they_include(roles: Roles) -> None:
    await roles.grant(ORG, Role.ORGANIZER, by=OWNER)
    await roles.grant(MOD, Role.MODERATOR, ["s1", "s2"], by=OWNER)
    await roles.grant(REV, Role.REVIEWER, by=ORG)
    assert roles.has(OWNER, Role.OWNER) and not roles.has(ORG, Role.OWNER)
    assert roles.has(OWNER, Role.ORGANIZER) and roles.has(ORG, Role.ORGANIZER)
    assert not roles.has(MOD, Role.ORGANIZER) and not roles.has(NOBODY, Role.REVIEWER)
    assert roles.has(MOD, Role.MODERATOR, session="s1")
    assert not roles.has(MOD, Role.MODERATOR, session="s9")
    assert roles.has(MOD, Role.MODERATOR)  # some session
    assert not roles.has(MOD, Role.REVIEWER)
    assert roles.has(REV, Role.REVIEWER, topic="anything")
    assert roles.has(ORG, Role.MODERATOR, session="s9")  # organizers moderate every session
    assert roles.holders(Role.MODERATOR, session="s9") == [OWNER, ORG]
    assert roles.holders(Role.MODERATOR, session="s2") == [OWNER, ORG, MOD]
    assert [(g.user_id, g.role) for g in roles.members()] == [
        (OWNER, Role.OWNER), (ORG, Role.ORGANIZER), (MOD, Role.MODERATOR), (REV, Role.REVIEWER)
    ]  # fmt: skip
    assert [g.user_id for g in roles.members(Role.REVIEWER)] == [REV]


async def test_change_and_remove_are_stored_and_seen_at_once(roles: Roles) -> None:
    changed: list[int] = []

    async def hook(user_id: int) -> None:
        changed.append(user_id)

    roles.on_change.append(hook)
    await roles.grant(MOD, Role.MODERATOR, by=OWNER)
    await roles.grant(MOD, Role.REVIEWER, ["ecology"], by=OWNER)
    assert roles.role_of(MOD) is Role.REVIEWER and roles.scope_of(MOD) == ("ecology",)
    assert await roles.remove(MOD)
    assert roles.role_of(MOD) is None and not await roles.remove(MOD)
    assert changed == [MOD, MOD, MOD]
    # A fresh service on the same database agrees (the database is the source of truth).
    again = Roles(roles.db, {OWNER}, roles.clock)
    await again.load()
    assert again.role_of(MOD) is None


async def test_owners_cannot_be_changed_or_removed(roles: Roles) -> None:
    with pytest.raises(RoleError):
        await roles.remove(OWNER)
    with pytest.raises(RoleError):
        await roles.grant(OWNER, Role.REVIEWER)
    with pytest.raises(RoleError):
        await roles.grant(NOBODY, Role.OWNER)


async def test_a_failed_transaction_leaves_memory_as_the_database(roles: Roles) -> None:
    async def boom() -> None:
        raise RuntimeError("outbox refused")

    with pytest.raises(RuntimeError):
        await roles.grant(NOBODY, Role.ORGANIZER, also=boom)
    assert roles.role_of(NOBODY) is None
    assert await roles.repo.members() == []


async def test_invite_once_within_48_hours(roles: Roles) -> None:
    invite = await roles.invite(Role.MODERATOR, ["s1"], by=OWNER)
    assert len(f"join_{invite.token}") <= 64
    outcome, _ = await roles.accept(invite.token, NOBODY)
    assert outcome is Acceptance.ACCEPTED
    assert roles.has(NOBODY, Role.MODERATOR, session="s1")
    assert (await roles.accept(invite.token, MOD))[0] is Acceptance.USED
    assert roles.role_of(MOD) is None
    assert (await roles.accept("nonsense", MOD))[0] is Acceptance.UNKNOWN

    late = await roles.invite(Role.REVIEWER, by=OWNER)
    roles.clock.set(NOW + timedelta(hours=48, seconds=1), frozen=True)
    assert (await roles.accept(late.token, MOD))[0] is Acceptance.EXPIRED
    assert roles.role_of(MOD) is None
