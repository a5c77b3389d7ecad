"""Audience polls of a session's Q&A: started by a moderator, answered in chat, shown in the hall.

A poll comes from the content file (``polls:`` under the session) or is typed live: a question
on the first line and one option per line, either once for all languages or as three blocks
(kk, ru, en) separated by an empty line. Opening a poll sends it, through the outbox and in the
same transaction, to everyone who opened the session's Q&A or starred the session. One answer
per person, changeable until the moderator closes the poll; then the results (counts and a bar
chart) go to the hall screen and, if the moderator chooses, to the voters.
"""

from __future__ import annotations

from bot.content import LANGUAGES, Session
from bot.errors import StaleButton
from bot.i18n import Translator
from bot.services import hall
from bot.services.qa_common import QaBase, btn, can_moderate, clip, outcome
from bot.views import Outcome, Rows, Screen
from storage.qa import Poll

MIN_OPTIONS, MAX_OPTIONS = 2, 10
MAX_LINE = 200  # characters of a typed question or option
BAR = 12  # characters of a result bar


def parse_typed(text: str) -> tuple[dict[str, str], list[dict[str, str]]] | None:
    """A typed poll as (question, options) in every language; None when malformed."""
    blocks = [
        [line.strip() for line in block.splitlines() if line.strip()]
        for block in text.replace("\r", "").split("\n\n")
    ]
    blocks = [b for b in blocks if b]
    if len(blocks) not in (1, len(LANGUAGES)):
        return None
    if any(not MIN_OPTIONS + 1 <= len(b) <= MAX_OPTIONS + 1 for b in blocks):
        return None
    if len({len(b) for b in blocks}) != 1 or any(len(x) > MAX_LINE for b in blocks for x in b):
        return None
    per_lang = dict(zip(LANGUAGES, blocks, strict=True)) if len(blocks) > 1 else None
    langs = LANGUAGES

    def texts(index: int) -> dict[str, str]:
        if per_lang is None:
            return dict.fromkeys(langs, blocks[0][index])
        return {lang: per_lang[lang][index] for lang in langs}

    return texts(0), [texts(i) for i in range(1, len(blocks[0]))]


def bars(tr: Translator, poll: Poll, counts: dict[int, int]) -> str:
    """The results as text: each option with its count, share and a bar."""
    view = hall.poll_view(poll, counts, tr.language)
    lines = [f"📊 {view['question']}", ""]
    for option in view["options"]:
        filled = round(option["share"] * BAR)
        lines.append(
            f"{option['text']} — {tr.number(option['count'])} ({tr.percent(option['share'])})\n"
            f"{'█' * filled}{'░' * (BAR - filled)}"
        )
    total = view["total"]
    lines += ["", tr.ngettext("{n} answer", "{n} answers", total).format(n=tr.number(total))]
    return clip("\n".join(lines), 4000)


