"""Answering surveys: one question per message, every answer saved as it is given.

The flow is independent of Telegram: each step returns an :class:`Outcome` (a short hint, a new
text for the message the button was on, messages to send) that ``handlers/surveys.py`` delivers.

Where a person is
    The first question without a final answer (a skipped optional question counts as final; a
    multiple choice still being ticked does not). What is shown now is the *cursor*
    (``answer_cursors``): survey and question, persisted so a text answer or a wrong input after
    a restart still goes to the right question. The database row is the one copy: the free-text
    handler reads it for each message it is offered.

Anonymous surveys
    The response has no user id. While it is in progress, a link from the person to it is kept
    (``survey_anon_progress``) so that they can stop and resume; the intro says so. Answering
    the last question completes the response and deletes that link in the same transaction;
    only "this person has finished this survey" stays, so it is not offered again. From then on
    nothing in the database, the logs or an export tells whose answers they are, not even to
    someone holding the database and every secret of the bot; so the person can no longer see
    or change them either (the summary says so). Anonymous responses have random ids and keep
    the day only as their time. /deleteme deletes a response still in progress with its link.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content import Forum, Question, Survey
from bot.i18n import Translator
from handlers import callbacks
from storage.surveys import Answer, Cursor, Response, SurveysRepo

if TYPE_CHECKING:
    from bot.context import Services

FEATURE = "sv"
# How long a shown question claims the person's next message: buttons for a while, text longer.
BUTTON_WINDOW = timedelta(minutes=30)
TEXT_WINDOW = timedelta(hours=24)
SUMMARY_ANSWER_CHARS = 120

Status = Literal["open", "not_yet", "closed"]


@dataclass
class Message:
    """A message to send: text and optional inline keyboard; ``question`` marks a question."""

    text: str
    markup: InlineKeyboardMarkup | None = None
    question: tuple[str, str] | None = None  # (survey id, question id)


@dataclass
class Outcome:
    """What the handler shows after a step."""

    hint: str | None = None  # a short notice (button: alert; message: a reply)
    edit: Message | None = None  # new content for the message the button is on
    send: list[Message] = field(default_factory=list)


def status(forum: Forum, survey: Survey, now: datetime) -> Status:
    """Whether the survey accepts answers at ``now``."""
    opens, closes = forum.survey_window(survey)
    if closes is not None and now >= closes:
        return "closed"
    if survey.after_session is not None and opens is None:
        return "not_yet"
    if opens is not None and now < opens:
        return "not_yet"
    return "open"


def open_surveys(forum: Forum, now: datetime) -> list[Survey]:
    """Surveys accepting answers now, in content order."""
    return [s for s in forum.surveys if status(forum, s, now) == "open"]


def is_final(answers: dict[str, Answer], question: Question) -> bool:
    """Whether the question has an answer (or a skip) that is not a draft."""
    answer = answers.get(question.id)
    return answer is not None and answer.final


def next_question(survey: Survey, answers: dict[str, Answer], after: int = -1) -> int | None:
    """Index of the first unanswered question after ``after`` (wrapping), or None if done."""
    count = len(survey.questions)
    for step in range(1, count + 1):
        index = (after + step) % count
        if not is_final(answers, survey.questions[index]):
            return index
    return None


def progress(survey: Survey, answers: dict[str, Answer]) -> tuple[int, int]:
    """(questions with a final answer, questions)."""
    done = sum(1 for q in survey.questions if is_final(answers, q))
    return done, len(survey.questions)


# ---------------------------------------------------------------------------------------------
# Rendering


def answer_text(tr: Translator, question: Question, answer: Answer | None) -> str:
    """The answer as the person reads it back."""
    if answer is None:
        return "—"
    if answer.skipped:
        return tr._("skipped")
    value = answer.value
    lang = tr.language
    if question.type == "single":
        option = question.option(str(value))
        return option.text.get(lang) if option else str(value)
    if question.type == "multi":
        names = [o.text.get(lang) for o in question.options if o.id in (value or [])]
        return "; ".join(names) or "—"
    if question.type in ("rating", "scale"):
        return str(value)
    text = str(value)
    if len(text) > SUMMARY_ANSWER_CHARS:
        text = text[: SUMMARY_ANSWER_CHARS - 1] + "…"
    return text


def _instruction(tr: Translator, question: Question) -> str:
    lang = tr.language
    if question.type == "single":
        return tr._("Choose one option.")
    if question.type == "multi":
        return tr._("Choose one or more options, then press “Done”.")
    if question.type in ("rating", "scale"):
        low = f"{question.min}"
        high = f"{question.max}"
        if question.min_label is not None:
            low += " — " + question.min_label.get(lang)
        if question.max_label is not None:
            high += " — " + question.max_label.get(lang)
        return tr._("From {low} to {high}.").format(low=low, high=high)
    return tr._("Type your answer in a message (up to {limit} characters).").format(
        limit=tr.number(question.max_length or 0)
    )


def question_message(
    tr: Translator, survey: Survey, index: int, answers: dict[str, Answer]
) -> Message:
    """A question with its buttons; the current answer is ticked."""
    question = survey.questions[index]
    lang = tr.language
    answer = answers.get(question.id)
    header = tr._("{survey} · question {number} of {total}").format(
        survey=survey.title.get(lang), number=index + 1, total=len(survey.questions)
    )
    lines = [header, "", question.text.get(lang)]
    if not question.required:
        lines[-1] += " " + tr._("(optional)")
    lines += ["", _instruction(tr, question)]
    if answer is not None and answer.final and not answer.skipped:
        lines.append(tr._("Your answer: {answer}").format(answer=answer_text(tr, question, answer)))
    keyboard: list[list[InlineKeyboardButton]] = []

    def button(label: str, action: str, *args: object) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            label, callback_data=callbacks.make(FEATURE, action, survey.id, index, *args)
        )

    value = answer.value if answer is not None and not answer.skipped else None
    if question.type == "single":
        for i, option in enumerate(question.options):
            mark = "✓ " if value == option.id else ""
            keyboard.append([button(mark + option.text.get(lang), "a", i)])
    elif question.type == "multi":
        chosen = set(value or [])
        for i, option in enumerate(question.options):
            mark = "☑ " if option.id in chosen else "☐ "
            keyboard.append([button(mark + option.text.get(lang), "a", i)])
        keyboard.append([button(tr._("✅ Done"), "d")])
    elif question.type in ("rating", "scale"):
        values = list(question.scale)
        labels = [
            ("✓ " if value == v else "") + (f"{v}⭐" if question.type == "rating" else str(v))
            for v in values
        ]
        row_width = 6 if len(values) > 6 else len(values)
        buttons = [button(label, "a", v) for label, v in zip(labels, values, strict=True)]
        keyboard += [buttons[i : i + row_width] for i in range(0, len(buttons), row_width)]
    nav = []
    if index > 0:
        back = callbacks.make(FEATURE, "g", survey.id, index - 1)
        nav.append(InlineKeyboardButton(tr._("◀ Back"), callback_data=back))
    if answer is not None and answer.final and question.type != "multi":
        nav.append(button(tr._("Next ▶"), "n"))
    elif (not question.required and question.type != "multi") or not question.required:
        nav.append(button(tr._("Skip ▶"), "k"))
    if nav:
        keyboard.append(nav)
    return Message(
        "\n".join(lines),
        InlineKeyboardMarkup(keyboard) if keyboard else None,
        question=(survey.id, question.id),
    )


def answered_message(tr: Translator, survey: Survey, index: int, answer: Answer) -> Message:
    """What a question's message becomes once answered: the question and the answer."""
    question = survey.questions[index]
    return Message(f"{question.text.get(tr.language)}\n✓ {answer_text(tr, question, answer)}")


