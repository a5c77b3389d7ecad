"""After validation: missing translations filled, sessions sorted, photos resolved, warnings."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from bot.content.models import Forum, Session
from bot.content.text import LocalizedText
from bot.i18n import LANGUAGES


def finish(forum: Forum, base: Path, source_path: Path | None, fingerprint: str) -> Forum:
    default = forum.forum.default_language
    gaps: list[tuple[str, str, str]] = []  # (path, missing language, language used)
    filled = _fill(forum, "", default, gaps)
    assert isinstance(filled, Forum)
    speakers = tuple(
        s.model_copy(update={"photo": (base / s.photo).resolve()}) if s.photo else s
        for s in filled.speakers
    )
    order = sorted(range(len(filled.sessions)), key=lambda i: (filled.sessions[i].starts, i))
    sessions = tuple(filled.sessions[i] for i in order)
    result = filled.model_copy(update={"speakers": speakers, "sessions": sessions})

    warnings = [f"{path}: no {lang} text, using {used}" for path, lang, used in gaps]
    warnings += _overlap_warnings(filled.sessions)
    counts = {lang: 0 for lang in LANGUAGES}
    for _, lang, _ in gaps:
        counts[lang] += 1
    result._warnings = tuple(warnings)
    result._gaps = counts
    result._source_path = source_path
    result._fingerprint = fingerprint
    result._index = None
    return result


def _fill(value: Any, path: str, default: str, gaps: list[tuple[str, str, str]]) -> Any:
    """``value`` with every LocalizedText inside filled; records each gap with its path."""
    if isinstance(value, LocalizedText):
        source = value.fallback_source(default)
        gaps.extend((path, lang, source) for lang in value.missing_languages)
        return value.filled(default)
    if isinstance(value, BaseModel):
        updates = {}
        for name in type(value).model_fields:
            old = getattr(value, name)
            new = _fill(old, f"{path}.{name}" if path else name, default, gaps)
            if new is not old:
                updates[name] = new
        return value.model_copy(update=updates) if updates else value
    if isinstance(value, tuple):
        items = tuple(_fill(v, f"{path}[{i}]", default, gaps) for i, v in enumerate(value))
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    return value


def _overlap_warnings(sessions: Sequence[Session]) -> list[str]:
    """Sessions sharing a room or a person at the same time (paths in file order)."""
    warnings = []
    for i, a in enumerate(sessions):
        for j in range(i):
            b = sessions[j]
            if not (a.starts < b.ends and b.starts < a.ends):
                continue
            if a.room == b.room:
                warnings.append(
                    f"sessions[{i}]: overlaps sessions[{j}] ('{b.id}') in the same room"
                    f" '{a.room.get('en')}'"
                )
            for person in sorted(set(a.people) & set(b.people)):
                warnings.append(
                    f"sessions[{i}]: '{person}' is also in sessions[{j}] ('{b.id}') at that time"
                )
    return warnings
