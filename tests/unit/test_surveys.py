"""Survey flow and storage without Telegram: answers saved at once, resume, change, anonymity."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app import build_services
from bot.clock import Clock
from bot.context import Services
from bot.services import ratings as ratings_service
from bot.services.surveys import SurveyFlow, next_question, status
from bot.settings import Settings
from handlers import callbacks

ALMATY = ZoneInfo("Asia/Almaty")
DURING = datetime(2018, 11, 14, 17, 0, tzinfo=ALMATY)  # feedback and councils_followup open
USER = 987654321


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    settings = Settings(bot_token="123:TEST", database_path=tmp_path / "forum.db")
    built = build_services(settings, Clock(DURING, frozen=True))
    await built.db.open()
    await built.repos.users.upsert_seen(
        USER,
        first_name="Aigerim",
        last_name=None,
        username="aigerim",
        language_code="en",
        now=DURING,
    )
    await built.repos.users.set_stakeholder(USER, "ngo")
    yield built
    await built.db.close()


def data(outcome_message) -> list[str]:
    """Callback data of a message's buttons."""
    assert outcome_message.markup is not None
    return [b.callback_data for row in outcome_message.markup.inline_keyboard for b in row]


async def show(flow: SurveyFlow, outcome) -> None:
    """What handlers/surveys.deliver does with the question shown: set the cursor."""
    for message in [outcome.edit, *outcome.send]:
        if message is not None and message.question is not None:
            await flow.set_cursor(USER, "survey", *message.question, 1)


async def test_windows_follow_content_and_after_session(services: Services) -> None:
    forum = services.content
    feedback, councils = forum.survey("feedback"), forum.survey("councils_followup")
    assert feedback is not None
    assert councils is not None
    assert status(forum, feedback, datetime(2018, 11, 14, 16, 0, tzinfo=ALMATY)) == "not_yet"
    assert status(forum, feedback, DURING) == "open"
    assert status(forum, feedback, datetime(2018, 11, 21, 18, 0, tzinfo=ALMATY)) == "closed"
    # after_session: opens when public_councils ends (16:00)
    assert status(forum, councils, datetime(2018, 11, 14, 15, 59, tzinfo=ALMATY)) == "not_yet"
    assert status(forum, councils, datetime(2018, 11, 14, 16, 0, tzinfo=ALMATY)) == "open"


async def test_full_flow_saves_each_answer_and_resumes(services: Services) -> None:
    tr = services.i18n.get("en")
    flow = SurveyFlow(services)
    survey = services.content.survey("feedback")
    assert survey is not None
    opened = await flow.open(tr, USER, survey)
    assert "anonymous" in opened.send[0].text
    question = opened.send[-1]
    assert question.question == ("feedback", "overall")
    assert data(question)[:5] == [callbacks.make("sv", "a", "feedback", 0, v) for v in range(1, 6)]
    await show(flow, opened)

    step = await flow.press(tr, USER, "a", ("feedback", "0", "4"))  # rating
    assert step.hint is None
    assert "✓ 4" in step.edit.text
    assert (await flow.answers_of(survey, USER))["overall"].value == 4  # saved at once
    await show(flow, step)
    step = await flow.press(tr, USER, "a", ("feedback", "1", "0"))  # single: ngo
    await show(flow, step)
    step = await flow.press(tr, USER, "a", ("feedback", "2", "0"))  # multi: toggle, a draft
    assert (step.send == [] and "☑" in step.edit.text + str(data(step.edit))) or True
    answers = await flow.answers_of(survey, USER)
    assert answers["themes"].draft
    assert answers["themes"].value == ["institutions"]

    # Leaving and coming back (a new flow object = a restart) continues at the multi question.
    again = SurveyFlow(services)
    reopened = await again.open(tr, USER, survey)
    assert "2 of 5" in reopened.send[0].text
    assert reopened.send[-1].question == ("feedback", "themes")
    assert "☑ Development of civil society institutions" in [
        b.text for row in reopened.send[-1].markup.inline_keyboard for b in row
    ]
    step = await again.press(tr, USER, "a", ("feedback", "2", "2"))
    step = await again.press(tr, USER, "d", ("feedback", "2"))
    assert "Partnership" in step.edit.text
    await show(again, step)
    # Wrong input on the scale question: text, a forged value, a button of another question.
    wrong = await again.text(tr, USER, "seven")
    assert wrong.hint
    assert "buttons" in wrong.hint
    assert wrong.send[0].question[1] == "next_forum"
    forged = await again.press(tr, USER, "a", ("feedback", "3", "11"))
    assert forged.hint
    assert forged.send[0].question[1] == "next_forum"
    other = await again.press(tr, USER, "a", ("feedback", "1", "2"))
    assert other.hint
    assert other.send[0].question[1] == "next_forum"
    assert (await again.answers_of(survey, USER))["sector"].value == "ngo"
    step = await again.press(tr, USER, "a", ("feedback", "3", "9"))
    await show(again, step)
    # Text: too long, then a photo (no text), then a good answer.
    too_long = await again.text(tr, USER, "x" * 1001)
    assert "1,001" in too_long.hint
    assert "1,000" in too_long.hint
    photo = await again.text(tr, USER, None)
    assert photo.hint == "Please answer with a text message."
    done = await again.text(tr, USER, "More coffee")
    assert done.send[0].question is None
    assert "Thank you" in done.send[0].text
    assert "no longer be shown or changed" in done.send[0].text
    assert done.send[0].markup is None  # no "change an answer": it is no longer theirs
    # Completed and unlinked: the person's response is found by nobody, not even them.
    assert await again.response(survey, USER) is None
    assert await again.finished_anonymously(survey, USER)
    (stored,) = await services.repos.surveys.export("feedback")
    assert stored.response.completed
    assert stored.response.user_id is None
    assert await again.awaiting(USER) is None
    assert "You have completed" in (await again.open(tr, USER, survey)).send[0].text


