"""Checks across the document: unique ids, known references, dates, photo files."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, Final

from bot.content.fields import local_text
from bot.content.models import Forum

PHOTO_SUFFIXES: Final = (".jpg", ".jpeg", ".png")
PHOTO_MAX_BYTES: Final = 10 * 1024 * 1024  # Telegram's limit for photos


def cross_check(forum: Forum, base: Path) -> Iterator[tuple[str, str]]:
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
            yield f"{where}.track", _unknown("track", item.track, tracks)
        for field in ("speakers", "moderators"):
            for j, person in enumerate(getattr(item, field)):
                if person not in speakers:
                    yield f"{where}.{field}[{j}]", _unknown("speaker", person, speakers)
        span = f"{meta.starts.isoformat()} – {meta.ends.isoformat()}"
        if not meta.starts <= item.starts.date() <= meta.ends:
            yield (
                f"{where}.starts",
                f"{local_text(item.starts)} is outside the forum dates ({span})",
            )
        elif (item.ends - timedelta(microseconds=1)).date() > meta.ends:
            yield f"{where}.ends", f"{local_text(item.ends)} is after the forum ends ({span})"
    for i, survey in enumerate(forum.surveys):
        if survey.after_session is not None and survey.after_session not in sessions:
            yield (
                f"surveys[{i}].after_session",
                _unknown("session", survey.after_session, sessions),
            )
    for i, speaker in enumerate(forum.speakers):
        if speaker.photo is not None:
            problem = _photo_problem(base, speaker.photo)
            if problem:
                yield f"speakers[{i}].photo", problem


def _unique(where: str, items: Sequence[Any]) -> Iterator[tuple[str, str]]:
    first: dict[str, int] = {}
    for i, item in enumerate(items):
        if item.id in first:
            yield (
                f"{where}[{i}].id",
                f"duplicate id '{item.id}' (already used by {where}[{first[item.id]}])",
            )
        else:
            first[item.id] = i


def _unknown(what: str, value: str, known: set[str]) -> str:
    listed = ", ".join(sorted(known)) if known else "none defined"
    if len(known) > 12:
        listed = ", ".join(sorted(known)[:12]) + ", ..."
    return f"unknown {what} '{value}' (known: {listed})"


def _photo_problem(base: Path, photo: Path) -> str | None:
    if photo.is_absolute():
        return f"'{photo}' must be a path relative to the content file"
    file = (base / photo).resolve()
    if not file.is_file():
        return f"file not found: {photo} (looked for {file})"
    if file.suffix.lower() not in PHOTO_SUFFIXES:
        return f"{photo}: use a JPEG or PNG file"
    if file.stat().st_size > PHOTO_MAX_BYTES:
        return f"{photo} is larger than 10 MB (Telegram's limit for photos)"
    return None