def summary_message(
    tr: Translator, forum: Forum, survey: Survey, answers: dict[str, Answer]
) -> Message:
    """The person's answers after the last question, with a button to change one.

    Anonymous: the answers are shown this once, as they are now unlinked: no button.
    """
    lang = tr.language
    lines = [
        tr._("Thank you! Your answers to “{survey}” are saved.").format(
            survey=survey.title.get(lang)
        )
    ]
    _, closes = forum.survey_window(survey)
    if survey.anonymous:
        lines.append(unlinked_note(tr))
        lines.append("")
        for i, question in enumerate(survey.questions, 1):
            given = answer_text(tr, question, answers.get(question.id))
            lines.append(f"{i}. {question.text.get(lang)} — {given}")
        return Message(_clip("\n".join(lines)))
    if closes is not None:
        lines.append(
            tr._("You can change them until {moment}.").format(
                moment=tr.moment(closes, year=forum.forum.starts.year)
            )
        )
    lines.append("")
    for i, question in enumerate(survey.questions, 1):
        given = answer_text(tr, question, answers.get(question.id))
        lines.append(f"{i}. {question.text.get(lang)} — {given}")
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    tr._("✏️ Change an answer"),
                    callback_data=callbacks.make(FEATURE, "e", survey.id),
                )
            ]
        ]
    )
    return Message(_clip("\n".join(lines)), markup)


