"""Live Q&A through the sandbox: three people in kk, ru and en ask, a moderator decides, all vote.

The bot's clock is frozen during the opening plenary (10:00-11:30 on the forum day); the
sandbox's organizers moderate because the session has no moderators by team role.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from PIL import Image

from bot.clock import Clock
from bot.sandbox import SandboxServer
from bot.sandbox.harness import ChatMessage, SandboxUser, sandbox_settings
from bot.services import hall

ALMATY = ZoneInfo("Asia/Almaty")
DURING = datetime(2018, 11, 14, 10, 30, tzinfo=ALMATY)
SESSION = "opening"


@pytest.fixture
def clock() -> Clock:
    """Frozen during the opening plenary."""
    return Clock(DURING, frozen=True)


@pytest.fixture
def bot_settings(sandbox: SandboxServer, tmp_path: Path) -> Any:
    """The harness's settings with a flood limit a test that presses fast stays under."""
    return sandbox_settings(sandbox, tmp_path / "bot.db", flood_limit=500)


def tr(bot_app: Any, lang: str) -> Any:
    return bot_app.bot_data["services"].i18n.get(lang)


def tiny_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, format="PNG")
    return buffer.getvalue()


async def ask(
    bot_app: Any, clock: Clock, user: SandboxUser, lang: str, text: str, *, named: bool
) -> ChatMessage:
    """The whole ask dialog through the ``ask_<session>`` deep link."""
    t = tr(bot_app, lang)
    clock.advance(timedelta(seconds=30))  # past the per-person pace limit
    await user.command("/start", f"ask_{SESSION}")
    await user.expect("❓")
    await user.send(text)
    await user.expect(t._("Your question:\n\n{text}\n\nHow should it be shown?").format(text=text))
    await user.press(t._("👤 With my name") if named else t._("🕶 Anonymously"))
    return await user.expect(t._("Your question is with the moderator. Thank you!"))


async def moderator(make_user: Callable[..., SandboxUser]) -> SandboxUser:
    mod = make_user("en", organizer=True, first_name="Moderator")
    await mod.command("/start")
    await mod.expect("")
    return mod


async def decide(mod: SandboxUser, question_text: str, button: str) -> ChatMessage:
    """The moderator finds the question's notice and presses a button on it."""
    card = await mod.expect(lambda m: question_text in m.text and bool(m.buttons))
    await mod.press(button, message=card)
    return await mod.expect(lambda m: question_text in m.text and m.edited)


def questions_in(message: ChatMessage) -> list[str]:
    """The list's entries (a numbered line and its indented votes line), in order."""
    entries: list[str] = []
    for line in message.text.splitlines():
        if re.match(r"\d+\. ", line):
            entries.append(line)
        elif entries and line.startswith(" "):
            entries[-1] += line
    return entries


