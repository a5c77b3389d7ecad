"""Organizers: /reload the content file, or upload a new content YAML as a document."""

from __future__ import annotations

import logging

from telegram import Update

from bot.content.errors import render_errors
from bot.context import ForumContext
from bot.i18n import N_, Translator, pN_
from bot.services import content_reload
from handlers.access import organizer_only
from handlers.agenda import esc

log = logging.getLogger(__name__)

MAX_UPLOAD = 2 * 1024 * 1024  # bytes of a content YAML
MAX_LINES = 30
TEXT_LIMIT = 4000
CHANGE_LABELS: dict[str, str] = {
    "added": N_("added"),
    "moved": N_("moved"),
    "reroomed": N_("new room"),
    "cancelled": pN_("session change", "cancelled"),
    "retitled": N_("renamed"),
}


def report(tr: Translator, result: content_reload.ReloadResult) -> str:
    """What the organizer reads after a reload (errors, or the changes applied)."""
    lines: list[str] = []
    if result.errors:
        lines.append(tr._("❌ The new content has errors, so the programme was not changed:"))
        for path, message in render_errors(result.errors[:MAX_LINES], tr):
            lines.append(f"• <code>{esc(path)}</code>: {esc(message)}")
        rest = len(result.errors) - MAX_LINES
        if rest > 0:
            lines.append(tr.ngettext("… and {n} more", "… and {n} more", rest).format(n=rest))
        lines.append(tr._("Fix them and send the file again; the bot keeps the current programme."))
    else:
        forum = result.forum
        assert forum is not None
        count = len(forum.sessions)
        lines.append(
            tr.ngettext(
                "✅ Programme reloaded: {n} session.", "✅ Programme reloaded: {n} sessions.", count
            ).format(n=count)
        )
        if not result.changes:
            lines.append(tr._("No session was added, moved, renamed or cancelled."))
        for change in result.changes[:MAX_LINES]:
            session = change.after or change.before
            assert session is not None
            where = (
                tr.time_range(session.starts, session.ends) + ", " + session.room.get(tr.language)
            )
            lines.append(
                f"• {esc(tr._(CHANGE_LABELS[change.kind]))}: "
                f"{esc(session.title.get(tr.language))} ({esc(where)})"
            )
        rest = len(result.changes) - MAX_LINES
        if rest > 0:
            lines.append(tr.ngettext("… and {n} more", "… and {n} more", rest).format(n=rest))
        if any(c.kind in ("moved", "reroomed", "cancelled") for c in result.changes):
            lines.append(tr._("People who starred the changed sessions will be told."))
    text = "\n".join(lines)
    return text if len(text) <= TEXT_LIMIT else text[:TEXT_LIMIT].rsplit("\n", 1)[0] + "\n…"


@organizer_only
async def reload_command(update: Update, context: ForumContext) -> None:
    """/reload: read the content file again."""
    message = update.effective_message
    assert message is not None
    result = await content_reload.reload(context.services)
    await message.reply_text(report(context.tr, result), parse_mode="HTML")


@organizer_only
async def upload(update: Update, context: ForumContext) -> None:
    """A .yaml/.yml document from an organizer: validate it and, if sound, apply it."""
    message = update.effective_message
    assert message is not None
    assert message.document is not None
    tr = context.tr
    if (message.document.file_size or 0) > MAX_UPLOAD:
        await message.reply_text(tr._("This file is too large for forum content (2 MB at most)."))
        return
    file = await message.document.get_file()
    data = bytes(await file.download_as_bytearray())
    result = await content_reload.reload(context.services, data)
    await message.reply_text(report(tr, result), parse_mode="HTML")
