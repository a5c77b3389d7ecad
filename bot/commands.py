"""The bot's commands as Telegram's menu and /help show them, per language and audience."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import N_


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One command: its name, a msgid describing it, and who may use it.

    ``organizer``: organizers and owners only. ``role``: also shown to that team role
    (``"moderator"`` or ``"reviewer"``, see bot/services/roles.py); organizers see it too.
    """

    name: str
    description: str
    organizer: bool = False
    role: str | None = None


# In the order Telegram's menu and /help list them. Each feature adds its commands here.
COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("start", N_("Main menu")),
    CommandSpec("language", N_("Change language")),
    CommandSpec("help", N_("What this bot can do")),
    CommandSpec("agenda", N_("The forum's programme")),
    CommandSpec("now", N_("What is on now and next")),
    CommandSpec("my", N_("My agenda: starred sessions")),
    CommandSpec("speakers", N_("Speakers")),
    CommandSpec("surveys", N_("Surveys open now")),
    CommandSpec("propose", N_("Send a proposal to the forum")),
    CommandSpec("myproposals", N_("My proposals and their status")),
    CommandSpec("reminders", N_("Reminders before my sessions")),
    CommandSpec("privacy", N_("What we store and why")),
    CommandSpec("deleteme", N_("Erase my data")),
    CommandSpec("results", N_("Survey and rating results"), organizer=True),
    CommandSpec("reload", N_("Reload the programme from the content file"), organizer=True),
    CommandSpec("proposals", N_("Review proposals and export them"), organizer=True),
    CommandSpec("broadcast", N_("Send a message to participants"), organizer=True),
    CommandSpec("broadcasts", N_("Scheduled and past broadcasts"), organizer=True),
    CommandSpec("team", N_("The team: roles and invitations"), organizer=True),
    CommandSpec("status", N_("The bot's health and figures"), organizer=True),
)


def commands_for(organizer: bool, role: str | None = None) -> list[CommandSpec]:
    """The commands a user sees: everyone's, plus the organizers' for organizers, plus those
    of their team role (moderator, reviewer)."""
    return [
        c for c in COMMANDS if organizer or (not c.organizer and (c.role is None or c.role == role))
    ]
