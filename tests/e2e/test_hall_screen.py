"""The hall screen in a real browser (Debian's Chromium): questions by votes, live, and polls.

The projector's page is served by the bot's web server; a vote in the chat must reorder the
questions on the page within 2 seconds without a reload (server-sent events).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import aiohttp
from playwright.async_api import Browser, expect

from bot.sandbox.harness import SandboxUser
from bot.services import hall
from bot.services.polls import PollFlow
from tests.e2e.test_browser import OUTPUT, browser, chromium, open_page  # noqa: F401
from tests.e2e.test_qa import (  # noqa: F401 (fixtures)
    SESSION,
    ask,
    bot_settings,
    clock,
    decide,
    moderator,
)

LIVE = 2000  # ms: the screen's promise after a vote or a moderation


async def seed(services: Any, user_id: int, first_name: str, text: str, *, anonymous: bool) -> int:
    """An approved question by a person the bot knows (setup, not what is tested)."""
    await services.repos.users.upsert_seen(
        user_id, first_name=first_name, last_name="Surname", username=None,
        language_code="ru", now=services.clock.now(),
    )  # fmt: skip
    question = await services.repos.qa.add_question(
        SESSION, user_id, text, anonymous=anonymous, asker_name=first_name, language="ru",
        status="approved", now=services.clock.now(),
    )  # fmt: skip
    hall.changed(services, SESSION)
    return int(question.id)


async def test_the_hall_screen_shows_questions_by_votes_live_and_the_poll(
    bot_app: Any,
    browser: Browser,  # noqa: F811 (the fixture of test_browser.py)
    make_user: Callable[..., SandboxUser],
) -> None:
    services = bot_app.bot_data["services"]
    base = services.web.url
    key = hall.screen_key(services.settings.bot_token.get_secret_value(), SESSION)
    async with aiohttp.ClientSession() as client:
        for query in ("", "?key=wrong", "/events", "/qr.png?key=" + key[:-1] + "0"):
            async with client.get(f"{base}/hall/{SESSION}{query}") as response:
                assert response.status == 403, query
        async with client.get(f"{base}/hall/{SESSION}/qr.png?key={key}") as response:
            assert response.status == 200 and (await response.read())[:4] == b"\x89PNG"

    older = "Қоғамдық кеңестердің есебі қашан жарияланады?"
    hostile = "<img src=x onerror=alert(1)> Как будет работать закон?"
    await seed(services, 810, "Айгерім", older, anonymous=False)
    await seed(services, 811, "Secret", hostile, anonymous=True)

    page = await open_page(browser, f"{base}/hall/{SESSION}?key={key}&lang=ru", 1600, 900)
    items = page.locator("#questions li")
    await expect(items).to_have_count(2)
    await expect(items.nth(0)).to_contain_text(older)  # 0 votes each: the older first
    await expect(items.nth(0)).to_contain_text("Айгерім")
    await expect(items.nth(1)).to_contain_text(hostile)  # shown as text, never as markup
    assert await page.locator("#questions img").count() == 0
    content = await page.content()
    assert "Surname" not in content and "Secret" not in content  # first names; anonymous: none

    # A vote in the chat reorders the screen within 2 seconds, without a reload.
    voter = make_user("ru")
    await voter.command("/now")
    await voter.expect("⏱")
    await voter.press(services.i18n.get("ru")._("📋 Questions"))
    await voter.expect(hostile)
    await voter.press("2. 👍 0")
    await expect(items.nth(0)).to_contain_text(hostile, timeout=LIVE)
    await expect(items.nth(0).locator(".votes")).to_have_text("1", timeout=LIVE)

    # A moderator's decisions show within 2 seconds: approved, then being answered.
    owner = await moderator(make_user)
    asker = make_user("kk")
    approved = "Волонтерлерге қандай қолдау көрсетіледі?"
    await ask(bot_app, services.clock, asker, "kk", approved, named=False)
    card = await decide(owner, approved, services.i18n.get("en")._("✅ Approve"))
    await expect(items).to_have_count(3, timeout=LIVE)
    await expect(items.nth(2)).to_contain_text(approved)
    await owner.press(services.i18n.get("en")._("🎙 Now answering"), message=card)
    await expect(page.locator("#questions li.now")).to_contain_text(approved, timeout=LIVE)

    # A poll: started by a moderator, answered; its bars appear on the screen.
    organizer = min(services.settings.admin_ids)
    tr = services.i18n.get("en")
    await PollFlow(services).start_content(tr, organizer, SESSION, 0)
    await voter.expect(services.content.session(SESSION).polls[0].question.get("ru"))
    await voter.press(services.content.session(SESSION).polls[0].options[1].get("ru"))
    await expect(page.locator("#poll")).to_be_visible(timeout=LIVE)
    bars = page.locator("#options .fill")
    await expect(bars).to_have_count(3)
    await expect(bars.nth(1)).to_have_attribute("style", re.compile(r"width: 100%"), timeout=LIVE)
    await expect(bars.nth(0)).to_have_attribute("style", re.compile(r"width: 0%"))

    OUTPUT.mkdir(exist_ok=True)
    await page.screenshot(path=str(OUTPUT / "hall-screen.png"))
    assert page.errors == []

    # A screen set to rotate every second goes through the three languages by itself.
    titles = services.content.session(SESSION).title
    rotating = await open_page(
        browser, f"{base}/hall/{SESSION}?key={key}&lang=ru&rotate=1", 1600, 900
    )
    heading = rotating.locator("#title")
    # kk, ru, en in turn from the starting ru; a turn is 1 s, so each comes within a cycle (3 s).
    assert len({titles.get(lang) for lang in ("kk", "ru", "en")}) == 3
    for lang in ("ru", "en", "kk", "ru"):
        await expect(heading).to_have_text(titles.get(lang), timeout=3 * 1000 + LIVE)
    await expect(rotating.locator("#questions")).to_contain_text(hostile)  # the same questions
