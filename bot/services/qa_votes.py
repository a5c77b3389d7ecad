"""The list of a session's approved questions and the votes on them: most votes first (ties:
older first), paged, one 👍 per person and question, pressing again takes it back."""

from __future__ import annotations

from bot.content import Session
from bot.i18n import Translator
from bot.services import hall
from bot.services.qa_common import PAGE, QaBase, btn, clip, outcome, window
from bot.views import Outcome, Rows, Screen
from storage.qa import PUBLIC


class QaVotes(QaBase):
    """A person's view of the questions and their votes."""

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
