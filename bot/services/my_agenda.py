"""/my as a view model: the sessions a person starred, in time order, clashes flagged, paged.

Buttons: ``my:ics`` the calendar file, ``my:p:<page>`` a page; each session opens its card
(``ag:open:<id>``); "⏰ Reminders" is the delivery feature's ``rem:menu``.
"""

from __future__ import annotations

from bot.content import Session
from bot.i18n import Translator
from bot.services import agenda as timetable
from bot.services.agenda_views import FEATURE as AGENDA
from bot.services.agenda_views import PAGE_LIMIT, esc, page_turns, screen, session_button
from bot.views import Rows, Screen, button

FEATURE = "my"
REMINDERS = "rem"  # handlers/reminders.py
CLASH_TITLE = 60  # characters of each clashing session's title


def my_page(tr: Translator, sessions: list[Session], page: int) -> Screen:
    """The list (a page of it), clashes marked, with the .ics and reminders buttons."""
    reminders = button(REMINDERS, tr._("⏰ Reminders"), "menu")
    if not sessions:
        text = tr._(
            "⭐ Your agenda is empty.\n\nOpen /agenda, tap a session and then "
            "“⭐ Add to my agenda”. You will find it here, with reminders before it starts."
        )
        return screen(text, [[button(AGENDA, tr._("📅 Agenda"), "all")], [reminders]])
    overlaps = timetable.clashes(sessions)
    multi_day = len({s.day for s in sessions}) > 1
    blocks = [_entry(tr, session, overlaps, multi_day=multi_day) for session in sessions]
    pages = timetable.pack_pages(blocks, PAGE_LIMIT - 300)
    page = min(max(page, 0), len(pages) - 1)
    header = tr.ngettext(
        "⭐ <b>My agenda</b>: {n} session", "⭐ <b>My agenda</b>: {n} sessions", len(sessions)
    ).format(n=len(sessions))
    if any(overlaps.get(s.id) for s in sessions):
        header += "\n" + tr._("Some sessions overlap: you will have to choose.")
    if len(pages) > 1:
        header += "\n" + tr._("Page {page} of {pages}").format(page=page + 1, pages=len(pages))
    text = header + "\n\n" + "\n\n".join(blocks[i] for i in pages[page])
    buttons: Rows = [[session_button(tr, sessions[i])] for i in pages[page]]
    buttons.append(page_turns(tr, page, len(pages), lambda text, n: button(FEATURE, text, "p", n)))
    buttons.append([button(FEATURE, tr._("📅 All to calendar (.ics)"), "ics"), reminders])
    return screen(text, buttons)


def _entry(
    tr: Translator, session: Session, overlaps: dict[str, list[Session]], *, multi_day: bool
) -> str:
    """A session of the list: when (with the day when the list spans days), title, room, clashes."""
    lang = tr.language
    when = tr.time_range(session.starts, session.ends)
    if multi_day:
        when = f"{tr.day(session.starts)}, {when}"
    entry = (
        f"<b>{esc(when)}</b>\n{esc(session.title.get(lang))} — <i>{esc(session.room.get(lang))}</i>"
    )
    if others := overlaps.get(session.id):
        entry += "\n" + tr._("⚠️ Clashes with: {titles}").format(
            titles=esc("; ".join(timetable.shorten(o.title.get(lang), CLASH_TITLE) for o in others))
        )
    return entry
