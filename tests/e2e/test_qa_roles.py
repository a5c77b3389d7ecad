"""Q&A with team roles: a session's own moderator gets its questions (not the organizers), a
moderator of another session is refused, and a poll typed live in three languages reaches the
audience each in their language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.clock import Clock
from bot.sandbox.harness import SandboxUser
from bot.services.roles import Role
from tests.e2e.test_qa import SESSION, ask, bot_settings, clock, moderator, tr  # noqa: F401


async def started(make_user: Callable[..., SandboxUser], lang: str) -> SandboxUser:
    person = make_user(lang)
    await person.command("/start")
    await person.expect("")
    return person


async def test_a_sessions_moderator_decides_and_others_are_refused(
    bot_app: Any,
    make_user: Callable[..., SandboxUser],
    clock: Clock,  # noqa: F811
) -> None:
    services = bot_app.bot_data["services"]
    kk_t, ru_t, en_t = (tr(bot_app, lang) for lang in ("kk", "ru", "en"))
    owner = await moderator(make_user)
    hall_moderator = await started(make_user, "ru")
    elsewhere = await started(make_user, "kk")
    await services.roles.grant(hall_moderator.id, Role.MODERATOR, [SESSION], by=owner.id)
    await services.roles.grant(elsewhere.id, Role.MODERATOR, ["sdg"], by=owner.id)
    asker = make_user("en")

    text = "Who will chair the public councils?"
    await ask(bot_app, clock, asker, "en", text, named=True)
    card = await hall_moderator.expect(lambda m: text in m.text and bool(m.buttons))
    assert ru_t._("❓ Question to “{session}”").split("«")[0] in card.text
    question_id = int(card.button(ru_t._("✅ Approve"))["callback_data"].rsplit(":", 1)[1])
    notices = await services.db.fetchall(
        "SELECT user_id FROM outbox WHERE dedup_key LIKE ?", (f"qa:new:{question_id}:%",)
    )
    assert [row[0] for row in notices] == [hall_moderator.id]  # not the organizers

    # The moderator of another session, and the organizer's /moderate of it, are refused.
    await elsewhere.press_data(elsewhere.last_message, f"qa:m:a:{question_id}")
    answer = await elsewhere.expect_answer()
    assert answer["text"] == kk_t._("Only this session's moderators can do this.")
    await hall_moderator.press(ru_t._("✅ Approve"), message=card)
    approved = await hall_moderator.expect(lambda m: text in m.text and m.edited)
    assert ru_t._("🎙 Now answering") in approved.buttons

    # A poll typed live in three languages reaches the asker (who opened the Q&A) in English.
    await hall_moderator.command("/moderate")
    overview = await hall_moderator.expect(ru_t._("🛠 Your sessions’ Q&A:"))
    await hall_moderator.press(
        services.content.session(SESSION).title.get("ru")[:20], message=overview
    )
    tools = await hall_moderator.expect(lambda m: ru_t._("✍ Type a new poll") in m.buttons)
    await hall_moderator.press(ru_t._("✍ Type a new poll"), message=tools)
    await hall_moderator.expect(lambda m: ru_t._("✖ Cancel") in m.buttons)
    await hall_moderator.send("Тек бір нұсқа\nжеткіліксіз")  # one option: not a poll
    await hall_moderator.expect(str(2))
    await hall_moderator.send(
        "Келесі форум қашан?\nКөктемде\nКүзде\n\n"
        "Когда следующий форум?\nВесной\nОсенью\n\n"
        "When should the next forum be?\nIn spring\nIn autumn"
    )
    await hall_moderator.expect(lambda m: ru_t._("⏹ Close the poll") in m.buttons)
    poll = await asker.expect("When should the next forum be?")
    assert poll.buttons == ["In spring", "In autumn"]
    await asker.press("In autumn", message=poll)
    assert (await asker.expect_answer())["text"] == en_t._(
        "Your answer is saved. You can change it until the poll closes."
    )


async def test_two_moderators_starting_a_poll_at_once_open_one(
    bot_app: Any,
    make_user: Callable[..., SandboxUser],
    clock: Clock,  # noqa: F811
) -> None:
    """Both press ▶ on the same poll in the same instant: one poll opens, the other is told."""
    import asyncio

    from bot.services.polls import PollFlow

    services = bot_app.bot_data["services"]
    en_t = tr(bot_app, "en")
    first = await started(make_user, "en")
    second = await started(make_user, "en")
    for person in (first, second):
        await services.roles.grant(person.id, Role.MODERATOR, [SESSION])
    outcomes = await asyncio.gather(
        PollFlow(services).start_content(en_t, first.id, SESSION, 0),
        PollFlow(services).start_content(en_t, second.id, SESSION, 0),
    )
    hints = sorted(str(o.hint) for o in outcomes)
    refused = en_t._("A poll is already running. Close it first.")
    assert sum(refused in h for h in hints) == 1, hints
    polls = await services.repos.qa.polls_of(SESSION)
    assert [p.status for p in polls] == ["open"]