def change_message(tr: Translator, survey: Survey) -> Message:
    """Pick the question whose answer to change."""
    lang = tr.language
    buttons = []
    for i, question in enumerate(survey.questions):
        text = question.text.get(lang)
        if len(text) > 48:
            text = text[:47] + "…"
        buttons.append(
            [
                InlineKeyboardButton(
                    f"{i + 1}. {text}", callback_data=callbacks.make(FEATURE, "g", survey.id, i)
                )
            ]
        )
    return Message(tr._("Which answer do you want to change?"), InlineKeyboardMarkup(buttons))


def unlinked_note(tr: Translator) -> str:
    """What happened to a finished anonymous response."""
    return tr._(
        "Your answers are now stored without any link to you: nobody, including the "
        "organizers and you, can tell which answers are yours, so they can no longer be shown "
        "or changed."
    )


def finished_anonymously_message(tr: Translator, survey: Survey) -> Message:
    """Opening an anonymous survey the person has completed."""
    text = tr._("You have completed the anonymous survey “{survey}”. Thank you!").format(
        survey=survey.title.get(tr.language)
    )
    return Message(f"{text}\n{unlinked_note(tr)}")


def intro_message(tr: Translator, survey: Survey) -> Message:
    """The survey's title, intro and privacy note."""
    lang = tr.language
    note = (
        tr._(
            "This survey is anonymous. Until you answer the last question, your answers are "
            "linked to your account so that you can stop and continue later. When you finish, "
            "the link is deleted: nobody, including the organizers, can tell which answers are "
            "yours, and you can no longer change them."
        )
        if survey.anonymous
        else tr._("This survey is not anonymous: the organizers see your name.")
    )
    return Message(f"📝 {survey.title.get(lang)}\n\n{survey.intro.get(lang)}\n\n{note}")


def _clip(text: str, limit: int = 4000) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------------------------------
# The flow


