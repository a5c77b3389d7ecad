"""Content reload while the forum runs: validate, diff, record, swap, tell the other features.

``reload(services, data=None)`` validates the new content (from the configured file, or an
uploaded YAML document) without touching the running one; on errors it returns them and the old
content stays. Otherwise it records each changed session in ``content_changes``, swaps
``services.content`` in one assignment (handlers read it per update, so no one sees half of it),
writes an uploaded document over the content file (a restart keeps it; the previous file is kept
as ``<file>.previous``) and then calls every ``services.content_hooks`` with the changes.

Stars are keyed by session id and are never touched: sessions that still exist keep theirs, and
a cancelled session's starrers are still known to the alert hook.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from bot.content import ContentError, Forum, Session, parse_content
from bot.content.errors import FILE, Errors, gettext
from bot.services.board_content import sync_content_recommendations

if TYPE_CHECKING:
    from bot.context import Services

log = logging.getLogger(__name__)

ChangeKind = Literal["added", "moved", "reroomed", "cancelled", "retitled"]


@dataclass(frozen=True)
class ContentChange:
    """One session's change between two versions of the content."""

    session_id: str
    kind: ChangeKind
    before: Session | None
    after: Session | None


@dataclass
class ReloadResult:
    """What a reload did: errors (nothing applied) or the changes applied."""

    errors: Errors = field(default_factory=list)  # rendered in the reader's language
    changes: list[ContentChange] = field(default_factory=list)
    applied: bool = False
    unchanged: bool = False  # the same file again
    forum: Forum | None = None


def diff(old: Forum, new: Forum) -> list[ContentChange]:
    """Changed sessions, one change each: cancelled, added, moved, reroomed or retitled.

    A session both moved and re-roomed is "moved" (an alert shows the new time and room anyway).
    """
    before = {s.id: s for s in old.sessions}
    after = {s.id: s for s in new.sessions}
    changes: list[ContentChange] = []
    for session in old.sessions:
        if session.id not in after:
            changes.append(ContentChange(session.id, "cancelled", session, None))
    for session in new.sessions:
        was = before.get(session.id)
        if was is None:
            changes.append(ContentChange(session.id, "added", None, session))
        elif was.starts != session.starts or was.ends != session.ends:
            changes.append(ContentChange(session.id, "moved", was, session))
        elif was.room != session.room:
            changes.append(ContentChange(session.id, "reroomed", was, session))
        elif was.title != session.title:
            changes.append(ContentChange(session.id, "retitled", was, session))
    return changes


def snapshot(session: Session | None) -> dict[str, Any] | None:
    """A session as JSON-able data for ``content_changes``."""
    if session is None:
        return None
    return {
        "title": session.title.as_dict(),
        "room": session.room.as_dict(),
        "starts": session.starts_utc.isoformat(),
        "ends": session.ends_utc.isoformat(),
        "kind": session.kind,
        "track": session.track,
    }


def _write_file(path: Path, data: bytes) -> None:
    """Replace the content file atomically, keeping the previous one next to it."""
    if path.exists():
        previous = path.with_name(path.name + ".previous")
        previous.write_bytes(path.read_bytes())
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


