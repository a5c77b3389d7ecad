"""/now as a view model: what is on in each room and what comes next, with buttons to them.

:func:`~bot.services.agenda.now_next` decides what is on; this module says it (before the
forum, during it room by room, in a break, between slots, after it) and offers a card button
per session mentioned, the Q&A of those running, and the full agenda.
"""

from __future__ import annotations

from datetime import datetime

from bot.content import Forum, Session
from bot.i18n import Translator
from bot.services import agenda as timetable
from bot.services import html_text
from bot.services.agenda_card import qa_buttons
from bot.services.agenda_views import (
    CARD_LIMIT,
    FEATURE,
    NOT_LISTED_KINDS,
    esc,
    screen,
    session_button,
)
from bot.views import Rows, Screen, button


def now_screen(tr: Translator, forum: Forum, moment: datetime) -> Screen:
    """/now at ``moment``: the text, a button per session it mentions, "Full agenda"."""
    text, sessions = now_text(tr, forum, moment)
    buttons: Rows = []
    seen: set[str] = set()
    for session in sessions:
        if session.id not in seen and session.kind not in NOT_LISTED_KINDS:
            seen.add(session.id)
            buttons.append([session_button(tr, session)])
            if session.is_running(moment):
                buttons.append(qa_buttons(tr, session, moment))
    buttons.append([button(FEATURE, tr._("📅 Full agenda"), "all")])
    return screen(text, buttons)


def now_text(tr: Translator, forum: Forum, moment: datetime) -> tuple[str, list[Session]]:
    """/now's text and the sessions it mentions (for buttons)."""
    info = timetable.now_next(forum, moment)
    if info.state == "empty":
        return tr._("The programme has not been published yet."), []
    if info.state == "after":
        return tr._(
            "The forum is over. Thank you for taking part! Surveys may still be open: /surveys"
        ), []
    if info.state == "before":
        assert info.first is not None  # now_next names the first session before the forum
        return _before_text(tr, forum, info.first, moment), [info.first]
    header = tr._("⏱ <b>Now, {time}</b>").format(time=tr.time(moment))
    if info.state == "break" and info.break_until is not None:
        header += "\n" + tr._("☕ Break until {time}.").format(time=tr.time(info.break_until))
    elif info.state == "between":
        header += "\n" + tr._("Nothing is on right now.")
    blocks = [header]
    mentioned: list[Session] = []
    for room in info.rooms:
        blocks.append(_room_block(tr, room, moment))
        mentioned += [s for s in (room.current, room.next) if s is not None]
    if not info.rooms and info.upcoming:
        blocks.append(_upcoming_block(tr, info.upcoming, moment))
        mentioned += info.upcoming
    return html_text.truncate("\n\n".join(blocks), CARD_LIMIT), mentioned


def _before_text(tr: Translator, forum: Forum, first: Session, moment: datetime) -> str:
    """When the forum opens, where, and its first session."""
    lang = tr.language
    text = tr._(
        "The forum has not started yet. It opens {relative}: {day}, {time}, {venue}."
    ).format(
        relative=tr.relative(first.starts - moment),
        day=esc(tr.day(first.starts, capital=False)),
        time=tr.time(first.starts),
        venue=esc(forum.forum.venue.get(lang)),
    )
    return (
        text
        + "\n\n"
        + tr._("First: <b>{title}</b> — {room}").format(
            title=esc(first.title.get(lang)), room=esc(first.room.get(lang))
        )
    )


def _room_block(tr: Translator, room: timetable.RoomNow, moment: datetime) -> str:
    """A room: the session running in it (since when, until when) and the next one."""
    lang = tr.language
    lines = [f"📍 <b>{esc(room.room.get(lang))}</b>"]
    if room.current is not None:
        lines.append(
            tr._("▶ {title} — started {relative}, until {time}").format(
                title=esc(room.current.title.get(lang)),
                relative=tr.relative(room.current.starts - moment),
                time=tr.time(room.current.ends),
            )
        )
    if room.next is not None:
        lines.append(
            tr._("⏭ {time} {title} — {relative}").format(
                time=tr.time(room.next.starts),
                title=esc(room.next.title.get(lang)),
                relative=tr.relative(room.next.starts - moment),
            )
        )
    return "\n".join(lines)


def _upcoming_block(tr: Translator, upcoming: tuple[Session, ...], moment: datetime) -> str:
    """Nothing on in any room today: when the next slot starts, and its sessions."""
    lang = tr.language
    first = upcoming[0]
    lines = [
        tr._("Next: {day}, {time}").format(
            day=esc(tr.day(first.starts, capital=False)), time=tr.time(first.starts)
        )
        + " — "
        + tr.relative(first.starts - moment)
    ]
    lines += [f"• {esc(s.title.get(lang))} — <i>{esc(s.room.get(lang))}</i>" for s in upcoming]
    return "\n\n".join(lines)
