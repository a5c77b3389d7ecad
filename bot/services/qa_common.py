"""What every part of Live Q&A shares: its limits, when a session takes questions, who
moderates it, callback arguments, labels, buttons and outcomes, and the flows' common base.

The Q&A flows (``qa_ask``, ``qa_votes``, ``qa_moderation``, ``polls``; put together in
``qa.QaFlow``) are independent of Telegram: each step returns an :class:`Outcome` of neutral
screens that ``handlers/qa.py`` renders. Where a person is in a dialog is the ``qa_drafts`` row,
so a restart in the middle loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.content import Session
from bot.i18n import Translator
from bot.services.outbox import OutgoingMessage, enqueue
from bot.services.roles import Role
from bot.views import Button, Outcome, Screen, Text, button, keyboard_json
from storage.qa import QaRepo

if TYPE_CHECKING:
    from bot.context import Services

FEATURE = "qa"
MAX_TEXT = 300  # characters of a question
MAX_WAITING = 3  # questions waiting for the moderator, per person and session
OPENS_BEFORE = timedelta(minutes=15)  # asking opens this long before the session starts
ASK_INTERVAL = timedelta(seconds=20)  # flood limit: one question per person this often
PAGE = 5  # questions per page of the list
MAX_PAGE = 1000
MAX_ID = 2**31 - 1
REPLY_LIMIT = 1000
DIALOG_WINDOW = timedelta(minutes=30)  # an ask/reply/poll dialog claims messages this long
RECENT = timedelta(days=1)  # /moderate still lists a session this long after its end


@dataclass(frozen=True, slots=True)
class Window:
    """Whether a session takes questions at a moment: "open", "early" or "over"."""

    state: str
    opens: datetime


def window(session: Session, now: datetime) -> Window:
    """From 15 minutes before the start to the end."""
    opens = session.starts - OPENS_BEFORE
    if now < opens:
        return Window("early", opens)
    if now >= session.ends:
        return Window("over", opens)
    return Window("open", opens)


def moderation_mode(services: Services, session: Session) -> str:
    """ "pre" (questions wait for a moderator) or "post" (shown at once, moderators may hide).

    The content file may say so per session (``qa_moderation``) or for the forum; "pre" else.
    """
    mode = getattr(session, "qa_moderation", None)
    if mode is None:
        mode = getattr(services.content.forum, "qa_moderation", None)
    return "post" if mode == "post" else "pre"


def moderators_of(services: Services, session: Session) -> list[int]:
    """Who moderates the session's Q&A: its moderators by team role, else the organizers.

    The ONE place that decides it. A moderator without a scope moderates every session.
    """
    roles = services.roles
    own = [
        g.user_id for g in roles.members(Role.MODERATOR) if g.scope is None or session.id in g.scope
    ]
    if own:
        return sorted(own)
    return roles.holders(Role.ORGANIZER)


def can_moderate(services: Services, user_id: int, session: Session) -> bool:
    """Whether the person may moderate this session (its moderators, organizers, owners)."""
    return services.roles.has(user_id, Role.MODERATOR, session=session.id)


def _int(value: str | None, low: int, high: int) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if low <= number <= high else None


def parse_id(value: str | None) -> int | None:
    """A database id from callback data, range-checked."""
    return _int(value, 1, MAX_ID)


def parse_page(value: str | None) -> int | None:
    """A page number from callback data, range-checked."""
    return _int(value, 0, MAX_PAGE)


def status_label(tr: Translator, status: str) -> str:
    """A question's state in the reader's language."""
    labels = {
        "waiting": tr._("waiting for the moderator"),
        "approved": tr._("approved"),
        "rejected": tr._("rejected"),
        "answered": tr._("answered"),
        "hidden": tr._("hidden"),
    }
    return labels.get(status, status)


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def btn(label: str, action: str, *args: object) -> Button:
    """A ``qa:<action>:<args>`` button."""
    return button(FEATURE, label, action, *args)


def outcome(
    hint: str | None = None,
    *,
    alert: bool = False,
    edit: Screen | None = None,
    send: list[Screen] | None = None,
) -> Outcome:
    """An outcome: a notice, the pressed message replaced by ``edit``, new messages."""
    screens = []
    if edit is not None:
        edit.target = "edit"
        screens.append(edit)
    screens += send or []
    return Outcome(Text(hint, alert) if hint else None, screens)


class QaBase:
    """The services every Q&A flow works over (content, clock, repository, outbox)."""

    def __init__(self, services: Services) -> None:
        self.services = services

    @property
    def repo(self) -> QaRepo:
        """The Q&A repository."""
        return self.services.repos.qa

    def now(self) -> datetime:
        """The clock's now."""
        return self.services.clock.now()

    def session(self, session_id: str | None) -> Session | None:
        """A session that can have a Q&A (not a break)."""
        session = self.services.content.session(session_id or "")
        return None if session is None or session.kind == "break" else session

    async def translator_of(self, user_id: int, language: str | None = None) -> Translator:
        """The person's translator from the database (for messages to someone else)."""
        user = await self.services.repos.users.get(user_id)
        if user is None:
            return self.services.i18n.get(language or self.services.settings.default_language)
        return self.services.translator_for(user.language, user.language_code)

    def title(self, tr: Translator, session: Session) -> str:
        """The session's title in the reader's language."""
        return session.title.get(tr.language)

    async def cancel(self, user_id: int) -> None:
        """End the person's dialog."""
        await self.repo.clear_draft(user_id)

    async def waiting_for(self, user_id: int) -> bool:
        """Whether the person's next message belongs to a Q&A dialog that is still fresh (an
        abandoned one stops claiming messages, which then go to search as usual)."""
        draft = await self.repo.draft(user_id)
        if draft is None or not draft.updated_at:
            return False
        return self.now() - datetime.fromisoformat(draft.updated_at) < DIALOG_WINDOW

    async def enqueue_screens(
        self, people: Iterable[int], screen_for: Callable[[Translator], Screen], key: str
    ) -> int:
        """Each person gets ``screen_for(their translator)`` through the outbox (dedup key
        ``<key>:<person>``); people the bot does not know or who blocked it are skipped."""
        messages = []
        people = list(people)
        known = await self.services.repos.users.many(people)  # one read, not one per person
        for person in people:
            stored = known.get(person)
            if stored is None or stored.blocked:  # Telegram lets a bot write only to its users
                continue
            screen = screen_for(self.services.translator_for(stored.language, stored.language_code))
            markup = keyboard_json(screen.buttons)
            messages.append(
                OutgoingMessage(person, screen.text, f"{key}:{person}", "qa", reply_markup=markup)
            )
        if messages:
            await enqueue(self.services, messages)
        return len(messages)
