"""/deleteme through the sandbox: the confirmation says what goes and what stays nameless, and
after it the person's questions and votes are gone from what other people see."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.clock import Clock
from bot.sandbox import SandboxServer
from bot.sandbox.harness import SandboxUser, sandbox_settings
from bot.services import broadcasts as broadcasts_service
from bot.services import erasure
from bot.services.roles import Role
from tests.e2e.test_qa import DURING, ask, decide, moderator, questions_in, tr
from tests.e2e.test_team import invite, menu

# What the confirmation must name, in each language: questions, votes, reviews, endorsement.
NAMED = {
    "kk": ("сұрақтарыңыз", "дауыстарыңыз", "сараптамалар", "ұсынымдарға"),
    "ru": ("вопросы", "голоса", "экспертизы", "рекомендациям"),
    "en": ("questions", "votes", "reviews", "recommendations"),
}
FIRST_LINE = {
    "kk": "Барлық деректеріңізді жоясыз ба?",
    "ru": "Удалить все ваши данные?",
    "en": "Erase all your data?",
}


@pytest.fixture
def clock() -> Clock:
    """Frozen during the opening plenary, when questions can be asked."""
    return Clock(DURING, frozen=True)


@pytest.fixture
def bot_settings(sandbox: SandboxServer, tmp_path: Path) -> Any:
    return sandbox_settings(sandbox, tmp_path / "bot.db", flood_limit=500)


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_the_confirmation_names_what_goes_and_what_stays_nameless(
    bot_app: Any, make_user: Callable[..., SandboxUser], lang: str
) -> None:
    t = tr(bot_app, lang)
    user = make_user(lang)
    await user.command("/deleteme")
    question = await user.expect(FIRST_LINE[lang])
    for word in NAMED[lang]:
        assert word in question.text, word
    assert t._("Yes") in question.buttons


async def test_after_deleteme_her_questions_and_votes_are_gone_for_the_others(
    bot_app: Any, make_user: Callable[..., SandboxUser], clock: Clock
) -> None:
    en_t, ru_t = tr(bot_app, "en"), tr(bot_app, "ru")
    mod = await moderator(make_user)
    maria, alex = make_user("ru", first_name="Мария"), make_user("en")
    answered, waiting = "На это ответят со сцены?", "А этот вопрос исчезнет?"
    await ask(bot_app, clock, maria, "ru", answered, named=True)
    await decide(mod, answered, en_t._("✔ Answered"))
    await ask(bot_app, clock, maria, "ru", waiting, named=True)
    await decide(mod, waiting, en_t._("✅ Approve"))
    await ask(bot_app, clock, alex, "en", "Will Alex get an answer?", named=True)
    await decide(mod, "Will Alex get an answer?", en_t._("✅ Approve"))
    await maria.command("/now")
    await maria.expect("⏱")
    await maria.press(ru_t._("📋 Questions"))
    listing = await maria.expect("Will Alex get an answer?")
    number = next(i for i, e in enumerate(questions_in(listing), 1) if "Will Alex" in e)
    await maria.press(f"{number}. 👍 0", message=listing)  # her vote for Alex's question
    await maria.expect_answer()

    await alex.command("/now")
    await alex.expect("⏱")
    await alex.press(en_t._("📋 Questions"))
    before = questions_in(await alex.expect(waiting))
    assert any("Will Alex" in entry and en_t.ngettext("{n} vote", "{n} votes", 1).format(n=1)
               in entry for entry in before)  # fmt: skip

    await maria.command("/deleteme")
    confirmation = await maria.expect(FIRST_LINE["ru"])
    for word in NAMED["ru"]:
        assert word in confirmation.text, word
    await maria.press("Да", message=confirmation)
    await maria.expect("Ваши данные удалены.")

    # Alex refreshes the list: her open question is gone, her vote no longer counts, the
    # answered one is still there.
    await alex.press(en_t._("🔄 Refresh"))
    after = await alex.expect(lambda m: m.edited and waiting not in m.text)
    entries = questions_in(after)
    assert len(entries) == 2
    assert any("Will Alex" in e and en_t.ngettext("{n} vote", "{n} votes", 0).format(n=0) in e
               for e in entries)  # fmt: skip
    assert any(answered in e and en_t._("✔ answered") in e for e in entries)

    # The organizers' export of the session keeps the answered question, as anonymous.
    await mod.command("/results")
    results = await mod.expect(en_t._("Results. Choose a survey:"))
    await mod.press(en_t._("❓ Q&A questions"), message=results)
    menu = await mod.expect(en_t._("Questions of which session, as XLSX?"))
    await mod.press("⬇️", message=menu)
    document = await mod.expect(lambda m: m.document is not None)
    sheet = load_workbook(io.BytesIO(mod.download(document))).worksheets[0]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert waiting not in rows
    assert rows[answered][3].value == en_t._("anonymous")
    assert "Мария" not in {str(cell.value) for row in rows.values() for cell in row}


PRIVACY_NAMES = {
    "kk": ("сұрақтарыңыз", "дауыстарыңыз", "сараптамаларыңыз", "ұсынымдарына", "рөліңіз"),
    "ru": ("вопросы", "голоса", "экспертизы", "рекомендациям", "роль"),
    "en": ("questions", "votes", "reviews", "recommendations", "role"),
}


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_privacy_says_what_qa_reviews_endorsement_and_the_team_store(
    bot_app: Any, make_user: Callable[..., SandboxUser], lang: str
) -> None:
    user = make_user(lang)
    await user.command("/privacy")
    message = await user.expect("/deleteme")
    for word in PRIVACY_NAMES[lang]:
        assert word in message.text, word
    assert len(message.text) < 4096


async def test_a_team_member_who_erases_themselves_loses_the_role_at_once(
    bot_app: Any, sandbox: SandboxServer, make_user: Callable[..., SandboxUser]
) -> None:
    owner = make_user(lang="en", organizer=True)
    token = await invite(owner, "➕ Organizer")
    maria = make_user(lang="ru", first_name="Мария")
    await maria.command("/start", f"join_{token}")
    await maria.expect("Добро пожаловать в команду форума! Ваша роль: Организатор")
    await maria.command("/team")
    await maria.expect("Команда форума")
    await maria.press("➕ Модератор")
    link = await maria.expect("join_")  # an invitation she created
    assert "status" in menu(sandbox, maria)

    await maria.command("/deleteme")
    await maria.press("Да", message=await maria.expect("Удалить все ваши данные?"))
    await maria.expect("Ваши данные удалены.")

    assert "status" not in menu(sandbox, maria)  # her command menu is the everyone's again
    await maria.command("/status")
    await maria.expect("только организаторам")
    await owner.command("/team")
    listing = await owner.expect("The forum's team")
    assert "Мария" not in listing.text
    # Her pending invitation is revoked: nobody could tell whom it came from.
    alex = make_user(lang="en")
    token = link.text.split("join_")[1].split()[0]
    await alex.command("/start", f"join_{token}")
    await alex.expect("This invitation link is not valid")


async def test_a_broadcast_of_an_erased_organizer_finishes_without_writing_to_nobody(
    bot_app: Any, make_user: Callable[..., SandboxUser]
) -> None:
    services = bot_app.bot_data["services"]
    org = make_user("en")
    await org.command("/start")
    await org.expect("")
    await services.roles.grant(org.id, Role.ORGANIZER)
    broadcasts = services.repos.broadcasts
    running = await broadcasts.create(org.id, services.clock.now())
    await broadcasts.update(running.id, state="sending", texts={"*": "Hello"})

    assert await erasure.erase(services, org.id)

    stored = await broadcasts.get(running.id)
    assert stored is not None and stored.created_by != org.id
    await broadcasts_service.ProgressMonitor(services, bot_app.bot).update_all()  # no error
    finished = await broadcasts.get(running.id)
    assert finished is not None and finished.state == "done" and finished.reported
