"""The timetable: days, time slots with parallel sessions, now/next, clashes and search.

Pure functions over the loaded :class:`~bot.content.Forum` (no Telegram, no SQL), so the rules
are unit-tested directly. The search index is built once per content version and kept in
``services.search`` (a :class:`SearchCache`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from bot.content import Forum, LocalizedText, Session
from bot.i18n import LANGUAGES

MIN_QUERY = 2  # characters: shorter text is not searched
MAX_QUERY = 100

# ------------------------------------------------------------------------------- slots


@dataclass(frozen=True)
class Slot:
    """Sessions starting at the same moment (parallel sessions), in room order."""

    starts: datetime
    ends: datetime
    sessions: tuple[Session, ...]


def day_slots(forum: Forum, day: date, track: str | None = None) -> list[Slot]:
    """The day's sessions grouped by start time; with ``track`` only that track's sessions."""
    groups: dict[datetime, list[Session]] = {}
    for session in forum.sessions_on(day):
        if track is not None and session.track != track:
            continue
        groups.setdefault(session.starts, []).append(session)
    rooms = room_order(forum)
    return [
        Slot(
            starts,
            max(s.ends for s in items),
            tuple(sorted(items, key=lambda s: rooms.get(s.room, len(rooms)))),
        )
        for starts, items in sorted(groups.items())
    ]


def room_order(forum: Forum) -> dict[LocalizedText, int]:
    """Rooms in the order they first appear in the programme."""
    order: dict[LocalizedText, int] = {}
    for session in forum.sessions:
        order.setdefault(session.room, len(order))
    return order


def tracks_on(forum: Forum, day: date) -> list[str]:
    """Ids of the tracks that have sessions on ``day``, in the content's order."""
    present = {s.track for s in forum.sessions_on(day) if s.track}
    return [t.id for t in forum.tracks if t.id in present]


def pack_pages(blocks: Sequence[str], limit: int, separator: str = "\n\n") -> list[list[int]]:
    """Indexes of ``blocks`` per page so that each page's joined text stays within ``limit``.

    A block longer than ``limit`` gets a page of its own (the caller shortens it).
    """
    pages: list[list[int]] = []
    size = 0
    for i, block in enumerate(blocks):
        extra = len(block) + (len(separator) if pages and pages[-1] else 0)
        if pages and pages[-1] and size + extra <= limit:
            pages[-1].append(i)
            size += extra
        else:
            pages.append([i])
            size = len(block)
    return pages or [[]]


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


# ------------------------------------------------------------------------------- now / next

State = Literal["empty", "before", "during", "break", "between", "after"]


@dataclass(frozen=True)
class RoomNow:
    """One room's running session and its next one later that day."""

    room: LocalizedText
    current: Session | None
    next: Session | None


@dataclass(frozen=True)
class NowNext:
    """What is on at a moment of the forum."""

    state: State
    moment: datetime
    rooms: tuple[RoomNow, ...] = ()
    first: Session | None = None  # the forum's first session (state "before")
    upcoming: tuple[Session, ...] = ()  # the next slot (nothing on now, later today or a later day)
    break_until: datetime | None = None


BREAK_KINDS = frozenset({"break"})


def now_next(forum: Forum, moment: datetime) -> NowNext:
    """Classify ``moment`` (aware) and list per room what runs now and what comes next."""
    sessions = forum.sessions
    if not sessions:
        return NowNext("empty", moment)
    local = moment.astimezone(forum.forum.tz)
    if moment < sessions[0].starts:
        return NowNext(
            "before",
            moment,
            first=sessions[0],
            upcoming=tuple(forum.next_sessions(moment, limit=1)),
        )
    if moment >= max(s.ends for s in sessions):
        return NowNext("after", moment)
    running = [s for s in sessions if s.is_running(moment)]
    today = [s for s in forum.sessions_on(local.date())]
    rooms: list[RoomNow] = []
    for room in room_order(forum):
        current = next((s for s in running if s.room == room), None)
        later = next(
            (s for s in today if s.room == room and s.starts >= moment and s is not current),
            None,
        )
        if current is not None or later is not None:
            rooms.append(RoomNow(room, current, later))
    # Rooms with something on first (in room order), then the others by their next start.
    rooms.sort(
        key=lambda r: (r.current is None, r.next.starts if r.current is None and r.next else moment)
    )
    upcoming = tuple(forum.next_sessions(moment, limit=1))
    if not running:
        return NowNext("between", moment, tuple(rooms), upcoming=upcoming)
    if all(s.kind in BREAK_KINDS for s in running):
        until = min(s.ends for s in running)
        return NowNext("break", moment, tuple(rooms), upcoming=upcoming, break_until=until)
    return NowNext("during", moment, tuple(rooms), upcoming=upcoming)


