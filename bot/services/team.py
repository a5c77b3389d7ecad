"""The /team dialog: the list of members, changing or removing a role, one-time invitations.

A flow in the survey flow's shape: every step returns an :class:`Outcome` that the thin handler
(handlers/team.py) shows. Role changes go through bot/services/roles.py; the person concerned is
told in their own language through the outbox, in the same transaction as the change.

Buttons (``team:<action>:<args>``): ``list``; ``m:<user>`` a member's screen; ``set:<user>:<r>``
change the role; ``rm:<user>`` ask, ``rmok:<user>`` remove; ``inv:<r>`` a new invitation.
Roles in buttons are one letter: o(rganizer), m(oderator), r(eviewer).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from bot.errors import StaleButton
from bot.i18n import N_, Translator
from bot.services import outbox
from bot.services.outbox import OutgoingMessage
from bot.services.qr import deep_link, qr_png
from bot.services.roles import INVITE_PREFIX, Acceptance, Grant, Role, RoleError
from bot.views import Button, Outcome, Rows, Screen, button, rows
from storage.outbox import stamp
from storage.team import Invite

if TYPE_CHECKING:
    from bot.context import Services

log = logging.getLogger(__name__)

FEATURE = "team"
# Every action of a ``team:`` button (the access test presses each one for every role).
ACTIONS: tuple[str, ...] = ("list", "m", "set", "rm", "rmok", "inv")
MAX_USER_ID = 2**52  # Telegram user ids fit in 52 bits
MAX_MEMBER_BUTTONS = 40
ROLE_LETTERS: dict[str, Role] = {"o": Role.ORGANIZER, "m": Role.MODERATOR, "r": Role.REVIEWER}
LETTER_OF: dict[Role, str] = {role: letter for letter, role in ROLE_LETTERS.items()}
ROLE_NAMES: dict[Role, str] = {
    Role.OWNER: N_("Owner"),
    Role.ORGANIZER: N_("Organizer"),
    Role.MODERATOR: N_("Moderator"),
    Role.REVIEWER: N_("Reviewer"),
}


def _button(text: str, action: str, *args: object) -> Button:
    return button(FEATURE, text, action, *args)


class TeamFlow:
    """One person's steps in /team (organizers and owners), and accepting an invitation."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.roles = services.roles

    # ------------------------------------------------------------------ texts
    def role_text(self, tr: Translator, role: Role, scope: tuple[str, ...] | None) -> str:
        """ "Moderator (sessions: s1, s2)" in ``tr``'s language."""
        name = tr._(ROLE_NAMES[role])
        if scope is None or role not in (Role.MODERATOR, Role.REVIEWER):
            return name
        content = self.services.content
        if role is Role.MODERATOR:
            titles = [self._session_title(tr, s) for s in scope]
            return tr._("{role}; sessions: {list}").format(role=name, list="; ".join(titles))
        topics = []
        for topic_id in scope:
            topic = content.proposal_topic(topic_id)
            topics.append(topic.title.get(tr.language) if topic is not None else topic_id)
        return tr._("{role}; topics: {list}").format(role=name, list="; ".join(topics))

    def _session_title(self, tr: Translator, session_id: str) -> str:
        session = self.services.content.session(session_id)
        return session.title.get(tr.language) if session is not None else session_id

    async def _name(self, user_id: int) -> str:
        stored = await self.services.repos.users.get(user_id)
        return stored.display_name if stored is not None else str(user_id)

    # ------------------------------------------------------------------ screens
    async def list_screen(self, tr: Translator) -> Screen:
        """Everyone with a role, buttons to open a member and to invite."""
        members = self.roles.members()
        lines = [tr._("👥 The forum's team")]
        buttons: Rows = []
        for grant in members:
            name = await self._name(grant.user_id)
            lines.append(f"• {name} — {self.role_text(tr, grant.role, grant.scope)}")
            if grant.role is not Role.OWNER and len(buttons) < MAX_MEMBER_BUTTONS:
                buttons.append([_button(f"✏️ {name}"[:60], "m", grant.user_id)])
        lines += ["", tr._("Invite someone with a one-time link (valid for 48 hours):")]
        buttons.append([_button(tr._("➕ Organizer"), "inv", "o")])
        buttons.append(
            [_button(tr._("➕ Moderator"), "inv", "m"), _button(tr._("➕ Reviewer"), "inv", "r")]
        )
        lines.append(
            tr._(
                "To limit a moderator to some sessions or a reviewer to some topics, send "
                "/team invite moderator SESSION_ID ... or /team invite reviewer TOPIC_ID ..."
            )
        )
        return Screen("\n".join(lines)[:4000], buttons)

    async def member_screen(self, tr: Translator, user_id: int) -> Screen | None:
        """One member: their role, buttons to change or remove it (None if not on the team)."""
        role = self.roles.role_of(user_id)
        if role is None or role is Role.OWNER:
            return None
        name = await self._name(user_id)
        text = tr._("{name}: {role}").format(
            name=name, role=self.role_text(tr, role, self.roles.scope_of(user_id))
        )
        choices = [
            _button(("✓ " if r is role else "") + tr._(ROLE_NAMES[r]), "set", user_id, LETTER_OF[r])
            for r in ROLE_LETTERS.values()
        ]
        return Screen(
            text,
            [
                *rows(choices, 3),
                [_button(tr._("🗑 Remove from the team"), "rm", user_id)],
                [_button(tr._("⬅️ Back"), "list")],
            ],
        )

    # ------------------------------------------------------------------ steps
    async def press(
        self, tr: Translator, actor: int, action: str, args: tuple[str, ...], bot_username: str
    ) -> Outcome:
        """A button of /team (the handler has checked that ``actor`` is an organizer)."""
        if action == "list" and not args:
            return Outcome.of(edit=await self.list_screen(tr))
        if action == "inv" and len(args) == 1 and args[0] in ROLE_LETTERS:
            role = ROLE_LETTERS[args[0]]
            return Outcome.of(send=[await self.invite(tr, actor, role, None, bot_username)])
        user_id = _user_id(args[0]) if args else None
        if user_id is None:
            raise StaleButton()
        if action == "m" and len(args) == 1:
            screen = await self.member_screen(tr, user_id)
            if screen is None:
                return Outcome.of(hint=tr._("This person is no longer on the team."))
            return Outcome.of(edit=screen)
        if action == "set" and len(args) == 2 and args[1] in ROLE_LETTERS:
            return await self._change(tr, actor, user_id, ROLE_LETTERS[args[1]])
        if action == "rm" and len(args) == 1:
            return await self._ask_remove(tr, user_id)
        if action == "rmok" and len(args) == 1:
            return await self._remove(tr, user_id)
        raise StaleButton()

    async def invite(
        self,
        tr: Translator,
        actor: int,
        role: Role,
        scope: tuple[str, ...] | None,
        bot_username: str,
    ) -> Screen:
        """A new invitation: its link and QR code."""
        invite = await self.roles.invite(role, scope, by=actor)
        link = deep_link(bot_username, INVITE_PREFIX, invite.token)
        expires = datetime.fromisoformat(invite.expires_at)
        until = tr.moment(expires, year=self.services.content.forum.starts.year)
        text = tr._(
            "Invitation: {role}\n{link}\n\nSend this link (or show the QR code) to one person. "
            "It works once, until {until}."
        ).format(role=self.role_text(tr, role, invite.scope), link=link, until=until)
        return Screen(text, photo=qr_png(link))

    def check_scope(self, role: Role, ids: list[str]) -> list[str]:
        """The ids the content does not know (sessions for moderators, topics for reviewers)."""
        content = self.services.content
        if role is Role.MODERATOR:
            return [i for i in ids if content.session(i) is None]
        if role is Role.REVIEWER:
            return [i for i in ids if content.proposal_topic(i) is None]
        return []

    async def _change(self, tr: Translator, actor: int, user_id: int, role: Role) -> Outcome:
        current = self.roles.role_of(user_id)
        if current is None or current is Role.OWNER:
            return Outcome.of(hint=tr._("This person is no longer on the team."))
        if current is role:
            return Outcome.of(hint=tr._("Nothing changed."))
        # A changed role keeps no scope of the old one: a moderator's sessions mean nothing
        # to a reviewer.
        try:
            await self.roles.grant(
                user_id, role, None, by=actor, also=lambda: self._notify(user_id, role, None)
            )
        except RoleError:
            return Outcome.of(hint=tr._("Owners are set in the bot's configuration (ADMIN_IDS)."))
        return Outcome.of(hint=tr._("Role changed."), edit=await self.member_screen(tr, user_id))

    async def _ask_remove(self, tr: Translator, user_id: int) -> Outcome:
        if self.roles.role_of(user_id) in (None, Role.OWNER):
            return Outcome.of(hint=tr._("This person is no longer on the team."))
        name = await self._name(user_id)
        return Outcome.of(
            edit=Screen(
                tr._("Remove {name} from the team?").format(name=name),
                [
                    [_button(tr._("Yes, remove"), "rmok", user_id)],
                    [_button(tr._("⬅️ Back"), "m", user_id)],
                ],
            )
        )

    async def _remove(self, tr: Translator, user_id: int) -> Outcome:
        try:
            removed = await self.roles.remove(
                user_id, also=lambda: self._notify(user_id, None, None)
            )
        except RoleError:
            return Outcome.of(hint=tr._("Owners are set in the bot's configuration (ADMIN_IDS)."))
        if not removed:
            return Outcome.of(hint=tr._("This person is no longer on the team."))
        return Outcome.of(hint=tr._("Removed from the team."), edit=await self.list_screen(tr))

    async def _notify(self, user_id: int, role: Role | None, scope: tuple[str, ...] | None) -> None:
        """Tell the person, in their language, what their role is now (through the outbox)."""
        stored = await self.services.repos.users.get(user_id)
        if stored is None or stored.blocked:  # a bot may write only to people who started it
            return
        tr = self.services.translator_for(stored.language, stored.language_code)
        if role is None:
            text = tr._("You are no longer on the forum's team. Your command menu has changed.")
        else:
            text = tr._(
                "Your role on the forum's team is now: {role}. Your command menu has changed; "
                "see /help."
            ).format(role=self.role_text(tr, role, scope))
        now = stamp(self.services.clock.now())
        await outbox.enqueue(
            self.services,
            [OutgoingMessage(user_id, text, f"team:{user_id}:{now}", "team")],
        )

    # ------------------------------------------------------------------ invitations
    async def accept(self, tr: Translator, user_id: int, token: str) -> str:
        """``/start join_<token>``: the answer to show (the role is given if all is well)."""
        outcome, invite = await self.roles.accept(
            token, user_id, also=lambda inv: self._tell_inviter(inv, user_id)
        )
        if outcome is Acceptance.ACCEPTED:
            assert invite is not None
            role = Role(invite.role)
            return tr._(
                "Welcome to the forum's team! Your role: {role}. Your command menu now shows "
                "what you can do; see /help."
            ).format(role=self.role_text(tr, role, invite.scope))
        if outcome is Acceptance.EXPIRED:
            return tr._(
                "This invitation has expired (links work for 48 hours). Please ask the "
                "organizers for a new one."
            )
        if outcome is Acceptance.USED:
            return tr._(
                "This invitation has already been used; each link works only once. Please ask "
                "the organizers for a new one."
            )
        if outcome is Acceptance.OWNER:
            return tr._("You are an owner of this bot already; the invitation was not used.")
        return tr._("This invitation link is not valid. Please check it or ask for a new one.")

    async def _tell_inviter(self, invite: Invite, user_id: int) -> None:
        stored = await self.services.repos.users.get(invite.created_by)
        if stored is None or stored.blocked:
            return
        tr = self.services.translator_for(stored.language, stored.language_code)
        text = tr._("{name} accepted your invitation to the team: {role}.").format(
            name=await self._name(user_id),
            role=self.role_text(tr, Role(invite.role), invite.scope),
        )
        key = f"team:joined:{invite.token}"
        await outbox.enqueue(self.services, [OutgoingMessage(invite.created_by, text, key, "team")])


def _user_id(text: str) -> int | None:
    """A user id from a button, range-checked."""
    if not text.isdigit():
        return None
    value = int(text)
    return value if 0 < value < MAX_USER_ID else None


def scope_arguments(args: list[str]) -> tuple[Role, tuple[str, ...] | None] | None:
    """``invite moderator s1 s2`` -> (MODERATOR, ("s1", "s2")); None if not that shape."""
    if len(args) < 2 or args[0].lower() != "invite":
        return None
    names = {"organizer": Role.ORGANIZER, "moderator": Role.MODERATOR, "reviewer": Role.REVIEWER}
    role = names.get(args[1].lower())
    if role is None:
        return None
    ids = tuple(dict.fromkeys(a for a in args[2:] if a))
    return role, (ids or None)


__all__ = ["FEATURE", "Grant", "Outcome", "Screen", "TeamFlow", "scope_arguments"]
