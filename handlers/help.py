"""/help: what this user may do, from the command registry."""

from __future__ import annotations

from telegram import Update

from bot.commands import commands_for
from bot.context import ForumContext
from handlers.updates import message_of


def help_text(context: ForumContext) -> str:
    """The command list for this user, organizer commands in their own block."""
    tr = context.tr
    organizer = context.is_organizer()
    lines = [tr._("Here is what I can do:"), ""]
    lines += [
        f"/{c.name} — {tr._(c.description)}" for c in commands_for(False)
    ]
    if organizer:
        extra = [c for c in commands_for(True) if c.organizer]
        if extra:
            lines += ["", tr._("For organizers:")]
            lines += [f"/{c.name} — {tr._(c.description)}" for c in extra]
    lines += ["", tr._("You can also use the menu buttons below the message field.")]
    return "\n".join(lines)


async def show_help(update: Update, context: ForumContext) -> None:
    """Send the help text."""
    await message_of(update).reply_text(help_text(context))