async def test_ask_moderate_vote_in_three_languages(
    bot_app: Any, make_user: Callable[..., SandboxUser], clock: Clock
) -> None:
    kk_t, ru_t, en_t = (tr(bot_app, lang) for lang in ("kk", "ru", "en"))
    mod = await moderator(make_user)
    aigerim, maria, alex = make_user("kk"), make_user("ru"), make_user("en")

    # Ask: a photo gets a hint, the text is taken; named and anonymous.
    await aigerim.command("/start", f"ask_{SESSION}")
    await aigerim.expect("❓")
    await aigerim.send_photo(tiny_png())
    await aigerim.expect(
        kk_t._(
            "Please type your question as a text message. Photos, stickers and voice messages "
            "cannot be passed on to the moderator."
        )
    )
    await aigerim.send("x" * 301)
    await aigerim.expect("301")
    first = "Қоғамдық кеңестер <b>қашан</b> ашық болады?"
    await aigerim.send(first)
    shown = kk_t._("Your question:\n\n{text}\n\nHow should it be shown?").format(text=first)
    await aigerim.expect(shown)
    await aigerim.press(kk_t._("👤 With my name"))
    await aigerim.expect(kk_t._("Your question is with the moderator. Thank you!"))

    card = await decide(mod, first, en_t._("✅ Approve"))
    assert en_t._("From: {asker}").format(asker="Айгерім") in card.text
    assert en_t._("🎙 Now answering") in card.buttons

    rejected = '=HYPERLINK("http://evil") Почему так?'
    await ask(bot_app, clock, maria, "ru", rejected, named=False)
    card = await decide(mod, rejected, en_t._("❌ Reject"))
    assert en_t._("From: {asker}").format(asker=en_t._("anonymous")) in card.text
    told = await maria.expect(rejected)
    assert "Спасибо" in told.text or ru_t._("Thank you") in told.text

    second = "How will the law on public councils be monitored?"
    await ask(bot_app, clock, alex, "en", second, named=True)
    await decide(mod, second, en_t._("✅ Approve"))
    third = "Сколько НПО участвует в советах?"
    await ask(bot_app, clock, maria, "ru", third, named=False)
    await decide(mod, third, en_t._("✅ Approve"))

    # Vote: ties keep the older first; a vote reorders; pressing again takes it back.
    await maria.command("/now")
    await maria.expect("⏱")
    await maria.press(ru_t._("📋 Questions"))
    title = bot_app.bot_data["services"].content.session(SESSION).title.get("ru")
    listing = await maria.expect(ru_t._("📋 Questions to “{session}”").format(session=title))
    order = questions_in(listing)
    assert [first in order[0], second in order[1], third in order[2]] == [True, True, True]
    assert rejected not in listing.text
    assert ru_t._("✍ your question") in order[2]

    await maria.press("3. 👍 0")
    answer = await maria.expect_answer()
    assert answer["text"] == ru_t._("👍 Your vote is counted.")
    listing = await maria.expect(third)
    assert third in questions_in(listing)[0]
    assert "1. ✅ 1" in listing.buttons

    clock.advance(timedelta(seconds=30))
    await alex.command("/start", f"ask_{SESSION}")  # alex starts asking, then cancels
    prompt = await alex.expect(lambda m: en_t._("✖ Cancel") in m.buttons)
    await alex.press(en_t._("✖ Cancel"), message=prompt)
    await alex.expect(en_t.pgettext("Q&A dialog", "Cancelled."))
    await maria.command("/start", f"ask_{SESSION}")  # so does a Russian-speaking attendee
    prompt = await maria.expect(lambda m: ru_t._("✖ Cancel") in m.buttons)
    await maria.press(ru_t._("✖ Cancel"), message=prompt)
    await maria.expect("Отменено: ничего не отправлено.")  # it read «Рассылка отменена.»
    await alex.command("/now")
    await alex.expect("⏱")
    await alex.press(en_t._("📋 Questions"))
    listing = await alex.expect(second)
    await alex.press("2. 👍 0")  # alex votes for Aigerim's question (0 votes, listed 2nd)
    await alex.expect_answer()
    listing = await alex.expect(second)
    assert first in questions_in(listing)[0] and third in questions_in(listing)[1]  # 1:1, older
    await alex.press("1. ✅ 1")  # pressing again takes the vote back
    assert (await alex.expect_answer())["text"] == en_t._("Your vote is taken back.")
    listing = await alex.expect(second)
    assert third in questions_in(listing)[0]

    # Now answering: the moderator marks Alex's question; everyone sees it in the list.
    mod_card = next(m for m in reversed(mod.messages) if second in m.text)
    await mod.press(en_t._("🎙 Now answering"), message=mod_card)
    await mod.expect(lambda m: second in m.text and en_t._("🎙 Now answering") in m.text)
    await aigerim.command("/now")
    await aigerim.expect("⏱")
    await aigerim.press(kk_t._("📋 Questions"))
    listing = await aigerim.expect(second)
    line = next(x for x in questions_in(listing) if second in x)
    assert kk_t._("🎙 now answering") in line
    assert kk_t._("✍ your question") in next(x for x in questions_in(listing) if first in x)


async def test_forged_and_stale_buttons_are_refused(
    bot_app: Any, make_user: Callable[..., SandboxUser], clock: Clock
) -> None:
    en_t, ru_t = tr(bot_app, "en"), tr(bot_app, "ru")
    mod = await moderator(make_user)
    maria = make_user("ru")
    waiting = "Вопрос, который ещё ждёт модератора"
    sent = await ask(bot_app, clock, maria, "ru", waiting, named=True)
    card = await mod.expect(lambda m: waiting in m.text and bool(m.buttons))
    approve = card.button(en_t._("✅ Approve"))["callback_data"]
    question_id = int(approve.rsplit(":", 1)[1])

    # A participant presses the moderator's button (copied data): refused.
    await maria.press_data(sent, approve)
    answer = await maria.expect_answer()
    assert answer["text"] == ru_t._("Only this session's moderators can do this.")
    # A vote for a question still waiting, and for one that does not exist.
    for data in (f"qa:v:{question_id}:0:1", "qa:v:999999:0:1"):
        await maria.press_data(sent, data)
        assert (await maria.expect_answer())["text"] == ru_t._(
            "This question is not open for votes."
        )
    # Malformed or out-of-range arguments: the expired-button answer.
    for data in (
        "qa:v:abc:0:1",
        "qa:v:99999999999999:0:1",
        "qa:v:1:0:2",
        "qa:m:z:1",
        "qa:named:7",
        "qa:pa:1:99",
    ):
        await maria.press_data(sent, data)
        assert (await maria.expect_answer())["text"] == ru_t._(
            "This button has expired. Please open the menu again."
        )
    # A vote for a hidden question is refused as well.
    await mod.press(en_t._("✅ Approve"), message=card)
    card = await mod.expect(lambda m: waiting in m.text and m.edited)
    await mod.press(en_t._("🙈 Hide"), message=card)
    await mod.expect(lambda m: waiting in m.text and en_t._("hidden") in m.text)
    await maria.press_data(sent, f"qa:v:{question_id}:0:1")
    assert (await maria.expect_answer())["text"] == ru_t._("This question is not open for votes.")