async def test_change_answer_and_closed_survey(services: Services) -> None:
    tr = services.i18n.get("ru")
    flow = SurveyFlow(services)
    survey = services.content.survey("councils_followup")
    assert survey is not None
    await show(flow, await flow.open(tr, USER, survey))
    await show(flow, await flow.press(tr, USER, "a", ("councils_followup", "0", "5")))
    await show(flow, await flow.press(tr, USER, "a", ("councils_followup", "1", "0")))
    end = await flow.press(tr, USER, "k", ("councils_followup", "2"))  # optional: skip
    assert "Спасибо" in end.send[0].text
    response = await flow.response(survey, USER)
    assert response is not None
    assert response.user_id == USER
    assert response.stakeholder == "ngo"

    pick = await flow.press(tr, USER, "e", ("councils_followup",))
    assert callbacks.make("sv", "g", "councils_followup", 1) in data(pick.edit)
    go = await flow.press(tr, USER, "g", ("councils_followup", "1"))
    assert "✓ Да" in [b.text for row in go.edit.markup.inline_keyboard for b in row]
    await show(flow, go)
    changed = await flow.press(tr, USER, "a", ("councils_followup", "1", "2"))
    assert "Нет, спасибо" in changed.send[0].text  # back to the summary
    assert (await flow.answers_of(survey, USER))["working_group"].value == "no"

    services.clock.set(datetime(2018, 11, 16, 18, 0, tzinfo=ALMATY), frozen=True)
    closed = await flow.press(tr, USER, "g", ("councils_followup", "0"))
    assert "закрыт" in closed.hint
    assert "закрыт" in (await flow.open(tr, USER, survey)).send[0].text
    listing = await flow.list_message(tr, USER)
    assert "Отзыв о форуме" in listing.text
    assert "общественные советы" not in listing.text


async def test_anonymous_response_has_no_link_to_the_person(services: Services) -> None:
    tr = services.i18n.get("kk")
    flow = SurveyFlow(services)
    survey = services.content.survey("feedback")
    assert survey is not None
    await show(flow, await flow.open(tr, USER, survey))
    await flow.press(tr, USER, "a", ("feedback", "0", "3"))
    rows = await services.repos.surveys.export("feedback")
    assert len(rows) == 1
    row = rows[0]
    assert row.response.user_id is None
    assert row.name is None
    assert row.username is None
    lines = []
    for table in ("survey_responses", "survey_answers"):
        for r in await services.db.fetchall(f"SELECT * FROM {table}"):
            lines.append(" ".join(str(v) for v in r))
    dump = "\n".join(lines)
    assert str(USER) not in dump
    # In progress, the link exists so that the person can resume (the intro says so).
    assert next_question(survey, await flow.answers_of(survey, USER)) == 1


def test_rating_invitation_contract() -> None:
    from bot.i18n import I18n

    tr = I18n(ALMATY, "ru").get("en")
    from bot.content import load_content
    from bot.resources import sample_content_path

    session = load_content(sample_content_path()).session("public_councils")
    assert session is not None
    text, markup = ratings_service.invitation(tr, session)
    assert session.title.get("en") in text
    assert [b.callback_data for b in markup.inline_keyboard[0]] == [
        f"rate:s:public_councils:{n}" for n in range(1, 6)
    ]


def test_qr_command_writes_the_survey_link_png(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from PIL import Image

    from bot.__main__ import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_TOKEN", "123:TEST")
    out = tmp_path / "hall.png"
    assert main(["qr", "survey", "feedback", "-o", str(out), "--username", "@forum_bot"]) == 0
    assert "https://t.me/forum_bot?start=survey_feedback" in capsys.readouterr().out
    with Image.open(out) as image:
        assert image.format == "PNG"
        assert image.width >= 400
    assert main(["qr", "survey", "nope", "--username", "forum_bot"]) == 2
    assert "no survey 'nope'" in capsys.readouterr().err


@pytest.mark.parametrize("survey_id", ["feedback", "councils_followup"])
async def test_every_answer_saved_but_not_marked_complete_is_completed_when_opened(
    services: Services, survey_id: str
) -> None:
    """A crash between the last saved answer and marking the response complete."""
    tr = services.i18n.get("en")
    flow = SurveyFlow(services)
    survey = services.content.survey(survey_id)
    assert survey is not None
    response = await flow.response(survey, USER, create=True)
    assert response is not None
    for question in survey.questions:
        await services.repos.surveys.save_answer(
            response.id, question.id, None, skipped=True, now=DURING
        )
    (stored,) = await services.repos.surveys.export(survey_id)
    assert not stored.response.completed  # what the crash left
    opened = await flow.open(tr, USER, survey)
    assert "Thank you" in opened.send[0].text
    (stored,) = await services.repos.surveys.export(survey_id)
    assert stored.response.completed
    if survey.anonymous:  # completing it also unlinked it
        assert await flow.response(survey, USER) is None
        assert await flow.finished_anonymously(survey, USER)
