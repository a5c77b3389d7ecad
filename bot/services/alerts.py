"""Schedule change alerts: people who starred a session hear once when it moves, changes room or
is cancelled.

A content hook (``services.content_hooks``) receives agenda's ``ContentChange`` list. Each
starrer's alert is queued with ``not_before`` = now + ALERT_MERGE_MINUTES and the coalescing key
``alert:<session>:<user>``; a further change within that time rewrites the still-pending message
instead of adding one, so several edits become one message ("was" = before the first change,
"now" = after the last).
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.content import Session
from bot.i18n import Translator
from bot.services.outbox import OutgoingMessage, enqueue, markup_json, wake
from bot.services.reminders import forget_pending
from storage.outbox import stamp

if TYPE_CHECKING:
    from bot.context import Services

log = logging.getLogger(__name__)

ALERT_KINDS = frozenset({"moved", "reroomed", "cancelled"})


def _where(tr: Translator, session: dict[str, Any]) -> str:
    return tr._("{day}, {time}, {room}").format(
        day=tr.day(_moment(session["starts"]), capital=False),
        time=tr.time_range(_moment(session["starts"]), _moment(session["ends"])),
        room=session["room"].get(tr.language) or session["room"].get("en", ""),
    )


def _moment(text: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(text)


def snapshot(session: Session | None) -> dict[str, Any] | None:
    """What an alert needs of a session, as JSON-able data."""
    if session is None:
        return None
    return {
        "title": {lang: session.title.get(lang) for lang in ("kk", "ru", "en")},
        "room": {lang: session.room.get(lang) for lang in ("kk", "ru", "en")},
        "starts": session.starts_utc.isoformat(),
        "ends": session.ends_utc.isoformat(),
    }


def alert_text(tr: Translator, before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    """The alert in the person's language."""
    either = after or before or {}
    title = either.get("title", {}).get(tr.language, "")
    if after is None:
        text = tr._("❌ Cancelled: “{title}”").format(title=title)
        if before is not None:
            text += "\n" + tr._("It was planned for {where}.").format(where=_where(tr, before))
        return text
    text = tr._("🔄 Changed in your agenda: “{title}”").format(title=title)
    text += "\n" + tr._("Now: {where}").format(where=_where(tr, after))
    if before is not None:
        text += "\n" + tr._("Was: {where}").format(where=_where(tr, before))
    return text


async def on_content_changes(services: Services, changes: list[Any]) -> int:
    """The content hook: queue (or merge) one alert per starrer of each changed session."""
    relevant = [c for c in changes if getattr(c, "kind", None) in ALERT_KINDS]
    if not relevant:
        return 0
    now = services.clock.now()
    merge = timedelta(minutes=services.settings.alert_merge_minutes)
    starrers = await services.repos.broadcasts.starrers(sorted({c.session_id for c in relevant}))
    outbox = services.repos.outbox
    new: list[OutgoingMessage] = []
    merged = 0
    for change in relevant:
        await forget_pending(services, change.session_id)
        after = snapshot(change.after) if change.kind != "cancelled" else None
        for person in starrers.get(change.session_id, []):
            tr = services.translator_for(person.language, person.language_code)
            key = f"alert:{change.session_id}:{person.id}"
            pending = await outbox.pending_coalesced(key)
            if pending is not None:
                meta = json.loads(pending["meta"] or "{}")
                before = meta.get("before")
                meta["after"] = after
                if await outbox.update_pending(
                    pending["id"],
                    text=alert_text(tr, before, after),
                    reply_markup=markup_json(None),
                    meta=json.dumps(meta, ensure_ascii=False),
                ):
                    merged += 1
                    continue
            before = snapshot(change.before)
            new.append(
                OutgoingMessage(
                    person.id,
                    alert_text(tr, before, after),
                    f"{key}:{stamp(now)}",
                    "alert",
                    not_before=now + merge,
                    coalesce_key=key,
                    meta={"before": before, "after": after},
                )
            )
    added = await enqueue(services, new) if new else 0
    if merged:
        wake(services)
    log.info("schedule alerts: %d queued, %d merged into pending ones", added, merged)
    return added + merged
