"""The web chat in a real browser (Debian's Chromium, headless): a person tries the bot."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from bot.sandbox import SandboxServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
OUTPUT = Path(__file__).resolve().parents[2] / "test-output"


@pytest.fixture
def chromium() -> Path:
    """Debian's Chromium; missing it is a failure, not a skip."""
    assert CHROMIUM.exists(), "install Debian's chromium: apt-get install -y chromium"
    return CHROMIUM


@pytest.fixture
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    """Headless Chromium driven by Playwright (no browser download)."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            await browser.close()


async def open_page(browser: Browser, url: str, width: int, height: int) -> Page:
    page = await browser.new_page(viewport={"width": width, "height": height})
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.dialogs = dialogs  # type: ignore[attr-defined]
    page.errors = errors  # type: ignore[attr-defined]
    await page.goto(url)
    return page


async def test_a_person_starts_the_bot_and_switches_language(
    sandbox: SandboxServer, bot_app: Any, browser: Browser
) -> None:
    services = bot_app.bot_data["services"]
    english = services.i18n.get("en")
    page = await open_page(browser, sandbox.url + "/", 1200, 850)

    await page.get_by_test_id("new-user-name").fill("Айгерім")
    await page.get_by_test_id("new-user-lang").select_option("kk")
    await page.get_by_test_id("new-user-submit").click()
    chat = page.get_by_test_id("chat")
    await expect(chat).to_have_count(1)

    await chat.get_by_test_id("composer-input").fill("/start")
    await chat.get_by_test_id("send").click()
    greeting = chat.get_by_test_id("bot-message").filter(
        has_text=services.content.forum.name.get("kk")
    )
    await expect(greeting).to_be_visible()

    await greeting.get_by_role("button", name=re.compile("English")).click()
    question = english._(
        "Which group do you represent? This helps the organizers; you can skip it."
    )
    await expect(chat.get_by_test_id("bot-message").filter(has_text=question)).to_be_visible()

    # The command menu the bot registered, in the user's Telegram language.
    await chat.get_by_test_id("menu-button").click()
    menu = chat.get_by_test_id("command-menu")
    await expect(menu).to_contain_text("/language")

    # Bot HTML is rendered from entities: formatting yes, markup from text never.
    user_id = sandbox.world.users[next(iter(sandbox.world.users))].id
    await bot_app.bot.send_message(
        user_id, "<b>Bold</b> &lt;script&gt;alert(1)&lt;/script&gt;", parse_mode="HTML"
    )
    safe = chat.get_by_test_id("bot-message").filter(has_text="<script>alert(1)</script>")
    await expect(safe).to_be_visible()
    await expect(safe.locator("b")).to_have_text("Bold")
    assert await safe.locator("script").count() == 0

    OUTPUT.mkdir(exist_ok=True)
    await page.screenshot(path=str(OUTPUT / "sandbox-browser.png"))
    assert page.dialogs == []  # type: ignore[attr-defined]
    assert page.errors == []  # type: ignore[attr-defined]


async def test_the_page_works_on_a_phone_sized_screen(
    sandbox: SandboxServer, bot_app: Any, browser: Browser
) -> None:
    page = await open_page(browser, sandbox.url + "/", 390, 800)
    await page.get_by_test_id("new-user-name").fill("Maria")
    await page.get_by_test_id("new-user-lang").select_option("ru")
    await page.get_by_test_id("new-user-organizer").check()
    await page.get_by_test_id("new-user-submit").click()
    chat = page.get_by_test_id("chat")
    await expect(chat).to_be_visible()
    box = await chat.bounding_box()
    assert box is not None
    assert box["width"] <= 390
    organizer = next(iter(sandbox.world.users.values()))
    assert organizer.organizer
    assert organizer.id in bot_app.bot_data["services"].settings.admin_ids
    await chat.get_by_test_id("composer-input").fill("/help")
    await chat.get_by_test_id("send").click()
    await expect(chat.get_by_test_id("bot-message").first).to_contain_text("/start")
    OUTPUT.mkdir(exist_ok=True)
    await page.screenshot(path=str(OUTPUT / "sandbox-phone.png"))
    assert page.errors == []  # type: ignore[attr-defined]