async def test_limits_and_a_session_that_is_over(
    bot_app: Any, make_user: Callable[..., SandboxUser], clock: Clock
) -> None:
    kk_t = tr(bot_app, "kk")
    await moderator(make_user)
    aigerim = make_user("kk")
    for number in range(3):
        await ask(bot_app, clock, aigerim, "kk", f"Сұрақ {number}", named=False)
    clock.advance(timedelta(seconds=30))
    await aigerim.command("/start", f"ask_{SESSION}")
    limit = await aigerim.expect("3")
    assert (
        kk_t.ngettext(
            "You have {n} question waiting for the moderator. "
            "Please wait until it is reviewed before asking another.",
            "You have {n} questions waiting for the moderator. "
            "Please wait until they are reviewed before asking another.",
            3,
        ).format(n=3)
        == limit.text
    )

    # An abandoned dialog stops claiming messages: later text is a search again.
    maria = make_user("ru")
    await maria.command("/start", f"ask_{SESSION}")
    await maria.expect(lambda m: bool(m.buttons))
    clock.advance(timedelta(minutes=31))
    await maria.send("Zzyzx")
    await maria.expect("Zzyzx")
    assert "Zzyzx" not in "".join(m.text for m in maria.messages if m.buttons)

    clock.set(datetime(2018, 11, 14, 11, 45, tzinfo=ALMATY), frozen=True)
    await aigerim.command("/start", f"ask_{SESSION}")
    over = await aigerim.expect("/propose")
    session = bot_app.bot_data["services"].content.session(SESSION)
    assert session.title.get("kk") in over.text


async def test_poll_started_answered_changed_and_closed(
    bot_app: Any, make_user: Callable[..., SandboxUser], clock: Clock
) -> None:
    kk_t, ru_t, en_t = (tr(bot_app, lang) for lang in ("kk", "ru", "en"))
    services = bot_app.bot_data["services"]
    poll = services.content.session(SESSION).polls[0]
    mod = await moderator(make_user)
    aigerim, maria = make_user("kk"), make_user("ru")
    for person, t in ((aigerim, kk_t), (maria, ru_t)):  # they open the session's questions
        await person.command("/now")
        await person.expect("⏱")
        await person.press(t._("📋 Questions"))
        await person.expect(t._("No questions yet. Be the first to ask!"))
    # Alex never opened the Q&A but starred the session: the poll reaches him too.
    alex = make_user("en")
    await alex.command("/start")
    await alex.expect("")
    await services.repos.stars.star(alex.id, SESSION, services.clock.now())

    await mod.command("/moderate")
    await mod.expect(en_t._("🛠 Your sessions’ Q&A:"))
    await mod.press(services.content.session(SESSION).title.get("en")[:20])
    await mod.expect(en_t._("📊 Polls: start one for the hall."))
    await mod.press("▶ " + poll.question.get("en")[:40])
    await mod.expect(en_t._("⏹ Close the poll").split()[-1])

    kk_poll = await aigerim.expect(poll.question.get("kk"))
    ru_poll = await maria.expect(poll.question.get("ru"))
    en_poll = await alex.expect(poll.question.get("en"))
    assert en_poll.buttons == [o.get("en") for o in poll.options]
    await aigerim.press(poll.options[0].get("kk"), message=kk_poll)
    assert (await aigerim.expect_answer())["text"] == kk_t._(
        "Your answer is saved. You can change it until the poll closes."
    )
    changed = await aigerim.expect(lambda m: m.edited and "✓" in m.text + "".join(m.buttons))
    await aigerim.press(poll.options[1].get("kk"), message=changed)
    edited = await aigerim.expect(lambda m: "✓ " + poll.options[1].get("kk") in m.buttons)
    await maria.press(poll.options[1].get("ru"), message=ru_poll)
    await maria.expect_answer()

    await mod.press(en_t._("⏹ Close and send the results to voters"))
    results = await mod.expect(en_t.ngettext("{n} answer", "{n} answers", 2).format(n="2"))
    assert "100" in results.text  # both chose the second option
    shared = await aigerim.expect(kk_t._("The poll is closed. Results:"))
    assert poll.options[1].get("kk") in shared.text
    await maria.expect(ru_t._("The poll is closed. Results:"))
    await aigerim.press(poll.options[0].get("kk"), message=edited)
    assert (await aigerim.expect_answer())["text"] == kk_t._("This poll is closed.")


