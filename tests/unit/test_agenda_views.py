"""Which buttons a session card and /now offer, and when: the view models, without a chat."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.content import Forum, load_content
from bot.i18n import I18n, Translator
from bot.resources import sample_content_path
from bot.services import agenda_card, agenda_now, agenda_views, my_agenda
from bot.views import Screen

ALMATY = ZoneInfo("Asia/Almaty")
LINK = "https://t.me/forum_bot?start=session_opening"
TIMELY = {"⭐ Rate this session", "❓ Ask a question", "📋 Questions"}


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2018, 11, 14, hour, minute, tzinfo=ALMATY)


@pytest.fixture(scope="module")
def forum() -> Forum:
    return load_content(sample_content_path())


@pytest.fixture(scope="module")
def tr() -> Translator:
    return I18n(ALMATY, "en").get("en")


def labels(screen: Screen) -> list[str]:
    return [b.text for row in screen.buttons for b in row]


def card(
    tr: Translator,
    forum: Forum,
    session_id: str,
    now: datetime,
    *,
    starred: bool = False,
    link: str | None = LINK,
) -> Screen:
    session = forum.session(session_id)
    assert session is not None
    return agenda_card.session_card(tr, forum, session, starred=starred, link=link, now=now)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(9, 0), []),  # long before: no rating, no Q&A yet
        (at(9, 50), ["❓ Ask a question", "📋 Questions"]),  # the window opens 15 min before
        (at(10, 30), ["⭐ Rate this session", "❓ Ask a question", "📋 Questions"]),
        (at(12, 0), ["⭐ Rate this session", "📋 Questions"]),  # over: questions stay readable
    ],
)
def test_card_offers_rating_and_qa_by_the_time(
    tr: Translator, forum: Forum, now: datetime, expected: list[str]
) -> None:
    shown = labels(card(tr, forum, "opening", now))
    timely = [
        x for x in shown if x in {"⭐ Rate this session", "❓ Ask a question", "📋 Questions"}
    ]
    assert timely == expected
    assert shown[-1] == "◀ Agenda"
    assert "⭐ Add to my agenda" in shown and "🔗 Share" in shown


def test_a_starred_card_offers_removal_and_no_link_no_share(tr: Translator, forum: Forum) -> None:
    screen = card(tr, forum, "opening", at(9), starred=True, link=None)
    shown = labels(screen)
    assert "✖ Remove from my agenda" in shown and "⭐ Add to my agenda" not in shown
    assert "🔗 Share" not in shown and "Link to share" not in screen.text
    assert "⭐ In my agenda" in screen.text
    assert screen.html and screen.target == "edit"


def test_a_break_has_neither_rating_nor_qa(tr: Translator, forum: Forum) -> None:
    shown = labels(card(tr, forum, "coffee_morning", at(11, 45)))
    assert not TIMELY & set(shown)


def test_now_offers_running_sessions_with_their_qa_and_the_full_agenda(
    tr: Translator, forum: Forum
) -> None:
    screen = agenda_now.now_screen(tr, forum, at(10, 30))
    shown = labels(screen)
    assert "❓ Ask a question" in shown
    assert shown[-1] == "📅 Full agenda"
    rows = [[b.data for b in row] for row in screen.buttons]
    assert ["ag:open:opening"] in rows
    assert rows[rows.index(["ag:open:opening"]) + 1] == ["qa:ask:opening", "qa:list:opening:0"]


def test_a_day_page_lists_no_button_for_a_break(tr: Translator, forum: Forum) -> None:
    page = agenda_views.day_page(tr, forum, at(9).date(), None, 0)
    data = [b.data for row in page.buttons for b in row]
    assert "ag:open:opening" in data
    assert "ag:open:coffee_morning" not in data
    assert all(row for row in page.buttons if row) and page.html


def test_my_agenda_empty_and_clashing(tr: Translator, forum: Forum) -> None:
    empty = my_agenda.my_page(tr, [], 0)
    assert [b.data for row in empty.buttons for b in row] == ["ag:all", "rem:menu"]
    clashing = [s for s in forum.sessions if s.id in ("institutions", "sdg")]
    page = my_agenda.my_page(tr, clashing, 0)
    assert "Some sessions overlap" in page.text
    assert page.buttons[-1][0].data == "my:ics"


def test_agenda_of_a_one_day_forum_is_its_list(tr: Translator, forum: Forum) -> None:
    assert len(forum.days()) == 1
    for everything in (False, True):
        screen = agenda_views.agenda_screen(tr, forum, at(10), everything=everything)
        assert screen.text == agenda_views.day_page(tr, forum, at(10).date(), None, 0).text


def test_a_days_list_is_laid_out_once_per_language_and_anew_after_a_reload(
    forum: Forum, tr: Translator
) -> None:
    day = forum.days()[0]
    first = agenda_views.day_list(tr, forum, day)
    assert agenda_views.day_list(tr, forum, day) is first
    kazakh = agenda_views.day_list(I18n(ALMATY, "en").get("kk"), forum, day)
    assert kazakh is not first and kazakh.blocks != first.blocks
    reloaded = load_content(sample_content_path())  # /reload: a new programme
    fresh = agenda_views.day_list(tr, reloaded, day)
    assert fresh is not first and fresh.forum is reloaded and fresh.blocks == first.blocks
    # The page shown is the same whether laid out now or kept.
    assert agenda_views.day_page(tr, forum, day, None, 0) == agenda_views.day_page(
        tr, reloaded, day, None, 0
    )
