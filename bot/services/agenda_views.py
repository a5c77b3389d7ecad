"""What the agenda's lists show, as view models: the day picker, a day's page, the track picker.

Pure functions of the content and a translator returning :class:`~bot.views.Screen` (HTML, in
place of the pressed message); ``handlers/agenda.py`` only renders them. Buttons (``ag:*``):
``ag:days`` day picker, ``ag:d:<yyyymmdd>:<track|->:<page>`` a day's list, ``ag:tf:<yyyymmdd>``
track filter, ``ag:open:<id>`` a session's card (bot/services/agenda_card.py).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from bot.content import Forum, Session
from bot.i18n import N_, Translator
from bot.services import agenda as timetable
from bot.services import html_text
from bot.views import Button, Rows, Screen, button

FEATURE = "ag"
PAGE_LIMIT = 3500  # characters of a list page (Telegram allows 4096)
CARD_LIMIT = 4000
BUTTON_TITLE = 40  # characters of a session title on a button
NOT_LISTED_KINDS = frozenset({"break"})  # shown in lists, without a button
GONE_SESSION = N_("This session is no longer in the programme.")


def esc(text: str) -> str:
    """HTML-escape content text."""
    return html.escape(text, quote=False)


def day_code(day: date) -> str:
    """``20181114``."""
    return day.strftime("%Y%m%d")


def parse_day(code: str) -> date | None:
    """The date of a ``yyyymmdd`` code, or None."""
    try:
        return datetime.strptime(code, "%Y%m%d").date()
    except ValueError:
        return None


def screen(text: str, buttons: Rows) -> Screen:
    """An agenda screen: HTML, replacing the pressed message (a new one after a command)."""
    return Screen(text, buttons, "edit", html=True)


def session_button(tr: Translator, session: Session, *, with_time: bool = True) -> Button:
    """A button opening the session's card: "10:00 · Title"."""
    title = timetable.shorten(session.title.get(tr.language), BUTTON_TITLE)
    label = f"{tr.time(session.starts)} · {title}" if with_time else title
    return button(FEATURE, label, "open", session.id)


def day_button(text: str, day: date, track: str = "-", page: int = 0) -> Button:
    """A button showing a page of the day's list (``-``: every track)."""
    return button(FEATURE, text, "d", day_code(day), track, page)


def current_day(forum: Forum, now: datetime) -> date:
    """Today if it is a forum day, else the first day."""
    today = now.astimezone(forum.forum.tz).date()
    days = forum.days()
    return today if today in days else days[0]


# ----------------------------------------------------------------------------- pickers


def agenda_screen(
    tr: Translator, forum: Forum, now: datetime, *, everything: bool = False
) -> Screen:
    """/agenda and "Other days": the day picker (today marked), or the list if there is one day;
    ``everything`` ("Full agenda" under /now): today's list (the first day's out of the forum)."""
    if everything or len(forum.days()) == 1:
        return day_page(tr, forum, current_day(forum, now), None, 0)
    return day_picker(tr, forum, now.astimezone(forum.forum.tz).date())


def day_picker(tr: Translator, forum: Forum, today: date) -> Screen:
    """A button per forum day (today marked)."""
    buttons = [
        [day_button(("📍 " if day == today else "") + tr.day(day), day)] for day in forum.days()
    ]
    text = tr._("📅 <b>{forum}</b>\nChoose a day:").format(
        forum=esc(forum.forum.name.get(tr.language))
    )
    return screen(text, buttons)


def track_picker(tr: Translator, forum: Forum, day: date) -> Screen:
    """The tracks of the day, and "All tracks"."""
    tracks = [track for t in timetable.tracks_on(forum, day) if (track := forum.track(t))]
    buttons = [[day_button(track.title.get(tr.language), day, track.id)] for track in tracks]
    buttons.append([day_button(tr._("All tracks"), day)])
    text = tr._("📅 <b>{day}</b>\nChoose a track:").format(day=esc(tr.day(day)))
    return screen(text, buttons)


# ----------------------------------------------------------------------------- a day's list


def slot_block(tr: Translator, slot: timetable.Slot) -> str:
    """A time slot in a list: its times, then each session with its room."""
    lang = tr.language
    lines = [f"<b>{tr.time_range(slot.starts, slot.ends)}</b>"]
    for session in slot.sessions:
        marker = "☕" if session.kind in NOT_LISTED_KINDS else "•"
        times = ""
        if session.ends != slot.ends:
            times = f" ({tr.time_range(session.starts, session.ends)})"
        lines.append(
            f"{marker} {esc(timetable.shorten(session.title.get(lang), 300))}{times}"
            f" — <i>{esc(session.room.get(lang))}</i>"
        )
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class DayList:
    """A day's list in one language: its slots, each slot's text, the slots of each page."""

    forum: Forum  # the programme it was laid out from: held, so its id stays this list's key
    slots: list[timetable.Slot]
    blocks: list[str]
    pages: list[list[int]]