class SurveyFlow:
    """Surveys for one person at a time, over the services (content, clock, repository)."""

    def __init__(self, services: Services) -> None:
        self.services = services

    # -- plumbing --------------------------------------------------------------------------

    @property
    def repo(self) -> SurveysRepo:
        """The surveys repository."""
        return self.services.repos.surveys

    def now(self) -> datetime:
        """The clock's now."""
        return self.services.clock.now()

    async def set_cursor(
        self, user_id: int, kind: str, ref: str, question: str | None, message_id: int | None
    ) -> None:
        """Persist what the person answers now."""
        await self.repo.set_cursor(user_id, kind, ref, question, message_id, self.now())

    async def clear_cursor(self, user_id: int) -> None:
        """Forget what the person answers."""
        if await self.repo.cursor(user_id) is not None:  # a read spares a write
            await self.repo.clear_cursor(user_id)

    async def awaiting(self, user_id: int) -> Cursor | None:
        """The cursor that claims this person's next message, if any and still fresh."""
        cursor = await self.repo.cursor(user_id)
        if cursor is None:
            return None
        window = BUTTON_WINDOW
        if cursor.kind == "comment":
            window = TEXT_WINDOW
        else:
            survey = self.services.content.survey(cursor.ref)
            question = survey.question(cursor.question or "") if survey else None
            if question is None:
                return None
            if question.type == "text":
                window = TEXT_WINDOW
        return cursor if self.now() - cursor.shown_at < window else None

    async def response(
        self, survey: Survey, user_id: int, *, create: bool = False
    ) -> Response | None:
        """The person's response (created on the first answer when ``create``).

        Anonymous: only while in progress; a finished one is found by nobody.
        """
        found = await self.repo.find(survey.id, user_id, anonymous=survey.anonymous)
        if found is not None or not create:
            return found
        user = await self.services.repos.users.get(user_id)
        return await self.repo.start(
            survey.id,
            user_id,
            anonymous=survey.anonymous,
            stakeholder=user.stakeholder if user else None,
            language=(user.language or user.language_code) if user else None,
            now=self.now(),
        )

    async def finished_anonymously(self, survey: Survey, user_id: int) -> bool:
        """Whether the person has completed this anonymous survey (and so cannot reopen it)."""
        return survey.anonymous and await self.repo.finished_anonymously(survey.id, user_id)

    async def complete(self, survey: Survey, user_id: int, response: Response) -> None:
        """Mark the response complete; an anonymous one is unlinked from the person now."""
        if survey.anonymous:
            # The cursor row goes in the same transaction as the link.
            await self.repo.complete_anonymous(response.id, user_id, self.now())
        else:
            await self.repo.set_completed(response.id, self.now())

    async def answers_of(self, survey: Survey, user_id: int) -> dict[str, Answer]:
        """The person's stored answers to the survey."""
        found = await self.response(survey, user_id)
        return {} if found is None else await self.repo.answers(found.id)

    def status(self, survey: Survey) -> Status:
        """Open, not yet open, or closed, now."""
        return status(self.services.content, survey, self.now())

    # -- screens ----------------------------------------------------------------------------

    async def list_message(self, tr: Translator, user_id: int) -> Message:
        """Open surveys with the person's progress, one button each."""
        surveys = open_surveys(self.services.content, self.now())
        if not surveys:
            return Message(tr._("There are no open surveys right now."))
        lang = tr.language
        lines = [tr._("Open surveys:"), ""]
        buttons = []
        for survey in surveys:
            answers = await self.answers_of(survey, user_id)
            done, total = progress(survey, answers)
            if done == total or await self.finished_anonymously(survey, user_id):
                state = tr._("✅ done")
            elif done:
                state = tr._("{done} of {total} answered").format(done=done, total=total)
            else:
                state = tr.ngettext("{n} question", "{n} questions", total).format(n=total)
            lines.append(f"📝 {survey.title.get(lang)} — {state}")
            buttons.append(
                [
                    InlineKeyboardButton(
                        survey.title.get(lang),
                        callback_data=callbacks.make(FEATURE, "o", survey.id),
                    )
                ]
            )
        return Message("\n".join(lines), InlineKeyboardMarkup(buttons))

    def unavailable(self, tr: Translator, survey: Survey) -> str | None:
        """Why the survey cannot be answered now, or None if it can."""
        state = self.status(survey)
        if state == "closed":
            return tr._("The survey “{survey}” is closed. Thank you for your interest!").format(
                survey=survey.title.get(tr.language)
            )
        if state == "not_yet":
            opens, _ = self.services.content.survey_window(survey)
            if opens is None:
                return tr._("The survey “{survey}” is not open yet.").format(
                    survey=survey.title.get(tr.language)
                )
            return tr._("The survey “{survey}” opens on {moment}.").format(
                survey=survey.title.get(tr.language),
                moment=tr.moment(opens, year=self.services.content.forum.starts.year),
            )
        return None

    async def open(self, tr: Translator, user_id: int, survey: Survey) -> Outcome:
        """Open a survey: intro and the first unanswered question, or the summary if done."""
        reason = self.unavailable(tr, survey)
        if reason is not None:
            await self._drop_cursor_of(user_id, survey.id)
            return Outcome(send=[Message(reason)])
        if await self.finished_anonymously(survey, user_id):
            await self._drop_cursor_of(user_id, survey.id)
            return Outcome(send=[finished_anonymously_message(tr, survey)])
        response = await self.response(survey, user_id)
        answers = {} if response is None else await self.repo.answers(response.id)
        index = next_question(survey, answers)
        if index is None:
            if response is not None and not response.completed:
                # Every question was answered but the completion was lost (a crash between
                # the last answer and marking it complete): complete it now.
                await self.complete(survey, user_id, response)
            await self._drop_cursor_of(user_id, survey.id)
            return Outcome(send=[summary_message(tr, self.services.content, survey, answers)])
        messages = []
        if not answers:
            messages.append(intro_message(tr, survey))
        else:
            done, total = progress(survey, answers)
            messages.append(
                Message(
                    tr._(
                        "Welcome back! You have answered {done} of {total}; let's continue."
                    ).format(done=done, total=total)
                )
            )
        messages.append(question_message(tr, survey, index, answers))
        return Outcome(send=messages)

    async def _drop_cursor_of(self, user_id: int, survey_id: str) -> None:
        cursor = await self.repo.cursor(user_id)
        if cursor is not None and cursor.kind == "survey" and cursor.ref == survey_id:
            await self.clear_cursor(user_id)

    async def current(self, tr: Translator, user_id: int) -> Outcome:
        """The question the cursor points at, sent again (after a wrong input)."""
        cursor = await self.repo.cursor(user_id)
        survey = self.services.content.survey(cursor.ref) if cursor else None
        if cursor is None or cursor.kind != "survey" or survey is None:
            return Outcome()
        if (reason := self.unavailable(tr, survey)) is not None:
            await self.clear_cursor(user_id)
            return Outcome(send=[Message(reason)])
        index = _index_of(survey, cursor.question)
        answers = await self.answers_of(survey, user_id)
        if index is None:
            index = next_question(survey, answers)
        if index is None:
            return Outcome(send=[summary_message(tr, self.services.content, survey, answers)])
        return Outcome(send=[question_message(tr, survey, index, answers)])

    # -- buttons ----------------------------------------------------------------------------

    async def press(
        self, tr: Translator, user_id: int, action: str, args: tuple[str, ...]
    ) -> Outcome:
        """Handle ``sv:<action>:<survey>:<question>:<value>``."""
        forum = self.services.content
        if action == "l":
            return Outcome(send=[await self.list_message(tr, user_id)])
        survey = forum.survey(args[0]) if args else None
        if survey is None:
            return Outcome(hint=tr._("This survey is no longer available."))
        if action == "o":
            return await self.open(tr, user_id, survey)
        if (reason := self.unavailable(tr, survey)) is not None:
            await self._drop_cursor_of(user_id, survey.id)
            return Outcome(hint=reason, edit=Message(reason))
        if await self.finished_anonymously(survey, user_id):
            # An old question's button: the response it would change is no longer theirs.
            finished = finished_anonymously_message(tr, survey)
            return Outcome(hint=finished.text[:200], edit=finished)
        if action == "e":
            return Outcome(edit=change_message(tr, survey))
        index = _int(args, 1)
        if index is None or not 0 <= index < len(survey.questions):
            return await self._wrong_button(tr, user_id)
        answers = await self.answers_of(survey, user_id)
        if action == "g":  # navigation to any question of this survey
            return Outcome(edit=question_message(tr, survey, index, answers))
        cursor = await self.repo.cursor(user_id)
        question = survey.questions[index]
        if (
            cursor is None
            or cursor.kind != "survey"
            or cursor.ref != survey.id
            or cursor.question != question.id
        ):
            return await self._wrong_button(tr, user_id)
        if action == "a":
            return await self._choose(tr, user_id, survey, index, args, answers)
        if action == "d":
            answer = answers.get(question.id)
            chosen = list(answer.value or []) if answer is not None and answer.value else []
            if question.type != "multi":
                return await self._wrong_button(tr, user_id)
            if not chosen and question.required:
                return Outcome(hint=tr._("Choose at least one option."))
            response = await self.response(survey, user_id, create=True)
            assert response is not None
            await self.repo.save_answer(
                response.id, question.id, chosen or None, skipped=not chosen, now=self.now()
            )
            return await self._advance(tr, user_id, survey, index)
        if action == "k":
            if question.required:
                return await self._wrong_button(tr, user_id)
            response = await self.response(survey, user_id, create=True)
            assert response is not None
            await self.repo.save_answer(
                response.id, question.id, None, skipped=True, now=self.now()
            )
            return await self._advance(tr, user_id, survey, index)
        if action == "n":
            if not is_final(answers, question):
                return await self._wrong_button(tr, user_id)
            return await self._advance(tr, user_id, survey, index)
        return await self._wrong_button(tr, user_id)

    async def _choose(
        self,
        tr: Translator,
        user_id: int,
        survey: Survey,
        index: int,
        args: tuple[str, ...],
        answers: dict[str, Answer],
    ) -> Outcome:
        question = survey.questions[index]
        raw = _int(args, 2)
        if raw is None or question.type == "text":
            return await self._wrong_button(tr, user_id)
        value: Any
        if question.type in ("single", "multi"):
            if not 0 <= raw < len(question.options):
                return await self._wrong_button(tr, user_id)
            value = question.options[raw].id
        else:
            if raw not in question.scale:
                return await self._wrong_button(tr, user_id)
            value = raw
        response = await self.response(survey, user_id, create=True)
        assert response is not None
        if question.type == "multi":
            old = answers.get(question.id)
            chosen = set(old.value or []) if old is not None and not old.skipped else set()
            chosen ^= {value}
            ordered = [o.id for o in question.options if o.id in chosen]
            await self.repo.save_answer(
                response.id, question.id, ordered, draft=True, now=self.now()
            )
            answers = await self.repo.answers(response.id)
            return Outcome(edit=question_message(tr, survey, index, answers))
        await self.repo.save_answer(response.id, question.id, value, now=self.now())
        return await self._advance(tr, user_id, survey, index)

    async def _advance(self, tr: Translator, user_id: int, survey: Survey, index: int) -> Outcome:
        """After question ``index`` got its answer: mark it, then the next question or the end."""
        response = await self.response(survey, user_id)
        assert response is not None
        answers = await self.repo.answers(response.id)
        edit = answered_message(tr, survey, index, answers[survey.questions[index].id])
        following = next_question(survey, answers, after=index)
        if following is None:
            await self.complete(survey, user_id, response)
            await self._drop_cursor_of(user_id, survey.id)
            return Outcome(
                edit=edit, send=[summary_message(tr, self.services.content, survey, answers)]
            )
        return Outcome(edit=edit, send=[question_message(tr, survey, following, answers)])

    async def _wrong_button(self, tr: Translator, user_id: int) -> Outcome:
        outcome = await self.current(tr, user_id)
        outcome.hint = tr._("This button is not for the current question. Here it is again:")
        return outcome

    # -- messages ---------------------------------------------------------------------------

    async def text(self, tr: Translator, user_id: int, text: str | None) -> Outcome:
        """A message while a survey question is shown: a text answer or a wrong input."""
        cursor = await self.awaiting(user_id)
        survey = self.services.content.survey(cursor.ref) if cursor else None
        if cursor is None or survey is None:
            return Outcome()
        if (reason := self.unavailable(tr, survey)) is not None:
            await self.clear_cursor(user_id)
            return Outcome(hint=reason)
        if await self.finished_anonymously(survey, user_id):
            await self.clear_cursor(user_id)
            return Outcome(hint=finished_anonymously_message(tr, survey).text)
        index = _index_of(survey, cursor.question)
        if index is None:
            return await self.current(tr, user_id)
        question = survey.questions[index]
        if question.type != "text":
            outcome = await self.current(tr, user_id)
            outcome.hint = tr._("Please answer with the buttons under the question.")
            return outcome
        if text is None or not text.strip():
            outcome = await self.current(tr, user_id)
            outcome.hint = tr._("Please answer with a text message.")
            return outcome
        text = text.strip()
        limit = question.max_length or 0
        if len(text) > limit:
            outcome = await self.current(tr, user_id)
            outcome.hint = tr._(
                "Your answer is {length} characters long; the limit is {limit}. "
                "Please shorten it and send it again."
            ).format(length=tr.number(len(text)), limit=tr.number(limit))
            return outcome
        response = await self.response(survey, user_id, create=True)
        assert response is not None
        await self.repo.save_answer(response.id, question.id, text, now=self.now())
        return await self._advance(tr, user_id, survey, index)


def _int(args: tuple[str, ...], index: int) -> int | None:
    try:
        return int(args[index])
    except (IndexError, ValueError):
        return None


def _index_of(survey: Survey, question_id: str | None) -> int | None:
    for i, question in enumerate(survey.questions):
        if question.id == question_id:
            return i
    return None
