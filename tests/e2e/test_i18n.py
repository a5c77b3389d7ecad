"""What a Kazakh- or Russian-speaking participant reads: dates, day buttons and short labels.

A two-day version of the sample forum (14–15 November 2018), the bot's clock on the first day.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.clock import Clock
from bot.sandbox import SandboxServer
from bot.sandbox.harness import new_user, sandbox_settings, start_bot, stop_bot

ALMATY = ZoneInfo("Asia/Almaty")


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2018, 11, 14, 11, 0, tzinfo=ALMATY), frozen=True)


@pytest.fixture
def two_day_file(content_file: Path) -> Path:
    document = yaml.safe_load(content_file.read_text(encoding="utf-8"))
    document["forum"]["ends"] = "2018-11-15"
    for session in document["sessions"]:
        if session["starts"] >= "2018-11-14 14:30":
            session["starts"] = session["starts"].replace("11-14", "11-15")
            session["ends"] = session["ends"].replace("11-14", "11-15")
    content_file.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return content_file


@pytest.fixture
async def two_day_bot(
    sandbox: SandboxServer, tmp_path: Path, two_day_file: Path, clock: Clock
) -> AsyncIterator[Any]:
    settings = sandbox_settings(
        sandbox, tmp_path / "bot.db", flood_limit=500, forum_content=two_day_file
    )
    app = await start_bot(sandbox, settings, clock)
    try:
        yield app
    finally:
        await stop_bot(sandbox, app)


@pytest.mark.parametrize(
    ("lang", "dates", "today", "tomorrow", "tools"),
    [
        (
            "ru",
            "14–15 ноября 2018\u202fг., ",
            "📍 Среда, 14 ноября",
            "Четверг, 15 ноября",
            ["🏷 Направления", "📆 Другие дни"],
        ),
        (
            "kk",
            "2018\u202fж. 14–15 қараша, ",
            "📍 14 қараша, сәрсенбі",
            "15 қараша, бейсенбі",
            ["🏷 Бағыттар", "📆 Басқа күндер"],
        ),
        (
            "en",
            "14–15 November 2018, ",
            "📍 Wednesday, 14 November",
            "Thursday, 15 November",
            ["🏷 Filter by track", "📆 Other days"],
        ),
    ],
)
async def test_forum_days_read_naturally(
    sandbox: SandboxServer,
    two_day_bot: Any,
    lang: str,
    dates: str,
    today: str,
    tomorrow: str,
    tools: list[str],
) -> None:
    user = new_user(sandbox.world, lang)
    await user.command("/start")
    await user.expect(dates)  # the welcome names both days as one range

    await user.command("/agenda")
    picker = await user.expect("📅")
    assert picker.buttons == [today, tomorrow]
    await user.press(tomorrow)
    page = await user.expect(f"📅 {tomorrow}")  # the heading starts with a capital letter
    rows = [[b["text"] for b in row] for row in page.inline_keyboard]
    assert tools in rows  # both fit one row of a phone


async def test_the_old_long_menu_labels_still_work(
    sandbox: SandboxServer, two_day_bot: Any
) -> None:
    """Phones keep the reply keyboard they were sent: the labels before shortening still work."""
    kazakh = new_user(sandbox.world, "kk")
    await kazakh.send("⭐ Менің күн тәртібім")
    await kazakh.expect("⭐ Күн тәртібіңіз әзірге бос.")
    russian = new_user(sandbox.world, "ru")
    await russian.send("🔒 Персональные данные")
    await russian.expect("Какие данные мы храним и зачем")
