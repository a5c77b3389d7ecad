"""A plain-English overview of loaded content for organizers at a terminal (check-content)."""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date

from bot.content.errors import plural
from bot.content.fields import local_text
from bot.content.models import Forum


def _date(day: date) -> str:
    return format_date(day, "EEE d MMM y", locale="en")


def summarize(forum: Forum) -> str:
    """A plain-English overview of the content for organizers at a terminal."""
    meta = forum.forum
    days = forum.days()
    first = datetime.combine(meta.starts, datetime.min.time(), meta.tz)
    offset = first.strftime("%z")
    dates = (
        _date(meta.starts)
        if meta.starts == meta.ends
        else (f"{_date(meta.starts)} – {_date(meta.ends)}")
    )
    questions = sum(len(s.questions) for s in forum.surveys)
    lines = [
        f"Forum:      {meta.name.get('en')} [{meta.id}]",
        f"Dates:      {dates}, time zone {meta.timezone} (UTC{offset[:3]}:{offset[3:]})",
        f"Venue:      {meta.venue.get('en')}",
    ]
    if meta.address is not None:
        lines.append(f"Address:    {meta.address.get('en')}")
    lines.append(
        f"Programme:  {plural(len(days), 'day')}, {plural(len(forum.sessions), 'session')}"
    )
    for day in days:
        items = forum.sessions_on(day)
        if items:
            rooms = len({s.room for s in items})
            start = min(s.starts for s in items).strftime("%H:%M")
            end = max(s.ends for s in items).strftime("%H:%M")
            lines.append(
                f"  {_date(day)}: {plural(len(items), 'session')}, {start}–{end}, "
                f"{plural(rooms, 'room')}"
            )
    photos = sum(1 for s in forum.speakers if s.photo is not None)
    lines.append(f"Speakers:   {len(forum.speakers)} ({photos} with a photo)")
    if forum.tracks:
        counts = {t.id: 0 for t in forum.tracks}
        for s in forum.sessions:
            if s.track is not None:
                counts[s.track] += 1
        lines.append(f"Tracks:     {len(forum.tracks)}")
        lines += [
            f"  {t.id}: {t.title.get('en')} ({plural(counts[t.id], 'session')})"
            for t in forum.tracks
        ]
    else:
        lines.append("Tracks:     none")
    lines.append(f"Surveys:    {len(forum.surveys)} with {plural(questions, 'question')} in all")
    for survey in forum.surveys:
        if survey.after_session is not None:
            when = f"after session {survey.after_session}"
        else:
            opens, closes = survey.opens, survey.closes
            when = (
                f"{local_text(opens) if opens else 'open'} – "
                f"{local_text(closes) if closes else 'no end'}"
            )
        privacy = "anonymous" if survey.anonymous else "not anonymous"
        lines.append(
            f"  {survey.id}: {plural(len(survey.questions), 'question')}, {privacy}, {when}"
        )
    lines.append(f"Topics:     {len(forum.proposal_topics)} proposal topics")
    covered = forum.languages_covered
    gaps = forum.translation_gaps
    language_line = ", ".join(covered) + " complete" if covered else "none complete"
    partial = [f"{lang} ({plural(n, 'gap')})" for lang, n in gaps.items() if n]
    if partial:
        language_line += "; falling back: " + ", ".join(partial)
    lines.append(f"Languages:  {language_line}; default {meta.default_language}")
    lines.append(f"Fingerprint: sha256:{forum.fingerprint[:16]}")
    warnings = forum.warnings
    if warnings:
        lines.append(f"{plural(len(warnings), 'warning')}:")
        lines += [f"  {w}" for w in warnings]
    else:
        lines.append("No warnings.")
    return "\n".join(lines)
