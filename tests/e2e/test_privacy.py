"""/privacy and /deleteme through the real bot: what is stored, and erasing it for real."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.sandbox.harness import SandboxUser

LAW = {
    "kk": "«Дербес деректер және оларды қорғау туралы»",
    "ru": "«О персональных данных и их защите»",
    "en": '"On personal data and their protection"',
}


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_privacy_names_the_law_in_the_user_language(
    bot_app: Any, make_user: Callable[..., SandboxUser], lang: str
) -> None:
    user = make_user(lang=lang)
    await user.command("/privacy")
    message = await user.expect(LAW[lang])
    assert "/deleteme" in message.text


async def test_deleteme_asks_first_and_then_erases_everything(
    bot_app: Any, make_user: Callable[..., SandboxUser]
) -> None:
    services = bot_app.bot_data["services"]
    users, stars = services.repos.users, services.repos.stars
    user = make_user(lang="ru")
    await user.command("/start")
    await user.expect("Добро пожаловать")
    await user.press("Русский")
    await user.expect("Какую группу вы представляете?")
    await user.press("Пропустить")
    await user.expect("Всё готово!")
    assert user.reply_keyboard  # the main menu
    session_id = services.content.sessions[1].id
    await stars.star(user.id, session_id, services.clock.now())

    await user.command("/deleteme")
    await user.expect("Удалить все ваши данные?")
    await user.press("Нет")
    await user.expect("Ничего не удалено.")
    assert await users.get(user.id) is not None
    assert await stars.sessions_of(user.id) == [session_id]

    await user.command("/deleteme")
    await user.expect("Удалить все ваши данные?")
    await user.press("Да")
    await user.expect("Ваши данные удалены.")
    goodbye = await user.expect("До свидания!")
    assert goodbye.text
    assert user.reply_keyboard == []  # the menu keyboard is gone
    assert await users.get(user.id) is None
    assert await stars.sessions_of(user.id) == []

    # Writing again starts from scratch: the first-time greeting with the language choice.
    await user.command("/start")
    greeting = await user.expect("Для начала выберите язык")
    assert any("Русский" in b for b in greeting.buttons)


async def test_forged_deleteme_button_erases_nothing(
    bot_app: Any, make_user: Callable[..., SandboxUser]
) -> None:
    services = bot_app.bot_data["services"]
    user = make_user(lang="en")
    await user.command("/deleteme")
    question = await user.expect("Erase all your data?")
    await user.press_data(question, "del:confirm:maybe")
    answer = await user.expect_answer()
    assert "expired" in answer["text"]
    assert await services.repos.users.get(user.id) is not None
