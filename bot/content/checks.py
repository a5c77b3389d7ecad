"""Checks across the document: unique ids, known references, dates, photo files."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, Final

from bot.content.errors import Errors, Location, Problem, gettext
from bot.content.fields import local_text
from bot.content.models import Forum

PHOTO_SUFFIXES: Final = (".jpg", ".jpeg", ".png")
PHOTO_MAX_BYTES: Final = 10 * 1024 * 1024  # Telegram's limit for photos


def cross_check(forum: Forum, base: Path) -> Iterator[tuple[Location, Problem]]:
    """Unique ids, known references, sessions within the forum dates, photo files."""
    sections: list[tuple[str, Sequence[Any]]] = [
        ("tracks", forum.tracks),
        ("speakers", forum.speakers),
        ("sessions", forum.sessions),
        ("surveys", forum.surveys),
        ("proposal_topics", forum.proposal_topics),
    ]
    for name, items in sections:
        yield from _unique(name, items)
    for i, survey in enumerate(forum.surveys):
        yield from _unique(f"surveys[{i}].questions", survey.questions)
        for j, question in enumerate(survey.questions):
            yield from _unique(f"surveys[{i}].questions[{j}].options", question.options)

    speakers = {s.id for s in forum.speakers}
    tracks = {t.id for t in forum.tracks}
    sessions = {s.id for s in forum.sessions}
    meta = forum.forum
    for i, item in enumerate(forum.sessions):
        where = f"sessions[{i}]"
        if item.track is not None and item.track not in tracks:
            yield f"{where}.track", _unknown_track(item.track, tracks)
        for field in ("speakers", "moderators"):
            for j, person in enumerate(getattr(item, field)):
                if person not in speakers:
                    yield f"{where}.{field}[{j}]", _unknown_speaker(person, speakers)
        span = f"{meta.starts.isoformat()} – {meta.ends.isoformat()}"
        if not meta.starts <= item.starts.date() <= meta.ends:
            yield (
                f"{where}.starts",
                gettext(
                    "{moment} is outside the forum dates ({span})",
                    moment=local_text(item.starts),
                    span=span,
                ),
            )
        elif (item.ends - timedelta(microseconds=1)).date() > meta.ends:
            yield (
                f"{where}.ends",
                gettext(
                    "{moment} is after the forum ends ({span})",
                    moment=local_text(item.ends),
                    span=span,
                ),
            )
    for i, survey in enumerate(forum.surveys):
        if survey.after_session is not None and survey.after_session not in sessions:
            yield (
                f"surveys[{i}].after_session",
                _unknown_session(survey.after_session, sessions),
            )
    for i, speaker in enumerate(forum.speakers):
        if speaker.photo is not None:
            problem = _photo_problem(base, speaker.photo)
            if problem:
                yield f"speakers[{i}].photo", problem


def _unique(where: str, items: Sequence[Any]) -> Errors:
    first: dict[str, int] = {}
    problems: Errors = []
    for i, item in enumerate(items):
        if item.id in first:
            other = f"{where}[{first[item.id]}]"
            problems.append(
                (
                    f"{where}[{i}].id",
                    gettext(
                        "duplicate id '{id}' (already used by {other})",
                        id=item.id,
                        other=other,
                    ),
                )
            )
        else:
            first[item.id] = i
    return problems


KNOWN_LISTED = 12  # ids named in an "unknown id" message


def _listed(known: set[str]) -> Problem | str:
    if not known:
        return gettext("none defined")
    listed = ", ".join(sorted(known)[:KNOWN_LISTED])
    return listed + ", ..." if len(known) > KNOWN_LISTED else listed


def _unknown_track(value: str, known: set[str]) -> Problem:
    # The most common slip: a session naming a track that the file never lists under tracks:.
    return gettext(
        "unknown track '{value}': a session's track must be the id of one of the tracks listed "
        "under tracks: (known ids: {known})",
        value=value,
        known=_listed(known),
    )


def _unknown_speaker(value: str, known: set[str]) -> Problem:
    return gettext("unknown speaker '{value}' (known: {known})", value=value, known=_listed(known))


def _unknown_session(value: str, known: set[str]) -> Problem:
    return gettext("unknown session '{value}' (known: {known})", value=value, known=_listed(known))


def _photo_problem(base: Path, photo: Path) -> Problem | None:
    # Messages name the path as written in the file, never where it resolves to: an organizer
    # must not learn which files exist on the server (or where) through them.
    if photo.is_absolute():
        return gettext("'{photo}' must be a path relative to the content file", photo=photo)
    folder = base.resolve()
    file = (folder / photo).resolve()
    if not file.is_relative_to(folder):
        return gettext("'{photo}' must be a file in the content folder", photo=photo)
    if not file.is_file():
        return gettext("file not found: {photo}", photo=photo)
    if file.suffix.lower() not in PHOTO_SUFFIXES:
        return gettext("{photo}: use a JPEG or PNG file", photo=photo)
    if file.stat().st_size > PHOTO_MAX_BYTES:
        return gettext("{photo} is larger than 10 MB (Telegram's limit for photos)", photo=photo)
    return None
