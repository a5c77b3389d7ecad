"""Live Q&A: asking a question to a session, moderating it, voting on the approved ones.

The flow is independent of Telegram: each step returns an :class:`Outcome` of neutral screens
(``bot/services/qa_views.py``) that ``handlers/qa.py`` renders. Where a person is in the ask
dialog (typing the text, choosing "with my name" or "anonymously", a moderator typing a reply)
is the ``qa_drafts`` row, so a restart in the middle loses nothing. Messages the bot sends on
its own (a new question to the moderators, a kind word to the author of a rejected question, a
reply) go through the outbox in the same transaction as the change. Every change that the hall
screen shows is announced to :class:`bot.services.hall.HallHub`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.content import Session
from bot.i18n import Translator
from bot.services import hall
from bot.services.outbox import OutgoingMessage, enqueue
from bot.services.roles import Role
from bot.views import Button, Document, Outcome, Rows, Screen, Text, button, keyboard_json
from storage.qa import PUBLIC, QaQuestion, QaRepo

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
RECENT = timedelta(days=1)  # /moderate still lists a session this long after its end


# Moderation actions: approve, reject, answered, now answering, hide, reply.
MODERATION = ("a", "r", "d", "n", "h", "p")
_TARGET = {"a": "approved", "r": "rejected", "d": "answered", "h": "hidden"}
_FROM = {
    "a": ("waiting", "hidden"),
    "r": ("waiting",),
    "d": ("waiting", "approved"),
    "h": ("approved",),
}


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


class QaFlow:
    """Q&A for one person at a time, over the services (content, clock, repository, outbox)."""

    def __init__(self, services: Services) -> None:
        self.services = services

    @property
    def repo(self) -> QaRepo:
        """The Q&A repository."""
        return self.services.repos.qa  # type: ignore[no-any-return]

    def now(self) -> datetime:
        """The clock's now."""
        return self.services.clock.now()

    def session(self, session_id: str | None) -> Session | None:
        """A session that can have a Q&A (not a break)."""
        session = self.services.content.session(session_id or "")
        return None if session is None or session.kind == "break" else session

    def translator(self, user_id: int, language: str | None = None) -> Translator:
        """The person's translator (from the cached user, else ``language``)."""
        user = self.services.users.get(user_id)
        if user is not None:
            return self.services.translator_for(user.language, user.language_code)
        return self.services.i18n.get(language)

    async def translator_of(self, user_id: int, language: str | None = None) -> Translator:
        """The person's translator from the database (for messages to someone else)."""
        user = await self.services.repos.users.get(user_id)
        if user is None:
            return self.services.i18n.get(language or self.services.settings.default_language)
        return self.services.translator_for(user.language, user.language_code)

    def title(self, tr: Translator, session: Session) -> str:
        """The session's title in the reader's language."""
        return session.title.get(tr.language)

    # -- asking -----------------------------------------------------------------------------

    def closed_reason(self, tr: Translator, session: Session) -> str | None:
        """Why the session takes no question now, or None."""
        state = window(session, self.now())
        if state.state == "early":
            return tr._(
                "Questions to “{session}” open 15 minutes before it starts, at {time}."
            ).format(session=self.title(tr, session), time=tr.time(state.opens))
        if state.state == "over":
            return tr._(
                "The session “{session}” is over, so it takes no more questions. "
                "Thank you for your interest! You can still send a proposal: /propose"
            ).format(session=self.title(tr, session))
        return None

    async def _limit_reason(self, tr: Translator, user_id: int, session: Session) -> str | None:
        if await self.repo.count_waiting(session.id, user_id) >= MAX_WAITING:
            return tr.ngettext(
                "You have {n} question waiting for the moderator. "
                "Please wait until it is reviewed before asking another.",
                "You have {n} questions waiting for the moderator. "
                "Please wait until they are reviewed before asking another.",
                MAX_WAITING,
            ).format(n=MAX_WAITING)
        last = await self.repo.last_asked_at(user_id)
        if last is not None and self.now() - datetime.fromisoformat(last) < ASK_INTERVAL:
            return tr._("You are asking too fast. Please wait a few seconds.")
        return None

    async def start_ask(self, tr: Translator, user_id: int, session_id: str) -> Outcome:
        """ "❓ Ask a question": check the window and the limits, then wait for the text."""
        session = self.session(session_id)
        if session is None:
            return outcome(hint=tr._("This session is no longer in the programme."), alert=True)
        await self.repo.join(session.id, user_id)
        reason = self.closed_reason(tr, session) or await self._limit_reason(tr, user_id, session)
        if reason is not None:
            return outcome(send=[Screen(reason)])
        await self.repo.set_draft(user_id, session.id, "text", self.now())
        self._remember(user_id, True)
        text = tr._(
            "❓ Your question to “{session}”.\n\nType it in one message (up to {limit} "
            "characters). The moderator reads it before it is shown."
        ).format(session=self.title(tr, session), limit=tr.number(MAX_TEXT))
        return outcome(send=[Screen(text, [[btn(tr._("✖ Cancel"), "x")]])])

    def awaiting(self, user_id: int) -> bool:
        """Whether the person's next message belongs to a Q&A dialog (in-memory copy)."""
        return user_id in self.services.extras.setdefault("qa_dialogs", set())

    def _remember(self, user_id: int, active: bool) -> None:
        dialogs: set[int] = self.services.extras.setdefault("qa_dialogs", set())
        if active:
            dialogs.add(user_id)
        else:
            dialogs.discard(user_id)

    async def load_dialogs(self) -> None:
        """Start-up: who is in the middle of a dialog."""
        for draft in await self.repo.drafts():
            self._remember(draft.user_id, True)

    async def text(self, tr: Translator, user_id: int, text: str | None) -> Outcome:
        """A message while a dialog waits for text: the question, a reply, a poll."""
        draft = await self.repo.draft(user_id)
        if draft is None:
            self._remember(user_id, False)
            return outcome()
        if draft.step == "reply":
            return await self._reply_text(tr, user_id, draft.ref, text)
        if draft.step == "poll":
            from bot.services.polls import PollFlow

            return await PollFlow(self.services).typed(tr, user_id, draft.session_id, text)
        session = self.session(draft.session_id)
        if session is None:
            await self.cancel(user_id)
            return outcome(hint=tr._("This session is no longer in the programme."))
        if draft.step == "mode":
            return outcome(
                hint=tr._("Please choose with the buttons: with your name or anonymously.")
            )
        if text is None or not text.strip():
            return outcome(
                hint=tr._(
                    "Please type your question as a text message. Photos, stickers and voice "
                    "messages cannot be passed on to the moderator."
                )
            )
        text = " ".join(text.split())
        if len(text) > MAX_TEXT:
            return outcome(
                hint=tr._(
                    "Your question is {length} characters long; the limit is {limit}. "
                    "Please shorten it and send it again."
                ).format(length=tr.number(len(text)), limit=tr.number(MAX_TEXT))
            )
        await self.repo.set_draft(user_id, session.id, "mode", self.now(), text=text)
        screen = Screen(
            tr._("Your question:\n\n{text}\n\nHow should it be shown?").format(text=text),
            [
                [btn(tr._("👤 With my name"), "named", 1)],
                [btn(tr._("🕶 Anonymously"), "named", 0)],
                [btn(tr._("✖ Cancel"), "x")],
            ],
        )
        return outcome(send=[screen])

    async def cancel(self, user_id: int) -> None:
        """End the person's dialog."""
        await self.repo.clear_draft(user_id)
        self._remember(user_id, False)

    async def submit(self, tr: Translator, user_id: int, named: int | None) -> Outcome:
        """ "With my name" / "anonymously": the question goes to the moderators."""
        draft = await self.repo.draft(user_id)
        if draft is None or draft.step != "mode" or not draft.text or named not in (0, 1):
            return outcome(hint=tr._("This button has expired. Please open the menu again."))
        session = self.session(draft.session_id)
        if session is None:
            await self.cancel(user_id)
            return outcome(hint=tr._("This session is no longer in the programme."), alert=True)
        reason = self.closed_reason(tr, session)
        if reason is not None:
            await self.cancel(user_id)
            return outcome(edit=Screen(reason))
        if await self.repo.count_waiting(session.id, user_id) >= MAX_WAITING:
            await self.cancel(user_id)
            limit = await self._limit_reason(tr, user_id, session)
            return outcome(edit=Screen(limit or ""))
        user = await self.services.repos.users.get(user_id)
        post = moderation_mode(self.services, session) == "post"
        async with self.services.db.transaction():
            question = await self.repo.add_question(
                session.id,
                user_id,
                draft.text,
                anonymous=not named,
                asker_name=user.first_name if user is not None else None,
                language=tr.language,
                status="approved" if post else "waiting",
                now=self.now(),
            )
            await self.repo.clear_draft(user_id)
            await self._notify_moderators(session, question)
        self._remember(user_id, False)
        hall.changed(self.services, session.id)
        if post:
            done = tr._("Your question is published. Others can now vote for it.")
        else:
            done = tr._("Your question is with the moderator. Thank you!")
        shown = tr._("Shown with your name.") if named else tr._("Shown anonymously.")
        return outcome(
            edit=Screen(
                f"{done}\n\n«{question.text}»\n{shown}",
                [[btn(tr._("📋 Questions"), "list", session.id, 0)]],
            )
        )

    async def _notify_moderators(self, session: Session, question: QaQuestion) -> None:
        messages = []
        for moderator in moderators_of(self.services, session):
            stored = await self.services.repos.users.get(moderator)
            if stored is None or stored.blocked:  # Telegram lets a bot write only to its users
                continue
            tr = self.services.translator_for(stored.language, stored.language_code)
            screen = self.moderation_card(tr, session, question)
            messages.append(
                OutgoingMessage(
                    moderator,
                    screen.text,
                    f"qa:new:{question.id}:{moderator}",
                    "qa",
                    reply_markup=keyboard_json(screen.buttons),
                )
            )
        if messages:
            await enqueue(self.services, messages)

    # -- the list and votes -----------------------------------------------------------------

    async def list_screen(
        self, tr: Translator, user_id: int, session: Session, page: int
    ) -> Screen:
        """Approved questions, most votes first (ties: older first), a 👍 button each."""
        questions = await self.repo.of_session(session.id, PUBLIC, reader=user_id)
        pages = max(1, -(-len(questions) // PAGE))
        page = min(max(page, 0), pages - 1)
        shown = questions[page * PAGE : (page + 1) * PAGE]
        lines = [tr._("📋 Questions to “{session}”").format(session=self.title(tr, session))]
        if pages > 1:
            lines.append(tr._("Page {page} of {pages}").format(page=page + 1, pages=pages))
        lines.append("")
        if not questions:
            lines.append(tr._("No questions yet. Be the first to ask!"))
        buttons: Rows = []
        for number, question in enumerate(shown, page * PAGE + 1):
            marks = []
            if question.now_answering:
                marks.append(tr._("🎙 now answering"))
            if question.status == "answered":
                marks.append(tr._("✔ answered"))
            if question.user_id == user_id:
                marks.append(tr._("✍ your question"))
            suffix = f" ({', '.join(marks)})" if marks else ""
            votes = tr.ngettext("{n} vote", "{n} votes", question.votes).format(n=question.votes)
            lines.append(f"{number}. {question.text}\n    👍 {votes}{suffix}")
            label = f"{number}. {'✅' if question.voted else '👍'} {question.votes}"
            # The button says what pressing it does (vote / take back): a press delivered
            # twice, or pressed again after a restart, never undoes itself.
            buttons.append([btn(label, "v", question.id, page, int(not question.voted))])
        nav = []
        if page > 0:
            nav.append(btn(tr._("◀ Back"), "list", session.id, page - 1))
        nav.append(btn(tr._("🔄 Refresh"), "list", session.id, page))
        if page < pages - 1:
            nav.append(btn(tr._("Next ▶"), "list", session.id, page + 1))
        buttons.append(nav)
        if window(session, self.now()).state == "open":
            buttons.append([btn(tr._("❓ Ask a question"), "ask", session.id)])
        return Screen(clip("\n".join(lines), 4000), buttons)

    async def open_list(self, tr: Translator, user_id: int, session_id: str, page: int) -> Outcome:
        """ "📋 Questions": the list (and the person joins the session's audience)."""
        session = self.session(session_id)
        if session is None:
            return outcome(hint=tr._("This session is no longer in the programme."), alert=True)
        await self.repo.join(session.id, user_id)
        return outcome(edit=await self.list_screen(tr, user_id, session, page))

    async def vote(
        self, tr: Translator, user_id: int, question_id: int, page: int, on: bool
    ) -> Outcome:
        """👍 (``on``) or take the vote back; one idempotent transaction."""
        question = await self.repo.get(question_id)
        session = self.session(question.session_id) if question is not None else None
        refusal = tr._("This question is not open for votes.")
        if question is None or session is None or question.status not in PUBLIC:
            return outcome(refusal, alert=True)
        changed = await self.repo.set_vote(question_id, user_id, on, self.now())
        if changed is None:
            return outcome(refusal, alert=True)
        if changed:
            hall.changed(self.services, session.id)
        hint = tr._("👍 Your vote is counted.") if on else tr._("Your vote is taken back.")
        return outcome(hint, edit=await self.list_screen(tr, user_id, session, page))

    # -- moderation -------------------------------------------------------------------------

    def moderation_card(self, tr: Translator, session: Session, question: QaQuestion) -> Screen:
        """A question as a moderator sees it, with the buttons its state allows."""
        who = question.asker_name if not question.anonymous and question.asker_name else None
        asker = who if who else tr._("anonymous")
        lines = [
            tr._("❓ Question to “{session}”").format(session=self.title(tr, session)),
            "",
            question.text,
            "",
            tr._("From: {asker}").format(asker=asker),
            tr._("Status: {status}").format(status=status_label(tr, question.status)),
            tr.ngettext("{n} vote", "{n} votes", question.votes).format(n=question.votes),
        ]
        if question.now_answering:
            lines.append(tr._("🎙 Now answering"))
        if question.reply:
            lines.append(tr._("Reply: {reply}").format(reply=question.reply))
        buttons: Rows = []
        q = (question.id,)
        if question.status == "waiting":
            buttons.append(
                [
                    btn(tr._("✅ Approve"), "m", "a", *q),
                    btn(tr._("❌ Reject"), "m", "r", *q),
                ]
            )
            buttons.append([btn(tr._("✔ Answered"), "m", "d", *q)])
        elif question.status == "approved":
            if not question.now_answering:
                buttons.append([btn(tr._("🎙 Now answering"), "m", "n", *q)])
            buttons.append(
                [
                    btn(tr._("✔ Answered"), "m", "d", *q),
                    btn(tr._("🙈 Hide"), "m", "h", *q),
                ]
            )
        elif question.status == "hidden":
            buttons.append([btn(tr._("✅ Show again"), "m", "a", *q)])
        if (
            question.user_id is not None
            and question.status in ("approved", "answered")
            and window(session, self.now()).state == "over"
        ):
            buttons.append([btn(tr._("💬 Reply to the asker"), "m", "p", *q)])
        return Screen(clip("\n".join(lines), 4000), buttons)

    async def moderate(
        self, tr: Translator, user_id: int, action: str, question_id: int
    ) -> Outcome:
        """A moderation button: checked for the role and the question's state."""
        refusal = tr._("Only this session's moderators can do this.")
        question = await self.repo.get(question_id)
        session = self.session(question.session_id) if question is not None else None
        if question is None or session is None or action not in MODERATION:
            return outcome(hint=tr._("This question no longer exists."), alert=True)
        if not can_moderate(self.services, user_id, session):
            return outcome(hint=refusal, alert=True)
        if action == "p":
            if question.user_id is None or window(session, self.now()).state != "over":
                return outcome(hint=tr._("You can reply once the session is over."), alert=True)
            await self.repo.set_draft(user_id, session.id, "reply", self.now(), ref=question.id)
            self._remember(user_id, True)
            return outcome(
                send=[
                    Screen(
                        tr._(
                            "Type your reply to the question «{text}» (up to {limit} characters)."
                            " It reaches the asker in a message from the bot."
                        ).format(text=question.text, limit=tr.number(REPLY_LIMIT)),
                        [[btn(tr._("✖ Cancel"), "x")]],
                    )
                ]
            )
        if action == "n":
            changed = await self.repo.set_now_answering(question.id)
            hint = tr._("Marked as now answering.")
        else:
            async with self.services.db.transaction():
                changed = await self.repo.set_status(
                    question.id, _TARGET[action], self.now(), expected=_FROM[action]
                )
                if changed and action == "r":
                    await self._tell_rejected(session, question)
            hint = {
                "a": tr._("Approved: the question is shown to everyone."),
                "r": tr._("Rejected: the author is told."),
                "d": tr._("Marked as answered."),
                "h": tr._("Hidden from the list and the screen."),
            }[action]
        updated = await self.repo.get(question.id)
        assert updated is not None
        if not changed:
            hint = tr._("This was already done: the question is {status}.").format(
                status=status_label(tr, updated.status)
            )
        else:
            hall.changed(self.services, session.id)
        return outcome(hint=hint, edit=self.moderation_card(tr, session, updated))

    async def _tell_rejected(self, session: Session, question: QaQuestion) -> None:
        if question.user_id is None:
            return
        tr = await self.translator_of(question.user_id, question.language)
        text = tr._(
            "Thank you for your question to “{session}”. The moderator could not take it into "
            "this session; it is not shown to others. You are welcome to ask another one.\n\n"
            "«{text}»"
        ).format(session=self.title(tr, session), text=question.text)
        await enqueue(
            self.services,
            [OutgoingMessage(question.user_id, text, f"qa:rejected:{question.id}", "qa")],
        )

    async def _reply_text(
        self, tr: Translator, user_id: int, question_id: int | None, text: str | None
    ) -> Outcome:
        question = await self.repo.get(question_id or 0)
        session = self.session(question.session_id) if question is not None else None
        if question is None or session is None or not can_moderate(self.services, user_id, session):
            await self.cancel(user_id)
            return outcome(hint=tr._("This question no longer exists."))
        if text is None or not text.strip():
            return outcome(hint=tr._("Please type your reply as a text message."))
        text = text.strip()
        if len(text) > REPLY_LIMIT:
            return outcome(
                hint=tr._("Your reply is {length} characters long; the limit is {limit}.").format(
                    length=tr.number(len(text)), limit=tr.number(REPLY_LIMIT)
                )
            )
        async with self.services.db.transaction():
            await self.repo.set_reply(question.id, text, self.now())
            await self.repo.clear_draft(user_id)
            if question.user_id is not None:
                asker = await self.translator_of(question.user_id, question.language)
                message = asker._(
                    "💬 A reply to your question to “{session}”:\n\n«{question}»\n\n{reply}"
                ).format(session=self.title(asker, session), question=question.text, reply=text)
                await enqueue(
                    self.services,
                    [
                        OutgoingMessage(
                            question.user_id,
                            message,
                            f"qa:reply:{question.id}:{self.now().timestamp():.0f}",
                            "qa",
                        )
                    ],
                )
        self._remember(user_id, False)
        return outcome(send=[Screen(tr._("Your reply is on its way to the asker."))])

    # -- /moderate --------------------------------------------------------------------------

    def moderated_now(self, user_id: int) -> list[Session]:
        """Sessions the person moderates that take questions now or ended in the last day
        (for replies after the session)."""
        now = self.now()
        return [
            s
            for s in self.services.content.sessions
            if s.kind != "break"
            and s.starts - OPENS_BEFORE <= now < s.ends + RECENT
            and can_moderate(self.services, user_id, s)
        ]

    async def overview(self, tr: Translator, user_id: int) -> Outcome:
        """/moderate: the sessions on now with their waiting questions."""
        sessions = self.moderated_now(user_id)
        if not sessions:
            return outcome(send=[Screen(tr._("No session you moderate takes questions now."))])
        waiting = await self.repo.sessions_with_waiting()
        lines = [tr._("🛠 Your sessions’ Q&A:"), ""]
        buttons = []
        for session in sessions:
            count = waiting.get(session.id, 0)
            state = tr.ngettext("{n} waiting", "{n} waiting", count).format(n=count)
            if window(session, self.now()).state == "over":
                state = tr._("over: you can reply to questions")
            lines.append(f"• {self.title(tr, session)} — {state}")
            buttons.append(
                [btn(clip(self.title(tr, session), 40) + f" ({count})", "ms", session.id)]
            )
        return outcome(send=[Screen("\n".join(lines), buttons)])

    async def session_desk(self, tr: Translator, user_id: int, session_id: str) -> Outcome:
        """A session's moderation desk: cards of waiting and approved questions, poll tools."""
        session = self.session(session_id)
        if session is None:
            return outcome(hint=tr._("This session is no longer in the programme."), alert=True)
        if not can_moderate(self.services, user_id, session):
            return outcome(hint=tr._("Only this session's moderators can do this."), alert=True)
        states = ("waiting", "approved", "answered")
        questions = await self.repo.of_session(session.id, states)
        questions.sort(key=lambda q: (states.index(q.status), -q.votes, q.id))
        screens = [self.moderation_card(tr, session, q) for q in questions[:20]]
        from bot.services.polls import PollFlow

        screens.append(await PollFlow(self.services).tools(tr, session))
        if not questions:
            screens.insert(0, Screen(tr._("No questions to moderate yet.")))
        return outcome(send=screens)


async def export_menu(services: Services, tr: Translator, user_id: int) -> Outcome:
    """From the results screen: the sessions that have questions, one XLSX button each."""
    if not services.roles.has(user_id, Role.ORGANIZER):
        return outcome(tr._("This is only for the forum's organizers."), alert=True)
    counts = await services.repos.qa.sessions_with_questions()
    sessions = [s for s in services.content.sessions if counts.get(s.id)]
    if not sessions:
        return outcome(send=[Screen(tr._("No questions have been asked yet."))])
    buttons = [
        [btn(f"⬇️ {clip(s.title.get(tr.language), 40)} ({counts[s.id]})", "xl", s.id)]
        for s in sessions
    ]
    return outcome(send=[Screen(tr._("Questions of which session, as XLSX?"), buttons)])


async def export(services: Services, tr: Translator, user_id: int, session_id: str) -> Outcome:
    """All questions of a session (text, votes, status, asker, time, reply) as XLSX."""
    from bot.services.qa_export import questions_xlsx, session_questions_summary

    if not services.roles.has(user_id, Role.ORGANIZER):
        return outcome(tr._("This is only for the forum's organizers."), alert=True)
    summary = await session_questions_summary(services, session_id, tr.language)
    if summary is None:
        return outcome(tr._("This session is no longer in the programme."), alert=True)
    return Outcome(
        documents=[Document(questions_xlsx(tr, summary), f"questions-{session_id}.xlsx")]
    )


def screen_links(services: Services, tr: Translator) -> Screen:
    """/screen: the hall screen's link (with its key) of each session of the forum day."""
    forum, now = services.content, services.clock.now()
    today = now.astimezone(forum.forum.tz).date()
    day = today if today in forum.days() else forum.days()[0]
    secret = services.settings.bot_token.get_secret_value()
    lines = [
        tr._(
            "🖥 Hall screens: open a session's link on the projector's computer. Add "
            "&rotate=20 to the link to switch the language every 20 seconds. Keep the links "
            "among the team: the key in them opens the screen."
        ),
        "",
    ]
    for session in forum.sessions_on(day):
        if session.kind == "break":
            continue
        link = services.public_link(f"/hall/{session.id}?key={hall.screen_key(secret, session.id)}")
        title = clip(session.title.get(tr.language), 80)
        lines.append(f"{tr.time(session.starts)} {title}\n{link}\n")
    return Screen(clip("\n".join(lines), 4000))


def erase_hook(services: Services) -> Callable[[int], None]:
    """After /deleteme: forget the person's open dialog kept in memory."""
    return lambda user_id: services.extras.get("qa_dialogs", set()).discard(user_id)