async def test_organizers_get_the_hall_screen_links_with_their_keys(
    bot_app: Any, make_user: Callable[..., SandboxUser]
) -> None:
    services = bot_app.bot_data["services"]
    mod = await moderator(make_user)
    await mod.command("/screen")
    links = await mod.expect("/hall/")
    key = hall.screen_key(services.settings.bot_token.get_secret_value(), SESSION)
    assert services.public_link(f"/hall/{SESSION}?key={key}") in links.text
    assert "/hall/coffee_morning" not in links.text  # breaks have no Q&A


async def test_organizers_export_a_sessions_questions_formula_safe(
    bot_app: Any, make_user: Callable[..., SandboxUser], clock: Clock
) -> None:
    en_t = tr(bot_app, "en")
    mod = await moderator(make_user)
    aigerim, maria = make_user("kk"), make_user("ru")
    formula = '=HYPERLINK("http://evil.example","click")'
    await ask(bot_app, clock, maria, "ru", formula, named=False)
    await decide(mod, "HYPERLINK", en_t._("✅ Approve"))
    named = "@cmd|' /C calc'!A0 — вопрос"
    await ask(bot_app, clock, aigerim, "kk", named, named=True)
    await decide(mod, "calc", en_t._("❌ Reject"))

    await mod.command("/results")
    results = await mod.expect(en_t._("Results. Choose a survey:"))
    await mod.press(en_t._("❓ Q&A questions"), message=results)
    menu = await mod.expect(en_t._("Questions of which session, as XLSX?"))
    await mod.press("⬇️", message=menu)
    document = await mod.expect(lambda m: m.document is not None)
    book = load_workbook(io.BytesIO(mod.download(document)))
    sheet = book.worksheets[0]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert rows[formula][0].data_type == "s"  # text, not a formula
    assert rows[named][0].data_type == "s"
    assert rows[formula][3].value == en_t._("anonymous")
    assert rows[named][3].value == "Айгерім"
    assert rows[named][2].value == en_t._("rejected")


async def test_the_list_is_paged_and_votes_on_a_later_page_count(
    bot_app: Any, make_user: Callable[..., SandboxUser]
) -> None:
    services = bot_app.bot_data["services"]
    kk_t = tr(bot_app, "kk")
    await services.repos.users.upsert_seen(
        5, first_name="Asker", last_name=None, username=None, language_code="kk",
        now=services.clock.now(),
    )  # fmt: skip
    for number in range(1, 8):  # seven approved questions (setup)
        await services.repos.qa.add_question(
            SESSION, 5, f"Сұрақ №{number}", anonymous=True, asker_name=None, language="kk",
            status="approved", now=services.clock.now(),
        )  # fmt: skip
    aigerim = make_user("kk")
    await aigerim.command("/now")
    await aigerim.expect("⏱")
    await aigerim.press(kk_t._("📋 Questions"))
    first = await aigerim.expect("Сұрақ №5")
    assert kk_t._("Page {page} of {pages}").format(page=1, pages=2) in first.text
    assert "Сұрақ №6" not in first.text
    await aigerim.press(kk_t._("Next ▶"), message=first)
    second = await aigerim.expect("Сұрақ №7")
    assert kk_t._("Page {page} of {pages}").format(page=2, pages=2) in second.text
    await aigerim.press("7. 👍 0", message=second)
    await aigerim.expect_answer()
    # The voted question rose to the first page; the person stays on the second.
    still = await aigerim.expect(lambda m: m.edited and "Сұрақ №7" not in m.text)
    assert "Сұрақ №5" in still.text and "Сұрақ №6" in still.text
    await aigerim.press(kk_t._("◀ Back"), message=still)
    top = await aigerim.expect(lambda m: "1. ✅ 1" in m.buttons)
    assert "Сұрақ №7" in questions_in(top)[0]
