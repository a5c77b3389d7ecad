"""Asking a question to a session: the window and the limits, the text, "with my name" or
"anonymously", and the question on its way to the moderators (through the outbox, in the same
transaction) or, in post-moderation, straight to the list and the hall screen."""

from __future__ import annotations

from datetime import datetime

from bot.content import Session
from bot.errors import StaleButton
from bot.i18n import Translator
from bot.services import hall
from bot.services.qa_common import (
    ASK_INTERVAL,
    MAX_TEXT,
    MAX_WAITING,
    QaBase,
    btn,
    moderation_mode,
    moderators_of,
    outcome,
    window,
)
from bot.services.qa_moderation import moderation_card
from bot.views import Outcome, Screen
from storage.qa import Draft, QaQuestion


class QaAsk(QaBase):
    """The ask dialog of one person."""

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
        text = tr._(
            "❓ Your question to “{session}”.\n\nType it in one message (up to {limit} "
            "characters). The moderator reads it before it is shown."
        ).format(session=self.title(tr, session), limit=tr.number(MAX_TEXT))
        return outcome(send=[Screen(text, [[btn(tr._("✖ Cancel"), "x")]])])

    async def question_text(
        self, tr: Translator, user_id: int, draft: Draft, text: str | None
    ) -> Outcome:
        """A message in the ask dialog: the question's text (or a hint why it is not one)."""
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

    async def submit(self, tr: Translator, user_id: int, named: int | None) -> Outcome:
        """ "With my name" / "anonymously": the question goes to the moderators."""
        draft = await self.repo.draft(user_id)
        if draft is None or draft.step != "mode" or not draft.text or named not in (0, 1):
            raise StaleButton()
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
        await self.enqueue_screens(
            moderators_of(self.services, session),
            lambda tr: moderation_card(tr, session, question, self.now()),
            f"qa:new:{question.id}",
        )
