"""A participant's first minutes: /start, choosing a language, /help — in kk, ru and en.

Each test is a chat with the real bot over HTTP through the sandbox.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from bot.sandbox.harness import SandboxUser

# The same conversations with a webhook bot (the sandbox POSTs updates to it).
pytestmark = pytest.mark.both_update_modes

LANGUAGES = ("kk", "ru", "en")
BUTTON = {"kk": "🇰🇿 Қазақша", "ru": "🇷🇺 Русский", "en": "🇬🇧 English"}
KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")


def language_of(text: str) -> str:
    """kk, ru or en, judged by the letters a reader sees (commands and links left out)."""
    text = re.sub(r"/\w+|https?://\S+", " ", text)
    letters = [ch for ch in text if ch.isalpha()]
    if any(ch in KAZAKH_LETTERS for ch in letters):
        return "kk"
    cyrillic = sum(1 for ch in letters if "\u0400" <= ch <= "\u04ff")
    return "ru" if cyrillic > len(letters) / 2 else "en"


def tr(bot_app: Any, language: str) -> Any:
    """The bot's own translator for a language (what a user of that language should read)."""
    return bot_app.bot_data["services"].i18n.get(language)


def forum_name(bot_app: Any, language: str) -> str:
    """The forum's name in a language, from the loaded content."""
    return bot_app.bot_data["services"].content.forum.name.get(language)


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_start_greets_in_the_telegram_language(
    bot_app: Any, make_user: Callable[..., SandboxUser], lang: str
) -> None:
    user = make_user(lang=lang)
    await user.command("/start")
    greeting = await user.expect(forum_name(bot_app, lang))
    assert language_of(greeting.text) == lang
    # The first-time greeting offers the three languages, the user's own ticked.
    assert greeting.buttons == [("✓ " if code == lang else "") + BUTTON[code] for code in LANGUAGES]


async def test_start_with_an_unsupported_language_uses_the_default(
    bot_app: Any, make_user: Callable[..., SandboxUser]
) -> None:
    default = bot_app.bot_data["services"].settings.default_language
    user = make_user(lang="de")
    await user.command("/start")
    greeting = await user.expect(forum_name(bot_app, default))
    assert language_of(greeting.text) == default


@pytest.mark.parametrize(("lang", "chosen"), [("kk", "en"), ("ru", "kk"), ("en", "ru")])
async def test_pressing_a_language_button_switches_the_reply_language(
    bot_app: Any, make_user: Callable[..., SandboxUser], lang: str, chosen: str
) -> None:
    user = make_user(lang=lang)
    await user.command("/start")
    await user.expect(forum_name(bot_app, lang))
    await user.press(BUTTON[chosen])
    question = await user.expect()
    assert question.edited  # the greeting turns into the next question
    assert language_of(question.text) == chosen
    await user.command("/help")
    help_message = await user.expect(tr(bot_app, chosen)._("Here is what I can do:"))
    assert language_of(help_message.text) == chosen


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_help_lists_the_commands_in_the_user_language(
    bot_app: Any, make_user: Callable[..., SandboxUser], lang: str
) -> None:
    user = make_user(lang=lang)
    await user.command("/help")
    message = await user.expect(tr(bot_app, lang)._("Here is what I can do:"))
    for command in ("/start", "/language", "/help"):
        assert command in message.text
    assert language_of(message.text) == lang


@pytest.mark.parametrize(("lang", "chosen"), [("kk", "ru"), ("ru", "en"), ("en", "kk")])
async def test_language_command_changes_the_language(
    bot_app: Any, make_user: Callable[..., SandboxUser], lang: str, chosen: str
) -> None:
    user = make_user(lang=lang)
    await user.command("/language")
    ask = await user.expect(tr(bot_app, lang)._("Choose your language:"))
    assert len(ask.buttons) == 3
    await user.press(BUTTON[chosen])
    answer = await user.expect_answer()
    assert answer["kind"] == "callback_answer"
    done = await user.expect(tr(bot_app, chosen)._("Done. The menu is now in your language."))
    # The new main menu is labelled in the chosen language.
    assert tr(bot_app, chosen)._("❓ Help") in done.reply_keyboard
    assert user.reply_keyboard == done.reply_keyboard
    # The language sticks: later replies come in it too.
    await user.command("/help")
    reply = await user.expect(tr(bot_app, chosen)._("Here is what I can do:"))
    assert language_of(reply.text) == chosen


async def test_onboarding_ends_with_the_main_menu_whose_buttons_work(
    bot_app: Any, make_user: Callable[..., SandboxUser]
) -> None:
    user = make_user(lang="ru")
    ru = tr(bot_app, "ru")
    await user.command("/start")
    await user.expect(forum_name(bot_app, "ru"))
    await user.press(BUTTON["ru"])
    await user.expect(
        ru._("Which group do you represent? This helps the organizers; you can skip it.")
    )
    await user.press(ru._("Skip"))
    await user.expect(ru._("All set! Use the menu below or /help."))
    assert ru._("❓ Help") in user.reply_keyboard
    await user.press(ru._("❓ Help"))  # a reply keyboard button sends its text
    await user.expect(ru._("Here is what I can do:"))


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_command_menu_is_registered_per_language(
    bot_app: Any, make_user: Callable[..., SandboxUser], sandbox: Any, lang: str
) -> None:
    user = make_user(lang=lang)
    menu = sandbox.world.resolve_commands(user.id)
    names = [c["command"] for c in menu]
    assert {"start", "language", "help"} <= set(names)
    descriptions = " ".join(c["description"] for c in menu)
    assert language_of(descriptions) == lang
    organizer = make_user(lang=lang, organizer=True)
    organizer_menu = sandbox.world.resolve_commands(organizer.id)
    assert set(names) <= {c["command"] for c in organizer_menu}


async def test_stale_language_button_is_answered_not_ignored(
    bot_app: Any, make_user: Callable[..., SandboxUser]
) -> None:
    user = make_user(lang="en")
    await user.command("/language")
    ask = await user.expect(tr(bot_app, "en")._("Choose your language:"))
    await user.press_data(ask, "lang:lang:xx")
    answer = await user.expect_answer()
    assert answer["text"]  # a localized "this button has expired"
