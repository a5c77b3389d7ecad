"""Sessions as an iCalendar (.ics) file for phone and desktop calendars.

Each event has the stable UID ``<session_id>@<forum_id>``, so importing the file again updates
the events instead of duplicating them; times carry the forum's time zone (TZID plus a
VTIMEZONE) so every calendar shows them right wherever the person is.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from icalendar import Calendar, Event

from bot.content import Forum, Session

PRODID = "-//Civic Forum Bot//agenda//EN"


def uid(forum: Forum, session: Session) -> str:
    """The event's stable UID."""
    return f"{session.id}@{forum.forum.id}"


def sessions_ics(forum: Forum, sessions: Iterable[Session], lang: str, now: datetime) -> bytes:
    """An .ics calendar with one event per session, texts in ``lang``."""
    tz = forum.forum.tz
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", forum.forum.name.get(lang))
    calendar.add("x-wr-timezone", forum.forum.timezone)
    venue = forum.forum.venue.get(lang)
    for session in sorted(sessions, key=lambda s: (s.starts, s.id)):
        event = Event()
        event.add("uid", uid(forum, session))
        event.add("dtstamp", now)
        event.add("dtstart", session.starts.astimezone(tz))
        event.add("dtend", session.ends.astimezone(tz))
        event.add("summary", session.title.get(lang))
        event.add("location", f"{session.room.get(lang)}, {venue}")
        lines = []
        if session.description is not None:
            lines.append(session.description.get(lang))
        names = [p.name.get(lang) for p in (forum.speaker(i) for i in session.people) if p]
        if names:
            lines.append(", ".join(names))
        if lines:
            event.add("description", "\n\n".join(lines))
        if session.track:
            track = forum.track(session.track)
            if track is not None:
                event.add("categories", [track.title.get(lang)])
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def filename(forum: Forum, session: Session | None = None) -> str:
    """``<forum>-<session>.ics`` or ``<forum>-my-agenda.ics``."""
    name = session.id if session is not None else "my-agenda"
    return f"{forum.forum.id}-{name}.ics"
