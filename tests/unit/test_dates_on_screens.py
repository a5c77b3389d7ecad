"""Dates as people read them on every screen outside the board: «21 ноября, 18:00».

Invitations, broadcasts, the organizers' proposal card, /myproposals, the call for proposals
and the review's reminder show a moment as the Translator's ``moment`` does: the month in full,
no abbreviated month, no two-digit year, and no year when it is the forum's (2018 here).
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.app import build_services
from bot.clock import Clock
from bot.content import parse_content
from bot.i18n import I18n
from bot.resources import sample_content_path
from bot.services import broadcasts
from bot.services.broadcast_composer import BroadcastComposer
from bot.services.proposal_dialog import ProposalDialog
from bot.services.review import ReviewFlow
from bot.services.review_board import call_closed_notice
from bot.services.reviewing import _queue_messages
from bot.services.roles import Role
from bot.services.team import TeamFlow
from bot.settings import Settings
from storage.proposals import Proposal

# 04:30 UTC is 10:30 in Almaty (UTC+6 in 2018); 12:00 UTC is 18:00.
NOW = datetime(2018, 11, 14, 4, 30, tzinfo=UTC)
OWNER, PERSON = 1, 7


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Any]:
    settings = Settings(
        _env_file=None,
        bot_token="123456:ABCdef",
        admin_ids=[OWNER],
        database_path=tmp_path / "bot.db",
    )
    built = build_services(settings, Clock(NOW, frozen=True))
    await built.db.open()
    await built.roles.load()
    for user_id, lang in ((OWNER, "en"), (PERSON, "ru")):
        await built.repos.users.upsert_seen(
            user_id, first_name="A", last_name=None, username=None, language_code=lang, now=NOW
        )
    yield built
    await built.db.close()


def content_with(**sections: Any) -> Any:
    """The sample forum (in 2018) with some sections changed."""
    data = yaml.safe_load(sample_content_path().read_text(encoding="utf-8"))
    for key, value in sections.items():
        data[key] = {**(data.get(key) or {}), **value}
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return parse_content(text, source_path=sample_content_path())


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("kk", "Ол бір рет қана жұмыс істейді, жарамдылық мерзімі: 16 қараша, 10:30."),
        ("ru", "Она действует один раз, срок действия: до 16 ноября, 10:30."),
        ("en", "It works once, until 16 November, 10:30."),
    ],
)
async def test_an_invitation_says_until_when_it_works(
    services: Any, lang: str, expected: str
) -> None:
    """It was «21.11.18, 18:00» (kk) and «до 21.11.2018, 18:00» (ru); it lasts 48 hours."""
    screen = await TeamFlow(services).invite(
        services.i18n.get(lang), OWNER, Role.ORGANIZER, None, "forum_bot"
    )
    assert screen.text.endswith(expected)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "kk",
            "🕒 №1 тарату 21 қараша, 18:00 уақытына жоспарланды (форум уақыты). "
            "Оны /broadcasts тізімінен көре аласыз.",
        ),
        (
            "ru",
            "🕒 Рассылка №1 запланирована на 21 ноября, 18:00 (время форума). "
            "Она есть в списке /broadcasts.",
        ),
        ("en", "🕒 Broadcast #1 is scheduled for 21 November, 18:00 (forum time). "
               "/broadcasts lists it."),
    ],
)  # fmt: skip
async def test_a_scheduled_broadcast_says_when(services: Any, lang: str, expected: str) -> None:
    repo = services.repos.broadcasts
    draft = await repo.create(OWNER, NOW)
    await repo.update(draft.id, texts={"*": "Hello"}, awaiting="when")
    composer = BroadcastComposer(services, "forum_bot")
    outcome = await composer.text(services.i18n.get(lang), await repo.get(draft.id), "21.11 18:00")
    assert [screen.text for screen in outcome.screens] == [expected]


@pytest.mark.parametrize(
    ("lang", "this_year", "next_year"),
    [
        ("kk", "21 қараша, 18:00", "2019\u202fж. 21 қараша, 18:00"),
        ("ru", "21 ноября, 18:00", "21 ноября 2019\u202fг., 18:00"),
        ("en", "21 November, 18:00", "21 November 2019, 18:00"),
    ],
)
async def test_the_broadcast_list_says_when_each_goes(
    services: Any, lang: str, this_year: str, next_year: str
) -> None:
    draft = await services.repos.broadcasts.create(OWNER, NOW)
    tr = services.i18n.get(lang)
    scheduled = replace(draft, scheduled_at="2018-11-21T12:00:00.000000Z")
    assert broadcasts.when_text(tr, scheduled, 2018) == this_year
    later = replace(draft, scheduled_at="2019-11-21T12:00:00.000000Z")
    assert broadcasts.when_text(tr, later, 2018) == next_year


def _proposal(**values: Any) -> Proposal:
    fields: dict[str, Any] = {
        "id": 1, "user_id": PERSON, "language": "ru", "consent_version": "v1",
        "consent_at": "2018-11-14T04:30:00+00:00", "org_name": "Org",
        "org_type": "public_association", "bin": None, "region": "almaty_city",
        "contact_person": None, "phone": None, "email": None, "topic": "institutions",
        "sdgs": (4,), "title": "T", "summary": "S", "support": "H", "attachment_id": None,
        "attachment_name": None, "attachment_size": None, "status": "accepted",
        "comment": None, "pending_status": None, "pending_comment": None,
        "submitted_at": "2018-11-14T04:30:00+00:00", "updated_at": "2018-11-21T12:00:00+00:00",
        "decided_at": "2018-11-21T12:00:00+00:00",
    }  # fmt: skip
    fields.update(values)
    return Proposal(**fields)


@pytest.mark.parametrize(
    ("lang", "lines"),
    [
        (
            "kk",
            [
                "Жіберілген уақыты: 14 қараша, 10:30",
                "Шешім қабылданған уақыты: 21 қараша, 18:00",
                "Келісім: v1, 14 қараша, 10:30",
            ],
        ),
        (
            "ru",
            ["Подано: 14 ноября, 10:30", "Решение принято: 21 ноября, 18:00",
             "Согласие: v1, 14 ноября, 10:30"],
        ),
        (
            "en",
            ["Submitted: 14 November, 10:30", "Decided: 21 November, 18:00",
             "Consent: v1, 14 November, 10:30"],
        ),
    ],
)  # fmt: skip
async def test_the_organizers_card_dates_read_naturally(
    services: Any, lang: str, lines: list[str]
) -> None:
    text = ReviewFlow(services).card_text(services.i18n.get(lang), _proposal())
    shown = text.splitlines()
    for line in lines:
        assert line in shown


def test_the_card_of_an_erased_submitters_proposal_opens(services: Any) -> None:
    """/deleteme empties the consent time: the card shows the rest instead of failing."""
    tr = services.i18n.get("en")
    text = ReviewFlow(services).card_text(tr, _proposal(user_id=None, consent_at=""))
    assert "Submitted: 14 November, 10:30" in text.splitlines()
    assert "The submitter has erased their personal data." in text.splitlines()
    assert "Consent:" not in text


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("kk", "📨 Жіберілді · 14 қараша, 10:30"),
        ("ru", "📨 Подано · 14 ноября, 10:30"),
        ("en", "📨 Submitted · 14 November, 10:30"),
    ],
)
async def test_my_proposals_say_when_each_was_submitted(
    services: Any, lang: str, line: str
) -> None:
    """/myproposals showed «2018 ж. 21 қар.» in Kazakh."""
    data = {
        "consent_version": "v1", "consent_at": NOW.isoformat(), "org_name": "Org",
        "org_type": "association", "region": "almaty_city", "topic": "sdg", "sdgs": [4],
        "title": "Green schools", "summary": "S", "support": "Grant",
    }  # fmt: skip
    await services.repos.proposals.submit(PERSON, "ru", data, NOW)
    outcome = await ProposalDialog(services).mine(services.i18n.get(lang), PERSON)
    assert line in outcome.screens[0].text.splitlines()


@pytest.mark.parametrize(
    ("lang", "opens", "closed"),
    [
        ("kk", "Ұсыныстарды қабылдау басталатын уақыт: 1 желтоқсан, 09:00.",
         "Ұсыныстарды қабылдау аяқталды: 10 қараша, 18:00. Жобаңыз болса, ол сақталады."),
        ("ru", "Приём предложений откроется 1 декабря, 09:00.",
         "Приём предложений закрыт 10 ноября, 18:00. Ваш черновик, если он есть, сохранён."),
        ("en", "The call for proposals opens on 1 December, 09:00.",
         "The call for proposals closed on 10 November, 18:00. Your draft, if you have one, "
         "is kept."),
    ],
)  # fmt: skip
def test_the_call_for_proposals_says_when_it_opens_or_closed(
    lang: str, opens: str, closed: str
) -> None:
    tr = I18n(ZoneInfo("Asia/Almaty"), "ru").get(lang)
    later = content_with(proposals={"opens": "2018-12-01 09:00"})
    assert call_closed_notice(tr, later, NOW) == opens
    over = content_with(proposals={"closes": "2018-11-10 18:00"})
    assert call_closed_notice(tr, over, NOW) == closed


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("kk", "⏰ Сараптама аяқталатын уақыт: 21 қараша, 18:00. "
               "Әлі бағаланбаған ұсыныстар: /review"),
        ("ru", "⏰ Экспертиза завершится 21 ноября, 18:00. /review покажет, что ещё не оценено."),
        ("en", "⏰ The review closes on 21 November, 18:00. /review shows what is still open."),
    ],
)  # fmt: skip
async def test_a_reviewer_is_told_when_the_review_closes(
    services: Any, lang: str, expected: str
) -> None:
    services.content = content_with(review={"closes": "2018-11-21 18:00"})
    await services.repos.users.upsert_seen(
        9, first_name="R", last_name=None, username=None, language_code=lang, now=NOW
    )
    messages = await _queue_messages(services, 9, [1])
    assert [m.text for m in messages][-1] == expected


# ---------------------------------------------------------------------------------- exports
# Spreadsheets keep sortable moments, in forum time like every other date column.


def test_the_proposals_export_gives_consent_in_forum_time(services: Any) -> None:
    """It was the stored UTC text: "v1 2018-11-14T04:30:00+00:00"."""
    from openpyxl import load_workbook

    from bot.services.proposal_exports import proposals_xlsx

    tr = services.i18n.get("ru")
    data = proposals_xlsx(tr, services.content, [_proposal()])
    sheet = load_workbook(io.BytesIO(data)).active
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert row["Согласие на обработку данных"] == "v1, 2018-11-14 10:30"
    assert row["Подано"] == datetime(2018, 11, 14, 10, 30)


async def test_a_named_survey_export_says_when_in_forum_time(services: Any) -> None:
    """Started and Updated were the stored UTC text ("2018-11-14T04:30:00+00:00")."""
    from bot.services import results
    from bot.services.surveys import SurveyFlow

    tr = services.i18n.get("en")
    services.clock.set(datetime(2018, 11, 14, 11, 0, tzinfo=UTC), frozen=True)  # 17:00 there
    survey = services.content.survey("councils_followup")
    flow = SurveyFlow(services)
    await flow.set_cursor(PERSON, "survey", survey.id, "useful", None)
    await flow.press(tr, PERSON, "a", (survey.id, "0", "4"))
    rows = results.final_rows(await services.repos.surveys.export(survey.id))
    table = results.raw_table(tr, survey, rows)
    assert table[0][4:6] == ["Started", "Updated"]
    assert table[1][4:6] == [datetime(2018, 11, 14, 17, 0)] * 2
    assert "2018-11-14 17:00:00" in results.csv_bytes(tr, survey, rows).decode("utf-8-sig")