class PollFlow(QaBase):
    """Polls for one person at a time (moderator or audience), on the Q&A flow's plumbing."""

    def _moderator_refusal(
        self, tr: Translator, user_id: int, session: Session | None
    ) -> str | None:
        if session is None:
            return tr._("This session is no longer in the programme.")
        if not can_moderate(self.services, user_id, session):
            return tr._("Only this session's moderators can do this.")
        return None

    async def tools(self, tr: Translator, session: Session) -> Screen:
        """The poll buttons of a session's moderation desk."""
        polls = await self.repo.polls_of(session.id)
        live = next((p for p in polls if p.status == "open"), None)
        buttons: Rows = []
        if live is not None:
            lines = [
                tr._("📊 Poll running: {question}").format(
                    question=hall.pick(live.question, tr.language)
                )
            ]
            buttons.append([btn(tr._("⏹ Close the poll"), "px", live.id, 0)])
            buttons.append([btn(tr._("⏹ Close and send the results to voters"), "px", live.id, 1)])
        else:
            lines = [tr._("📊 Polls: start one for the hall.")]
            for index, poll in enumerate(session.polls):
                label = clip(poll.question.get(tr.language), 48)
                buttons.append([btn("▶ " + label, "pc", session.id, index)])
            buttons.append([btn(tr._("✍ Type a new poll"), "pn", session.id)])
        return Screen("\n".join(lines), buttons)

    def poll_screen(self, tr: Translator, poll: Poll, chosen: int | None) -> Screen:
        """A poll as the audience gets it: the question and a button per option."""
        lang = tr.language
        buttons = [
            [btn(("✓ " if i == chosen else "") + clip(hall.pick(o, lang), 60), "pa", poll.id, i)]
            for i, o in enumerate(poll.options)
        ]
        text = tr._(
            "📊 Poll: {question}\n\nChoose one answer; you can change it until the poll closes."
        ).format(question=hall.pick(poll.question, lang))
        return Screen(text, buttons)

    async def start_content(
        self, tr: Translator, user_id: int, session_id: str, index: int
    ) -> Outcome:
        """Start one of the session's polls from the content file."""
        session = self.session(session_id)
        if (refusal := self._moderator_refusal(tr, user_id, session)) is not None:
            return outcome(hint=refusal, alert=True)
        assert session is not None
        if not 0 <= index < len(session.polls):
            raise StaleButton()
        item = session.polls[index]
        question = {lang: item.question.get(lang) for lang in LANGUAGES}
        options = [{lang: o.get(lang) for lang in LANGUAGES} for o in item.options]
        return await self._open(tr, session, question, options, item.id)

    async def start_typed(self, tr: Translator, user_id: int, session_id: str) -> Outcome:
        """ "Type a new poll": the next message is the poll."""
        session = self.session(session_id)
        if (refusal := self._moderator_refusal(tr, user_id, session)) is not None:
            return outcome(hint=refusal, alert=True)
        assert session is not None
        await self.repo.set_draft(user_id, session.id, "poll", self.now())
        text = tr._(
            "Type the poll in one message: the question on the first line, then one option per "
            "line ({low} to {high} options). For three languages, write three such blocks "
            "separated by an empty line, in the order Kazakh, Russian, English."
        ).format(low=MIN_OPTIONS, high=MAX_OPTIONS)
        return outcome(send=[Screen(text, [[btn(tr._("✖ Cancel"), "x")]])])

    async def typed(
        self, tr: Translator, user_id: int, session_id: str, text: str | None
    ) -> Outcome:
        """The typed poll (the dialog step ``poll``)."""
        session = self.session(session_id)
        if (refusal := self._moderator_refusal(tr, user_id, session)) is not None:
            await self.cancel(user_id)
            return outcome(hint=refusal)
        assert session is not None
        parsed = parse_typed(text or "")
        if parsed is None:
            return outcome(
                hint=tr._(
                    "I could not read this poll. Please send the question on the first line and "
                    "{low} to {high} options, one per line (each up to {limit} characters)."
                ).format(low=MIN_OPTIONS, high=MAX_OPTIONS, limit=MAX_LINE)
            )
        await self.cancel(user_id)
        return await self._open(tr, session, *parsed, None)

    async def _open(
        self,
        tr: Translator,
        session: Session,
        question: dict[str, str],
        options: list[dict[str, str]],
        source: str | None,
    ) -> Outcome:
        # The check and the opening in one transaction (writers take turns): two moderators
        # pressing at once open one poll, and the audience is read as of that moment.
        async with self.services.db.transaction():
            polls = await self.repo.polls_of(session.id)
            if any(p.status == "open" for p in polls):
                return outcome(hint=tr._("A poll is already running. Close it first."), alert=True)
            audience = await self.repo.audience(session.id)
            poll = await self.repo.add_poll(session.id, question, options, self.now(), source)
            reached = await self.enqueue_screens(
                audience, lambda reader: self.poll_screen(reader, poll, None), f"qa:poll:{poll.id}"
            )
        hall.changed(self.services, session.id)
        sent = tr.ngettext(
            "The poll is open and goes to {n} person.",
            "The poll is open and goes to {n} people.",
            reached,
        ).format(n=reached)
        return outcome(hint=sent, send=[Screen(sent), await self.tools(tr, session)])

    async def answer(self, tr: Translator, user_id: int, poll_id: int, option: int) -> Outcome:
        """A person's answer (or a changed one) while the poll is open."""
        poll = await self.repo.poll(poll_id)
        if poll is None or not 0 <= option < len(poll.options):
            raise StaleButton()
        if not await self.repo.answer_poll(poll.id, user_id, option, self.now()):
            counts = await self.repo.poll_counts(poll.id)
            return outcome(hint=tr._("This poll is closed."), edit=Screen(bars(tr, poll, counts)))
        hall.changed(self.services, poll.session_id)
        return outcome(
            hint=tr._("Your answer is saved. You can change it until the poll closes."),
            edit=self.poll_screen(tr, poll, option),
        )

    async def close(self, tr: Translator, user_id: int, poll_id: int, share: int) -> Outcome:
        """The moderator closes the poll; the results go to the screen (and the voters)."""
        poll = await self.repo.poll(poll_id)
        session = self.session(poll.session_id) if poll else None
        if poll is None or share not in (0, 1):
            raise StaleButton()
        if (refusal := self._moderator_refusal(tr, user_id, session)) is not None:
            return outcome(hint=refusal, alert=True)
        assert session is not None
        async with self.services.db.transaction():
            closed = await self.repo.close_poll(poll.id, self.now())
            counts = await self.repo.poll_counts(poll.id)
            if closed and share:
                await self.enqueue_screens(
                    await self.repo.poll_voters(poll.id),
                    lambda reader: Screen(
                        reader._("The poll is closed. Results:")
                        + "\n\n"
                        + bars(reader, poll, counts)
                    ),
                    f"qa:pollres:{poll.id}",
                )
        if not closed:
            return outcome(hint=tr._("This poll is closed."))
        hall.changed(self.services, session.id)
        return outcome(
            hint=tr._("The poll is closed."),
            edit=Screen(bars(tr, poll, counts)),
            send=[await self.tools(tr, session)],
        )