# Day lists laid out, per (programme, language, day, track): the same few lists are shown on
# every press of the agenda (and a session card's "◀ Agenda" looks up its page), and laying one
# out formats every slot of the day. Bounded; a reloaded programme is a new key.
_DAY_LISTS: dict[tuple[int, str, date, str | None], DayList] = {}
DAY_LISTS_KEPT = 512


def day_list(tr: Translator, forum: Forum, day: date, track: str | None = None) -> DayList:
    """The day's list in ``tr``'s language, laid out once and kept."""
    key = (id(forum), tr.language, day, track)
    kept = _DAY_LISTS.get(key)
    if kept is not None:
        return kept
    slots = timetable.day_slots(forum, day, track)
    blocks = [slot_block(tr, slot) for slot in slots]
    laid_out = DayList(forum, slots, blocks, timetable.pack_pages(blocks, PAGE_LIMIT))
    if len(_DAY_LISTS) >= DAY_LISTS_KEPT:
        _DAY_LISTS.clear()
    _DAY_LISTS[key] = laid_out
    return laid_out


def page_of(tr: Translator, forum: Forum, session: Session) -> int:
    """The page of its day's list that shows ``session`` (where "◀ Agenda" goes back to)."""
    listed = day_list(tr, forum, session.day)
    for number, page in enumerate(listed.pages):
        if any(session in listed.slots[i].sessions for i in page):
            return number
    return 0


def day_page(tr: Translator, forum: Forum, day: date, track: str | None, page: int) -> Screen:
    """One page of a day's programme, slots kept whole, under Telegram's 4096 characters."""
    listed = day_list(tr, forum, day, track)
    slots, blocks, pages = listed.slots, listed.blocks, listed.pages
    page = min(max(page, 0), len(pages) - 1)
    header = _day_header(tr, forum, day, track, page, len(pages))
    if not pages[page]:
        body = tr._("No sessions on this day.")
    else:
        body = "\n\n".join(blocks[i] for i in pages[page])
        if len(body) > PAGE_LIMIT:  # one enormous slot
            body = html_text.truncate(body, PAGE_LIMIT)
    buttons: Rows = [
        [session_button(tr, session)]
        for i in pages[page]
        for session in slots[i].sessions
        if session.kind not in NOT_LISTED_KINDS
    ]
    turn = track or "-"
    buttons.append(page_turns(tr, page, len(pages), lambda text, n: day_button(text, day, turn, n)))
    buttons.append(_day_tools(tr, forum, day, track))
    return screen(f"{header}\n\n{body}", buttons)


def _day_header(
    tr: Translator, forum: Forum, day: date, track: str | None, page: int, pages: int
) -> str:
    header = tr._("📅 <b>{day}</b>").format(day=esc(tr.day(day)))
    track_item = forum.track(track) if track else None
    if track_item is not None:
        header += "\n" + tr._("Track: {track}").format(track=esc(track_item.title.get(tr.language)))
    if pages > 1:
        header += "\n" + tr._("Page {page} of {pages}").format(page=page + 1, pages=pages)
    return header


def page_turns(
    tr: Translator, page: int, pages: int, to_page: Callable[[str, int], Button]
) -> list[Button]:
    """ "◀ Earlier" and "Later ▶" where there is such a page (an empty row is dropped)."""
    turns = []
    if page > 0:
        turns.append(to_page(tr._("◀ Earlier"), page - 1))
    if page < pages - 1:
        turns.append(to_page(tr._("Later ▶"), page + 1))
    return turns


def _day_tools(tr: Translator, forum: Forum, day: date, track: str | None) -> list[Button]:
    """The track filter (or "All tracks" when one is chosen) and "Other days"."""
    tools = []
    if timetable.tracks_on(forum, day):
        if track is not None and forum.track(track) is not None:
            tools.append(day_button(tr._("✖ All tracks"), day))
        else:
            tools.append(button(FEATURE, tr._("🏷 Filter by track"), "tf", day_code(day)))
    if len(forum.days()) > 1:
        tools.append(button(FEATURE, tr._("📆 Other days"), "days"))
    return tools
