"""The sandbox's control endpoints for an in-process bot: its clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import aiohttp

from bot.clock import Clock
from bot.sandbox import SandboxServer


async def test_clock_can_be_read_and_set_in_forum_time(
    sandbox: SandboxServer, bot_app: Any, clock: Clock
) -> None:
    tz = bot_app.bot_data["services"].content.forum.tz
    url = f"{sandbox.url}/sandbox/api/clock"
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as response:
            body = await response.json()
        assert body["clock"]["timezone"] == str(tz)

        async with http.post(url, json={"at": "2018-11-14T10:30", "frozen": True}) as response:
            body = await response.json()
        assert body["clock"]["frozen"] is True
        assert body["clock"]["now_local"].startswith("2018-11-14T10:30:00")
        assert clock.now() == datetime(2018, 11, 14, 10, 30, tzinfo=tz)

        async with http.post(url, json={"advance_seconds": 900}) as response:
            body = await response.json()
        assert clock.now() == datetime(2018, 11, 14, 10, 45, tzinfo=tz)
        assert body["clock"]["now_local"].startswith("2018-11-14T10:45:00")

        async with http.post(url, json={"at": "yesterday"}) as response:
            assert response.status == 400
    assert clock.now() - datetime(2018, 11, 14, 10, 45, tzinfo=tz) == timedelta(0)