async def reload(services: Services, data: bytes | None = None) -> ReloadResult:
    """Validate and apply new content (``data`` = an uploaded YAML, else the configured file).

    Crash safety: the file is replaced first, then the changes and the applied version are
    committed together, then the hooks run and the version is marked done. A kill anywhere in
    between is finished by :func:`reconcile` at the next start-up.
    """
    path = Path(services.settings.forum_content)
    async with services.reload_lock:
        uploaded = data is not None
        try:
            if data is None:
                data = await asyncio.to_thread(path.read_bytes)
            new = await asyncio.to_thread(parse_content, data, source_path=path)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__  # no path: it is the server's
            return ReloadResult(
                errors=[(FILE, gettext("cannot read the file: {reason}", reason=reason))]
            )
        except ContentError as exc:
            return ReloadResult(errors=exc.problems)
        old = services.content
        if new.forum.id != old.forum.id:
            problem = gettext(
                "is '{new}', the running forum is '{old}'", new=new.forum.id, old=old.forum.id
            )
            return ReloadResult(errors=[("forum.id", problem)])
        changes = diff(old, new)
        if uploaded:
            try:
                await asyncio.to_thread(_write_file, path, data)
            except OSError as exc:
                # E.g. the content file lies in a folder the bot's user may not write (a server
                # install with the program folder read-only): refuse the upload, keep the
                # running content, and say why instead of failing with an apology.
                reason = exc.strerror or type(exc).__name__  # no path: it is the server's
                problem = gettext("cannot be saved on the server: {reason}", reason=reason)
                return ReloadResult(errors=[(FILE, problem)])
        version_id = await _record(services, changes, new, data)
        services.content = new  # one assignment: each update sees the old or the new content
        log.info(
            "content reloaded: %d sessions, %d changes (%s)",
            len(new.sessions),
            len(changes),
            ", ".join(f"{c.session_id}:{c.kind}" for c in changes) or "none",
        )
    await _run_hooks(services, changes, version_id)
    # The file's recommendations (and proposals they name that exist by now) reach the board;
    # a kill before this is caught up at start-up, which syncs them too.
    await sync_content_recommendations(services)
    return ReloadResult(
        changes=changes, applied=True, unchanged=new.fingerprint == old.fingerprint, forum=new
    )


async def _record(
    services: Services, changes: list[ContentChange], new: Forum, source: bytes
) -> int | None:
    """Commit the changes and the applied version together; None if nothing is new."""
    now = services.clock.now()
    versions = services.repos.content_versions
    latest = await versions.latest()
    if latest and latest[0].fingerprint == new.fingerprint and not changes:
        return None
    async with services.db.transaction():
        await services.repos.content_changes.record(
            [(c.session_id, c.kind, snapshot(c.before), snapshot(c.after)) for c in changes],
            now=now,
            fingerprint=new.fingerprint,
        )
        return await versions.add(new.fingerprint, source, now, hooks_done=not changes)


async def _run_hooks(
    services: Services, changes: list[ContentChange], version_id: int | None
) -> None:
    if changes:
        for hook in services.content_hooks:
            try:
                await hook(services, changes)
            except Exception:  # a failing hook must not undo the reload or hide the others
                log.exception("content hook %r failed", hook)
    if version_id is not None and changes:
        await services.repos.content_versions.mark_hooks_done(version_id, services.clock.now())


def _parse_old(source: bytes, path: Path) -> Forum | None:
    try:
        return parse_content(source, source_path=path)
    except ContentError as exc:  # e.g. a photo it named is gone: no diff against it
        log.warning("a stored content version no longer loads: %s", exc)
        return None


async def reconcile(application: Any, services: Services) -> None:
    """Start-up hook: catch up with content that changed while the bot was down.

    Covers an organizer editing the file between runs and a reload killed half-way: the changes
    since the last applied version are recorded and the hooks (alerts) run for them, once.
    """
    path = Path(services.settings.forum_content)
    current = services.content
    source = await asyncio.to_thread(path.read_bytes)
    versions = services.repos.content_versions
    latest = await versions.latest(2)
    if not latest:
        await versions.add(current.fingerprint, source, services.clock.now(), hooks_done=True)
        return
    top = latest[0]
    if top.fingerprint != current.fingerprint:
        old = _parse_old(top.source, path)
        changes = diff(old, current) if old is not None else []
        log.info("content changed while the bot was down: %d changes", len(changes))
        version_id = await _record(services, changes, current, source)
        await _run_hooks(services, changes, version_id)
        return
    if not top.hooks_done:
        old = _parse_old(latest[1].source, path) if len(latest) > 1 else None
        changes = diff(old, current) if old is not None else []
        log.info("finishing an interrupted reload: %d changes", len(changes))
        await _run_hooks(services, changes, top.id)
        if not changes:
            await versions.mark_hooks_done(top.id, services.clock.now())
