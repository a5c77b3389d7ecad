"""Moderating a session's questions: the moderator's card of a question, approve / reject /
answered / now answering / hide, a kind word to the author of a rejected question, a reply to
the asker after the session (both through the outbox), and /moderate with each session's desk."""

from __future__ import annotations

from datetime import datetime

from bot.content import Session
from bot.i18n import Translator
from bot.services import hall
from bot.services.outbox import OutgoingMessage, enqueue
from bot.services.polls import PollFlow
from bot.services.qa_common import (
    OPENS_BEFORE,
    RECENT,
    REPLY_LIMIT,
    QaBase,
    btn,
    can_moderate,
    clip,
    outcome,
    status_label,
    window,
)
from bot.views import Outcome, Rows, Screen
from storage.qa import QaQuestion

# Moderation actions: approve, reject, answered, now answering, hide, reply.
MODERATION = ("a", "r", "d", "n", "h", "p")
_TARGET = {"a": "approved", "r": "rejected", "d": "answered", "h": "hidden"}
_FROM = {
    "a": ("waiting", "hidden"),
    "r": ("waiting",),
    "d": ("waiting", "approved"),
    "h": ("approved",),
}


def moderation_card(
    tr: Translator, session: Session, question: QaQuestion, now: datetime
) -> Screen:
    """A question as a moderator sees it, with the buttons its state allows."""
    who = question.asker_name if not question.anonymous and question.asker_name else None
    asker = who if who else tr._("anonymous")
    lines = [
        tr._("❓ Question to “{session}”").format(session=session.title.get(tr.language)),
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
        and window(session, now).state == "over"
    ):
        buttons.append([btn(tr._("💬 Reply to the asker"), "m", "p", *q)])
    return Screen(clip("\n".join(lines), 4000), buttons)


class QaModeration(QaBase):
    """A moderator's actions on a session's questions."""

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
        return outcome(hint=hint, edit=moderation_card(tr, session, updated, self.now()))

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
        return outcome(send=[Screen(tr._("Your reply is on its way to the asker."))])

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
        screens = [moderation_card(tr, session, q, self.now()) for q in questions[:20]]
        screens.append(await PollFlow(self.services).tools(tr, session))
        if not questions:
            screens.insert(0, Screen(tr._("No questions to moderate yet.")))
        return outcome(send=screens)