# ------------------------------------------------------------------------------- my agenda


def clashes(sessions: Iterable[Session]) -> dict[str, list[Session]]:
    """For each session id, the other given sessions that overlap it in time."""
    items = sorted(sessions, key=lambda s: (s.starts, s.ends, s.id))
    result: dict[str, list[Session]] = {s.id: [] for s in items}
    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            if b.starts >= a.ends:
                break
            result[a.id].append(b)
            result[b.id].append(a)
    return result


# ------------------------------------------------------------------------------- search

# Kazakh letters folded onto their Russian look-alikes, so "қазақ" finds "казак" and back:
# people type on whatever keyboard they have.
_FOLD = str.maketrans(
    {
        "ё": "е",
        "ә": "а",
        "ғ": "г",
        "қ": "к",
        "ң": "н",
        "ө": "о",
        "ұ": "у",
        "ү": "у",
        "һ": "х",
        "і": "и",
    }
)
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def fold(text: str) -> str:
    """Text for matching: NFC, casefolded, ё→е, Kazakh letters folded, words single-spaced."""
    text = unicodedata.normalize("NFC", text).casefold().translate(_FOLD)
    return " ".join(_NON_WORD.sub(" ", text).split())


@dataclass(frozen=True)
class Hit:
    """A search result: a session or a speaker, with a score (higher first)."""

    kind: Literal["session", "speaker"]
    id: str
    score: int


@dataclass
class _Entry:
    kind: Literal["session", "speaker"]
    id: str
    order: int
    title: str  # folded names/titles in every language
    body: str  # folded descriptions, positions, bios, room, track


@dataclass
class SearchIndex:
    """Folded texts of every session and speaker in all three languages."""

    fingerprint: str
    entries: list[_Entry] = field(default_factory=list)

    @classmethod
    def build(cls, forum: Forum) -> SearchIndex:
        """Index ``forum`` (done once per content version)."""
        index = cls(forum.fingerprint)

        def texts(*values: LocalizedText | None) -> str:
            return " | ".join(
                fold(v.get(lang)) for v in values if v is not None for lang in LANGUAGES
            )

        for i, session in enumerate(forum.sessions):
            track = forum.track(session.track) if session.track else None
            people = [forum.speaker(p) for p in session.people]
            names = [p.name for p in people if p is not None]
            index.entries.append(
                _Entry(
                    "session",
                    session.id,
                    i,
                    texts(session.title),
                    texts(session.description, track.title if track else None, *names),
                )
            )
        for i, speaker in enumerate(forum.speakers):
            index.entries.append(
                _Entry(
                    "speaker",
                    speaker.id,
                    len(forum.sessions) + i,
                    texts(speaker.name),
                    texts(speaker.position, speaker.bio),
                )
            )
        return index

    def search(self, query: str, limit: int = 20) -> list[Hit]:
        """Entries containing every word of ``query``; title matches rank first."""
        words = fold(query[:MAX_QUERY]).split()
        if not words or len("".join(words)) < MIN_QUERY:
            return []
        hits: list[tuple[int, int, Hit]] = []
        for entry in self.entries:
            score = 0
            for word in words:
                if word in entry.title:
                    score += 3 if re.search(rf"(^|\s){re.escape(word)}", entry.title) else 2
                elif word in entry.body:
                    score += 1
                else:
                    score = 0
                    break
            if score:
                hits.append((-score, entry.order, Hit(entry.kind, entry.id, score)))
        hits.sort(key=lambda h: (h[0], h[1]))
        return [h[2] for h in hits[:limit]]


class SearchCache:
    """The search index of the current content: built on first use, again when it changes."""

    def __init__(self) -> None:
        self._index: SearchIndex | None = None

    def index(self, forum: Forum) -> SearchIndex:
        """The index of ``forum``."""
        if self._index is None or self._index.fingerprint != forum.fingerprint:
            self._index = SearchIndex.build(forum)
        return self._index
