"""Schedule change alerts: an organizer reloads the programme; people who starred a moved,
re-roomed or cancelled session hear about it once, in their language, edits merged."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.clock import Clock
from bot.sandbox import SandboxServer
from bot.sandbox.harness import SandboxUser, sandbox_settings
from tests.e2e.conftest import delivered

ALMATY = ZoneInfo("Asia/Almaty")


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2018, 11, 14, 9, 30, tzinfo=ALMATY), frozen=True)


@pytest.fixture
def bot_settings(sandbox: SandboxServer, tmp_path: Path, content_file: Path) -> Any:
    return sandbox_settings(
        sandbox,
        tmp_path / "bot.db",
        forum_content=content_file,
        delivery_tick_seconds=0.2,
        alert_merge_minutes=3,
    )


def edited(content_file: Path, change: Callable[[dict[str, Any]], None]) -> bytes:
    document = yaml.safe_load(content_file.read_text(encoding="utf-8"))
    change(document)
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode("utf-8")


def sessions_of(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in document["sessions"]}


async def test_moved_then_reroomed_is_one_alert_and_cancelled_is_told(
    bot_app: Any, make_user: Callable[..., SandboxUser], content_file: Path, clock: Clock
) -> None:
    services = bot_app.bot_data["services"]
    organizer = make_user(lang="ru", organizer=True)
    kk_user, en_user, bystander = make_user(lang="kk"), make_user(lang="en"), make_user(lang="ru")
    for user in (kk_user, en_user, bystander):
        await services.repos.users.upsert_seen(
            user.id, first_name="T", last_name=None, username=None,
            language_code=user.language_code, now=clock.now(),
        )  # fmt: skip
    await services.repos.stars.star(kk_user.id, "sdg", clock.now())
    await services.repos.stars.star(en_user.id, "volunteering", clock.now())
    sdg_title_kk = services.content.session("sdg").title.get("kk")
    volunteering_en = services.content.session("volunteering").title.get("en")

    def move_and_cancel(document: dict[str, Any]) -> None:
        sessions_of(document)["sdg"]["starts"] = "2018-11-14 12:30"
        document["sessions"] = [s for s in document["sessions"] if s["id"] != "volunteering"]

    await organizer.send_document(edited(content_file, move_and_cancel), "forum.yaml")
    await organizer.expect("✅")
    clock.advance(timedelta(minutes=1))  # a second edit within the merge window

    def reroom(document: dict[str, Any]) -> None:
        sessions_of(document)["sdg"]["room"] = {"kk": "D залы", "ru": "Зал D", "en": "Hall D"}

    await organizer.send_document(edited(content_file, reroom), "forum.yaml")
    await organizer.expect("✅")
    await delivered(bot_app)  # nothing may go before the merge window closes
    assert kk_user.messages == [] and en_user.messages == []

    clock.advance(timedelta(minutes=3))
    t_kk = services.i18n.get("kk")
    alert = await kk_user.expect(sdg_title_kk)
    assert alert.text.startswith(t_kk._("🔄 Changed in your agenda: “{title}”").split("{title}")[0])
    assert "12:30" in alert.text and "D залы" in alert.text  # the state after both edits
    assert "12:00" in alert.text  # "was": the time before the first edit
    cancelled = await en_user.expect(volunteering_en)
    assert cancelled.text.startswith("❌ Cancelled")

    await delivered(bot_app)
    assert len(kk_user.messages) == 1  # merged: one message for two edits
    assert len(en_user.messages) == 1
    assert bystander.messages == []  # starred nothing, hears nothing
