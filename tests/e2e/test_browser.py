"""The web chat in a real browser (Debian's Chromium, headless): a person tries the bot."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Locator, Page, async_playwright, expect

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
PDF = b"%PDF-1.4\n% test\n"


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


async def open_page(browser: Browser, url: str, width: int, height: int, **options: Any) -> Page:
    page = await browser.new_page(viewport={"width": width, "height": height}, **options)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.dialogs = dialogs
    page.errors = errors
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
    assert page.dialogs == []
    assert page.errors == []


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
    assert page.errors == []


@pytest.mark.parametrize("viewport", [(1200, 850), (390, 800)], ids=["desktop", "phone"])
async def test_a_person_types_a_whole_proposal_and_a_search(
    sandbox: SandboxServer, bot_app: Any, browser: Browser, viewport: tuple[int, int]
) -> None:
    """Past the first message: every answer typed in the composer and sent with Enter."""
    services = bot_app.bot_data["services"]
    tr = services.i18n.get("en")
    forum_tz = services.content.forum.tz
    # The browser is elsewhere (New York); the chat must still show the forum's times.
    page = await open_page(
        browser, sandbox.url + "/", *viewport, timezone_id="America/New_York", locale="en-GB"
    )
    await page.get_by_test_id("new-user-name").fill("Aigul")
    await page.get_by_test_id("new-user-lang").select_option("en")
    await page.get_by_test_id("new-user-submit").click()
    chat = page.get_by_test_id("chat")
    await expect(chat).to_be_visible()
    composer = chat.get_by_test_id("composer-input")
    replies = chat.get_by_test_id("bot-message")

    async def say(text: str) -> None:
        await composer.fill(text)
        await composer.press("Enter")
        await expect(composer).to_have_value("")

    async def reply(text: str) -> Locator:
        found = replies.filter(has_text=text).last
        await expect(found).to_be_visible()
        return found

    async def press(message: Locator, label: str) -> None:
        await message.get_by_role("button", name=label, exact=True).click()

    await say("/propose")
    await press(await reply("2018-11-v1"), tr._("✅ I agree"))
    await reply(tr._("What is the name of your organization?"))
    await say("Eco Almaty")
    await press(await reply(tr._("What type of organization is it?")), tr._("Public association"))
    await reply("BIN")
    await say("9407 4000 0911")
    regions = replies.filter(has=page.get_by_role("button", name=tr._("Almaty Region"))).last
    await press(regions, tr._("Almaty"))
    await reply(tr._("Who is the contact person for this proposal? Please send their full name."))
    await say("Aigul Nurlanova")
    await reply("8 701 123 45 67")
    await say("+7 (701) 123-45-67")
    await reply(tr._("The contact e-mail address."))
    await say("aigul@eco.kz")
    topics = await reply(tr._("Which topic of the forum does your proposal belong to?"))
    await press(topics, services.content.proposal_topics[1].title.get("en"))
    goals = replies.filter(has=page.get_by_role("button", name=tr._("Done"))).last
    await expect(goals).to_be_visible()
    await goals.get_by_role("button", name=re.compile(r"^SDG 4\b")).click()
    await expect(goals.get_by_role("button", name=re.compile(r"^✓ SDG 4\b"))).to_be_visible()
    await press(goals, tr._("Done"))
    await reply(tr._("The title of your proposal (up to {limit} characters).").format(limit=200))
    await say("Green schools")
    await reply("3000")
    await say("Solar panels on the roofs of ten schools in Almaty.")
    await reply("1000")
    await say("A grant and a letter of support")
    await reply("20 MB")
    await chat.locator("input.file-doc").set_input_files(
        files=[{"name": "plan.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    review = await reply(tr._("Please check your proposal:"))
    for expected in ("Eco Almaty", "940740000911", "Green schools", "plan.pdf", "aigul@eco.kz"):
        await expect(review).to_contain_text(expected)
    await press(review, tr._("📨 Submit"))
    await reply("P-0001")

    # A search, typed like any message, and a result opened with its button.
    session = services.content.sessions[1]
    title = session.title.get("en")
    await say(title.split()[0] if len(title.split()[0]) > 3 else title)
    results = await reply("🔎")
    await results.get_by_role("button", name=re.compile(re.escape(title[:20]))).first.click()
    card = replies.filter(has_text=title).last
    await expect(card).to_be_visible()

    # Times in the forum's time zone, like the clock at the top.
    user_id = next(iter(sandbox.world.users))
    first = sandbox.world.history(user_id)[0].data
    shown = await chat.get_by_test_id("user-message").first.locator(".stamp").inner_text()
    assert shown == datetime.fromtimestamp(first["date"], forum_tz).strftime("%H:%M")

    OUTPUT.mkdir(exist_ok=True)
    await page.screenshot(path=str(OUTPUT / f"sandbox-proposal-{viewport[0]}.png"))
    assert page.dialogs == []
    assert page.errors == []
