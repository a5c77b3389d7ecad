"""Labels that fit a phone: every keyboard the bot builds, measured in kk, ru and en.

A reply-keyboard label has at most 18 characters (the menu is two to a row); a button that
shares an inline row with others fits its share (18 for two, 12 for three); long names
(regions, groups, goals, days) stand one to a row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content import Forum, parse_content
from bot.i18n import LANGUAGES, I18n
from bot.resources import sample_content_path
from bot.services import agenda_views
from bot.services import proposals as svc
from bot.services.proposal_dialog import ProposalDialog
from bot.settings import Settings
from bot.views import Screen, label_length, label_limit, layout
from handlers import reminders, render, start
from handlers.keyboards import confirm_keyboard, language_keyboard, rows
from storage.proposals import Draft
from tests.unit.test_proposals_storage import release

MENU_LIMIT = 18


@pytest.fixture(scope="module")
def app_services(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from bot.app import build_application

    settings = Settings(
        _env_file=None,
        bot_token="123456:ABCdef",
        database_path=Path(tmp_path_factory.mktemp("labels")) / "bot.db",
    )
    return build_application(settings).bot_data["services"]


@pytest.fixture(scope="module")
def forum() -> Forum:
    """The sample forum over two days (the agenda then offers "Other days" too)."""
    document = yaml.safe_load(sample_content_path().read_text(encoding="utf-8"))
    document["forum"]["ends"] = "2018-11-15"
    for session in document["sessions"]:
        if session["starts"] >= "2018-11-14 14:30":
            session["starts"] = session["starts"].replace("11-14", "11-15")
            session["ends"] = session["ends"].replace("11-14", "11-15")
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    return parse_content(text, source_path=sample_content_path())


def _too_long(markup: InlineKeyboardMarkup, where: str) -> list[str]:
    """Labels longer than their share of the row, as "where: label (length > limit)"."""
    found = []
    for row in markup.inline_keyboard:
        if len(row) < 2:
            continue  # one to a row: the whole width
        limit = label_limit(len(row))
        for button in row:
            if label_length(button.text) > limit:
                found.append(f"{where}: {button.text!r} ({label_length(button.text)} > {limit})")
    return found


def keyboard(screen: Screen) -> InlineKeyboardMarkup:
    """The Telegram keyboard of a screen that has buttons."""
    markup = render.markup(screen.buttons)
    assert markup is not None
    return markup


def _keyboards(services: Any, forum: Forum, lang: str) -> list[tuple[str, InlineKeyboardMarkup]]:
    """Every keyboard that can be built without a chat, in ``lang``."""
    tr = services.i18n.get(lang)
    built: list[tuple[str, InlineKeyboardMarkup]] = [
        ("stakeholder groups", start.stakeholder_keyboard(tr)),
        ("language", language_keyboard("lang", lang)),
        ("confirm", confirm_keyboard(tr, "x", "y")),
        ("agenda days", keyboard(agenda_views.day_picker(tr, forum, forum.days()[0]))),
        ("agenda tracks", keyboard(agenda_views.track_picker(tr, forum, forum.days()[0]))),
    ]
    track = forum.tracks[0].id
    for day in forum.days():
        built.append((f"agenda {day}", keyboard(agenda_views.day_page(tr, forum, day, None, 0))))
        page = agenda_views.day_page(tr, forum, day, track, 0)
        built.append((f"agenda {day} {track}", keyboard(page)))
    for minutes in (0, 5, 15, 30):
        built.append((f"reminders ({minutes})", reminders.menu_keyboard(tr, minutes)))
    dialog = ProposalDialog(services)
    answers = {"org_type": "association", "phone": "87011234567", "sdgs_selecting": [4]}
    for step in svc.STEPS:
        draft = Draft(user_id=1, step=step, data=dict(answers), editing=step != "review")
        markup = render.markup(dialog.question(tr, draft).buttons)
        if markup is not None:
            built.append((f"proposal step {step}", markup))
    return built


@pytest.mark.parametrize("lang", LANGUAGES)
def test_reply_menu_labels_fit_two_to_a_row(app_services: Any, lang: str) -> None:
    tr = app_services.i18n.get(lang)
    long = [
        f"{tr._(item.label)!r} ({label_length(tr._(item.label))})"
        for item in app_services.menu.items
        if label_length(tr._(item.label)) > MENU_LIMIT
    ]
    assert long == [], f"{lang}: menu labels over {MENU_LIMIT} characters"
    keyboard = app_services.menu.keyboard(tr, organizer=True).keyboard
    assert all(len(row) == 2 for row in keyboard[:-1])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_inline_label_fits_its_share_of_the_row(
    app_services: Any, forum: Forum, lang: str
) -> None:
    problems: list[str] = []
    for where, markup in _keyboards(app_services, forum, lang):
        problems += _too_long(markup, where)
    assert problems == []


def test_long_names_stand_alone_and_short_ones_pair_up() -> None:
    i18n = I18n(ZoneInfo("Asia/Almaty"), "ru")
    tr = i18n.get("ru")
    names = [tr._(label) for label in svc.REGIONS.values()]
    buttons = [InlineKeyboardButton(name, callback_data=str(i)) for i, name in enumerate(names)]
    laid = rows(buttons, 2)
    assert [b.text for row in laid for b in row] == names  # order kept
    texts = [[b.text for b in row] for row in laid]
    assert ["Восточно-Казахстанская область"] in texts
    assert texts[0] == ["Астана", "Алматы"]
    assert layout(["5 минут", "10 минут", "15 минут", "30 минут", "✓ Не напоминать"], 3) == [3, 2]


def test_label_length_counts_what_the_eye_sees() -> None:
    assert label_length("✖️ Отменить") == len("✖ Отменить")  # the variation selector is invisible
    assert label_length("⭐ Менің күн тәртібім") == 20


@pytest.mark.parametrize(
    ("old", "lang", "label"),
    [
        ("⭐ Менің күн тәртібім", "kk", "⭐ Күн тәртібім"),
        ("🔒 Персональные данные", "ru", "🔒 Мои данные"),
    ],
)
def test_a_shortened_menu_label_still_works_on_an_old_keyboard(
    app_services: Any, old: str, lang: str, label: str
) -> None:
    """A reply keyboard stays on the phone until replaced: its old buttons keep their meaning."""
    menu = app_services.menu
    item = menu.item_for(old)
    assert item is not None
    assert menu.item_for(label) is item
    assert app_services.i18n.get(lang)._(item.label) == label


async def _board_keyboards(tmp_path: Path, lang: str) -> list[tuple[str, InlineKeyboardMarkup]]:
    """Every keyboard of the review board (/board), the reviewer's /review, the endorsement and
    the authors' revision, as built with a proposal, a review, a pending revision request, a
    recommendation and an accepted proposal in the database."""
    from datetime import UTC, datetime

    from bot.app import build_application
    from bot.services.board import BoardFlow
    from bot.services.board_release import decision_notice
    from bot.services.endorsement import EndorsementFlow
    from bot.services.review import Filter
    from bot.services.review import ReviewFlow as OrganizerReview
    from bot.services.reviewing import ReviewFlow

    now = datetime(2018, 11, 14, 4, 0, tzinfo=UTC)
    settings = Settings(
        _env_file=None,
        bot_token="123456:ABCdef",
        database_path=tmp_path / "bot.db",
        admin_ids="1",
    )
    services = build_application(settings).bot_data["services"]
    await services.db.open()
    try:
        repos = services.repos
        for uid in (1, 2, 3):
            await repos.users.upsert_seen(
                uid, first_name="A", last_name=None, username=None, language_code=lang, now=now
            )
        data = {
            "consent_version": "v1", "consent_at": now.isoformat(), "org_name": "Org",
            "org_type": "initiative", "region": "east_kz", "topic": "institutions",
            "sdgs": [4], "title": "T", "summary": "S", "support": "H",
        }  # fmt: skip
        pid = (await repos.proposals.submit(2, lang, data, now)).id
        accepted = (await repos.proposals.submit(2, lang, {**data, "region": "shymkent"}, now)).id
        await repos.proposals.set_pending(accepted, "accepted", now)
        await release(services.db, now)
        await repos.reviews.assign([(pid, 3)], 1, now)
        await repos.reviews.decide(pid, "revise", now, fields=("title", "summary", "support"))
        await repos.endorsements.add("institutions", {lang: "R"}, [pid], now)
        tr = services.i18n.get(lang)
        board = BoardFlow(services)
        outcomes = [
            _shown(await board.home(tr)),
            _shown(await board.ranking(tr, "-", 0)),
            *[_shown(await board.filter_menu(tr, kind)) for kind in ("t", "r", "g")],
            _shown(await board.card(tr, pid)),
            _shown(await board.recommendations(tr)),
        ]
        for action, args in (("rl", ()), ("rn", ()), ("ra", (str(pid),)), ("doc", ())):
            outcome = await board.press(tr, 1, action, args)
            outcomes += [_shown(s) for s in outcome.screens]
        reviewing = ReviewFlow(services)
        p = await repos.proposals.get(pid)
        phase = services.content.review
        for index in range(len(phase.criteria)):
            outcomes.append(_shown(reviewing._criterion(tr, phase, pid, index, None)))
        outcomes.append(_shown(reviewing._actions(tr, p, None)))
        endorsement = EndorsementFlow(services)
        (rec,) = await repos.endorsements.all()
        for vote in (None, "support"):
            outcomes.append(_shown(endorsement._screen(tr, rec, 1, 1, vote)))
        (decision,) = await repos.reviews.pending()
        for message in await decision_notice(services, decision):
            notice = InlineKeyboardMarkup.de_json(message.reply_markup, None)  # Bot API JSON
            outcomes.append(("revision notice", notice))
        # The organizers' review of proposals (/proposals).
        organizers = OrganizerReview(services)
        flt = Filter()
        screens = [
            await organizers.list_screen(tr, flt, "send"),
            await organizers.card_screen(tr, pid, flt.token()),
            await organizers.card_screen(tr, accepted, flt.token()),
            *[organizers.filter_screen(tr, kind, flt) for kind in ("fs", "ft", "fg")],
        ]
        for action in ("rel", "rep"):
            screens += (await organizers.press(tr, 1, action, ())).screens
        outcomes += [(f"/proposals {s.text[:20]!r}", render.markup(s.buttons)) for s in screens]
        return [(where, markup) for where, markup in outcomes if markup is not None]
    finally:
        await services.db.close()


def _shown(screen: Any) -> tuple[str, Any]:
    """(where, markup) of a board screen (None: no screen)."""
    if screen is None:
        return ("", None)
    return (screen.text.splitlines()[0] if screen.text else "", render.markup(screen.buttons))


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_board_review_and_endorsement_labels_fit_their_share_of_the_row(
    tmp_path: Path, lang: str
) -> None:
    """Issue 13 item 6 on the keyboards of /board, /review, /proposals and /endorse."""
    keyboards = await _board_keyboards(tmp_path, lang)
    assert len(keyboards) >= 15
    problems: list[str] = []
    for where, markup in keyboards:
        problems += _too_long(markup, where)
    assert problems == []
