"""A content reload cut short by a crash, and content edited while the bot was down: at the
next start the bot finishes the job, so people who starred a changed session still hear once."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.clock import Clock
from bot.sandbox import SandboxServer
from bot.sandbox.harness import SandboxUser, new_user, sandbox_settings, start_bot, stop_bot
from bot.services import content_reload

ALMATY = ZoneInfo("Asia/Almaty")
MORNING = datetime(2018, 11, 14, 9, 30, tzinfo=ALMATY)


@pytest.fixture
def settings(sandbox: SandboxServer, tmp_path: Path, content_file: Path) -> Any:
    return sandbox_settings(
        sandbox, tmp_path / "bot.db", forum_content=content_file,
        delivery_tick_seconds=0.2, alert_merge_minutes=3,
    )  # fmt: skip


def moved(content_file: Path) -> bytes:
    document = yaml.safe_load(content_file.read_text(encoding="utf-8"))
    for session in document["sessions"]:
        if session["id"] == "sdg":
            session["starts"] = "2018-11-14 12:30"
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode("utf-8")


async def starrer(app: Any, sandbox: SandboxServer) -> SandboxUser:
    services = app.bot_data["services"]
    user = new_user(sandbox.world, "en")
    await services.repos.users.upsert_seen(
        user.id, first_name="T", last_name=None, username=None, language_code="en",
        now=services.clock.now(),
    )  # fmt: skip
    await services.repos.stars.star(user.id, "sdg", services.clock.now())
    return user


async def alerts_after_restart(sandbox: SandboxServer, settings: Any, user: SandboxUser) -> Any:
    clock = Clock(MORNING + timedelta(minutes=1), frozen=True)
    app = await start_bot(sandbox, settings, clock)
    try:
        clock.advance(timedelta(minutes=4))
        alert = await user.expect("Changed in your agenda")
        assert "12:30" in alert.text
        services = app.bot_data["services"]
        pending = [v for v in await services.repos.content_versions.latest(5) if not v.hooks_done]
        assert pending == []
        return app
    except BaseException:
        await stop_bot(sandbox, app)
        raise


async def test_reload_killed_before_its_alerts_is_finished_at_start(
    sandbox: SandboxServer, settings: Any, content_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = await start_bot(sandbox, settings, Clock(MORNING, frozen=True))
    services = app.bot_data["services"]
    user = await starrer(app, sandbox)

    async def died(*args: Any) -> None:  # the process dies after the commit, before the hooks
        return None

    with monkeypatch.context() as patch:
        patch.setattr(content_reload, "_run_hooks", died)
        result = await content_reload.reload(services, moved(content_file))
    assert result.applied
    assert [c.kind for c in result.changes] == ["moved"]
    await stop_bot(sandbox, app)
    assert user.messages == []

    app = await alerts_after_restart(sandbox, settings, user)
    await stop_bot(sandbox, app)
    assert len(user.messages) == 1


async def test_content_edited_while_the_bot_was_down(
    sandbox: SandboxServer, settings: Any, content_file: Path
) -> None:
    app = await start_bot(sandbox, settings, Clock(MORNING, frozen=True))
    user = await starrer(app, sandbox)
    await stop_bot(sandbox, app)
    content_file.write_bytes(moved(content_file))  # noqa: ASYNC240 - as an organizer would

    app = await alerts_after_restart(sandbox, settings, user)
    recorded = await app.bot_data["services"].repos.content_changes.all()
    await stop_bot(sandbox, app)
    assert [(c.session_id, c.kind) for c in recorded] == [("sdg", "moved")]
    assert len(user.messages) == 1

    # A third start with nothing new tells nobody anything again.
    app = await start_bot(sandbox, settings, Clock(MORNING + timedelta(hours=1), frozen=True))
    await stop_bot(sandbox, app)
    assert len(user.messages) == 1
