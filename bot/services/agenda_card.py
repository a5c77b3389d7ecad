"""A session's card as a view model: what it says, and which buttons it offers when.

The card shows the time, weekday, room, track, kind, people and description; its buttons open
the speakers, star or unstar the session, give a calendar file and a share link, offer a rating
once the session has started, the Q&A while it takes questions, and lead back to the agenda
page the session is on. ``handlers/agenda.py`` renders it; callback data ``ag:star:<id>``,
``ag:unstar:<id>``, ``ag:ics:<id>``, ``sp:open:<id>``, ``rate:open:<id>``, ``qa:ask:<id>``,
``qa:list:<id>:0``.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from bot.content import Forum, Session
from bot.i18n import N_, Translator
from bot.services import agenda as timetable
from bot.services import html_text, ratings
from bot.services import qa_common as live_qa
from bot.services.agenda_views import (
    CARD_LIMIT,
    FEATURE,
    NOT_LISTED_KINDS,
    day_button,
    esc,
    page_of,
    screen,
)
from bot.views import Button, Rows, Screen, button
from bot.views import rows as laid_out

SPEAKERS = "sp"  # handlers/speakers.py: a speaker's card
SPEAKER_NAME = 30  # characters of a name on a button

KIND_LABELS: dict[str, str] = {
    "registration": N_("Registration"),
    "plenary": N_("Plenary session"),
    "panel": N_("Panel discussion"),
    "workshop": N_("Workshop"),
    "break": N_("Break"),
    "networking": N_("Networking"),
}


def session_card(
    tr: Translator,
    forum: Forum,
    session: Session,
    *,
    starred: bool,
    link: str | None,
    now: datetime,
) -> Screen:
    """The card of ``session``; ``link`` is its deep link (None when the bot's name is unknown)."""
    text = card_text(tr, forum, session, starred=starred, link=link)
    return screen(text, card_buttons(tr, forum, session, starred=starred, link=link, now=now))


def card_text(
    tr: Translator, forum: Forum, session: Session, *, starred: bool, link: str | None
) -> str:
    """The card's HTML, within :data:`CARD_LIMIT` with the share link kept whole at its end."""
    lang = tr.language
    lines = [f"<b>{esc(session.title.get(lang))}</b>", ""]
    lines.append(f"🗓 {esc(tr.day(session.starts))}, {tr.time_range(session.starts, session.ends)}")
    lines.append(f"📍 {esc(session.room.get(lang))}")
    track = forum.track(session.track) if session.track else None
    if track is not None:
        lines.append(f"🏷 {esc(track.title.get(lang))}")
    lines.append(f"🔹 {esc(tr._(KIND_LABELS[session.kind]))}")
    if starred:
        lines.append(tr._("⭐ In my agenda"))
    for label, ids in ((N_("Moderator"), session.moderators), (N_("Speakers"), session.speakers)):
        people = [p for p in (forum.speaker(i) for i in ids) if p is not None]
        if people:
            names = ", ".join(esc(p.name.get(lang)) for p in people)
            lines.append(f"\n<b>{esc(tr._(label))}:</b> {names}")
    share = "\n\n" + tr._("Link to share: {link}").format(link=link) if link else ""
    if session.description is not None:
        # The plain description is cut to the room left, and escaped after.
        room = CARD_LIMIT - len(share) - len("\n".join(lines)) - 2
        lines.append("\n" + html_text.shorten_escaped(session.description.get(lang), room))
    text = html_text.truncate("\n".join(lines), CARD_LIMIT - len(share)) + share
    return html_text.truncate(text, CARD_LIMIT)


def card_buttons(
    tr: Translator,
    forum: Forum,
    session: Session,
    *,
    starred: bool,
    link: str | None,
    now: datetime,
) -> Rows:
    """Speakers two to a row (a long name alone), star, calendar and share, rating, Q&A, back
    to the agenda."""
    lang = tr.language
    people = [p for p in (forum.speaker(i) for i in session.people) if p is not None]
    speakers = [
        button(SPEAKERS, "🎤 " + timetable.shorten(p.name.get(lang), SPEAKER_NAME), "open", p.id)
        for p in people
    ]
    rows: Rows = laid_out(speakers, 2)
    if starred:
        rows.append([button(FEATURE, tr._("✖ Remove from my agenda"), "unstar", session.id)])
    else:
        rows.append([button(FEATURE, tr._("⭐ Add to my agenda"), "star", session.id)])
    actions = [button(FEATURE, tr._("📅 To calendar"), "ics", session.id)]
    if link:
        title = quote(session.title.get(lang)[:200], safe="")
        share_url = f"https://t.me/share/url?url={quote(link, safe='')}&text={title}"
        actions.append(Button(tr._("🔗 Share"), url=share_url))
    rows.append(actions)
    if session.kind not in NOT_LISTED_KINDS and ratings.can_rate(session, now):
        rows.append([button(ratings.FEATURE, tr._("⭐ Rate this session"), "open", session.id)])
    rows.append(qa_buttons(tr, session, now))
    back = day_button(tr._("◀ Agenda"), session.day, "-", page_of(tr, forum, session))
    rows.append([back])
    return rows


def qa_buttons(tr: Translator, session: Session, now: datetime) -> list[Button]:
    """ "❓ Ask a question" (while the session takes questions) and "📋 Questions" (from then)."""
    if session.kind == "break":
        return []
    buttons = []
    state = live_qa.window(session, now).state
    if state == "open":
        buttons.append(button(live_qa.FEATURE, tr._("❓ Ask a question"), "ask", session.id))
    if state != "early":
        buttons.append(button(live_qa.FEATURE, tr._("📋 Questions"), "list", session.id, 0))
    return buttons
