"""The organizers' /broadcast dialog as a flow: audience, text(s), button, preview, send or
schedule; and the pause/resume/cancel buttons of a running one.

Each step returns an :class:`~bot.views.Outcome`; ``handlers/broadcast.py`` parses the update,
checks the role and renders it. The draft row in ``broadcasts`` is the one source of truth of
where the organizer is: its audience, texts and button as chosen so far, and ``awaiting``
(what their next message is for: the text, or the moment of a scheduled broadcast).

Rules kept here: one draft per organizer (a new /broadcast discards the old draft); a text per
language is asked language by language; a scheduled moment must lie in the future.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot import callbacks
from bot.errors import StaleButton
from bot.i18n import LANGUAGES, Translator
from bot.labels import LANGUAGE_NAMES, STAKEHOLDER_LABELS
from bot.services import broadcasts as service
from bot.views import Button, Outcome, Rows, Screen, Target, Text, rows
from storage.broadcasts import Broadcast
from storage.users import STAKEHOLDER_GROUPS

if TYPE_CHECKING:
    from bot.context import Services

FEATURE = service.FEATURE
PAGE = 8
MAX_SESSION_BUTTONS = 24
LABEL_CHARS = 40


def _b(text: str, action: str, *args: object) -> Button:
    return Button(text, data=callbacks.make(FEATURE, action, *args))


def _quit_row(tr: Translator) -> list[Button]:
    return [_b(tr._("✖️ Cancel"), "quit")]


def missing_language(draft: Broadcast) -> str | None:
    """The first language still without its text (texts per language only)."""
    for lang in LANGUAGES:
        if not draft.texts.get(lang):
            return lang
    return None


def texts_complete(draft: Broadcast) -> bool:
    """Whether the draft has its text (or every language's)."""
    if draft.texts.get("_mode") == "per":
        return missing_language(draft) is None
    return bool(draft.texts.get("*"))


# Steps that need the text first (a button from an older screen, or forged, cannot skip it).
AFTER_TEXT = frozenset({"btn", "bv", "go"})

# A composer step: (translator, the organizer's draft, the press's arguments) -> outcome.
Step = Callable[[Translator, Broadcast, callbacks.Callback], Awaitable[Outcome]]
# Controls of a started broadcast: (services, broadcast id) -> done.
Control = Callable[["Services", int], Awaitable[bool]]


class BroadcastComposer:
    """The /broadcast dialog and the controls of running broadcasts."""

    def __init__(self, services: Services, bot_username: str) -> None:
        self.services = services
        self.repo = services.repos.broadcasts
        self.bot_username = bot_username
        self.steps: dict[str, Step] = {
            "aud": self._audience,
            "av": self._audience_value,
            "mode": self._mode,
            "btn": self._button,
            "bv": self._button_value,
            "go": self._go,
        }
        self.controls: dict[str, Control] = {
            "pause": service.pause,
            "resume": service.resume,
            "cancel": service.cancel,
        }

    @property
    def _year(self) -> int:
        """The forum's year: a date in it is shown without the year (content may reload)."""
        return self.services.content.forum.starts.year

    # ------------------------------------------------------------------------ entry points
    async def begin(self, tr: Translator, user_id: int) -> Outcome:
        """/broadcast: a new draft (the old one is discarded); who should get it?"""
        old = await self.repo.latest_draft(user_id)
        if old is not None:
            await service.cancel(self.services, old.id)
        await self.repo.create(user_id, self.services.clock.now())
        return Outcome(screens=[self._audience_screen(tr, "send")])

    async def draft(self, user_id: int) -> Broadcast | None:
        """The organizer's draft, if they are composing one."""
        return await self.repo.latest_draft(user_id)

    async def press(self, tr: Translator, user_id: int, data: callbacks.Callback) -> Outcome:
        """A ``bc:`` button: a control of a started broadcast, or a step of the draft."""
        if data.action in self.controls:
            return await self._control(tr, data)
        draft = await self.repo.latest_draft(user_id)
        if data.action == "quit":
            if draft is not None:
                await service.cancel(self.services, draft.id)
            return Outcome.edit(tr._("Broadcast discarded."))
        step = self.steps.get(data.action)
        if step is None or draft is None:
            raise StaleButton()
        if data.action in AFTER_TEXT and not texts_complete(draft):
            raise StaleButton()
        return await step(tr, draft, data)

    async def text(self, tr: Translator, draft: Broadcast, text: str | None) -> Outcome:
        """The organizer's message while the draft awaits one (see ``draft.awaiting``)."""
        if draft.awaiting == "when":
            return await self._when(tr, draft, text or "")
        value = (text or "").strip()
        if not value:
            return Outcome(Text(tr._("Send the text of the broadcast.")))
        texts = dict(draft.texts)
        per_language = texts.get("_mode") == "per"
        texts[(missing_language(draft) or LANGUAGES[0]) if per_language else "*"] = value
        await self.repo.update(draft.id, texts=texts)
        draft = await self._reload(draft)
        if per_language and missing_language(draft) is not None:
            return Outcome(screens=[self._text_screen(tr, draft, "send")])
        await self.repo.update(draft.id, awaiting=None)
        return Outcome(screens=[self._button_screen(tr, "send")])

    async def cancel(self, tr: Translator, user_id: int) -> Outcome | None:
        """/cancel: the draft is discarded (None when there is none)."""
        draft = await self.repo.latest_draft(user_id)
        if draft is None:
            return None
        await service.cancel(self.services, draft.id)
        return Outcome.send(tr._("Broadcast discarded."))

    async def _reload(self, draft: Broadcast) -> Broadcast:
        return (await self.repo.get(draft.id)) or draft

    # ------------------------------------------------------------------------ steps
    async def _audience(
        self, tr: Translator, draft: Broadcast, data: callbacks.Callback
    ) -> Outcome:
        kind = data.arg(0)
        if kind == "all":
            await self.repo.update(draft.id, audience={"kind": "all"})
            return Outcome(screens=[await self._mode_screen(tr, await self._reload(draft))])
        if kind not in service.AUDIENCE_KINDS:
            raise StaleButton()
        screen = await self._audience_value_screen(tr, kind)
        if screen is None:
            return Outcome(Text(tr._("There is nobody to choose yet."), alert=True))
        return Outcome(screens=[screen])

    async def _audience_value(
        self, tr: Translator, draft: Broadcast, data: callbacks.Callback
    ) -> Outcome:
        kind, value = data.arg(0), data.arg(1)
        if kind not in service.AUDIENCE_KINDS or not value:
            raise StaleButton()
        await self.repo.update(draft.id, audience={"kind": kind, "value": value})
        return Outcome(screens=[await self._mode_screen(tr, await self._reload(draft))])

    async def _mode(self, tr: Translator, draft: Broadcast, data: callbacks.Callback) -> Outcome:
        mode = data.arg(0)
        if mode not in ("one", "per"):
            raise StaleButton()
        await self.repo.update(draft.id, texts={"_mode": mode}, awaiting="text")
        return Outcome(screens=[self._text_screen(tr, await self._reload(draft), "edit")])

    async def _button(self, tr: Translator, draft: Broadcast, data: callbacks.Callback) -> Outcome:
        kind = data.arg(0)
        if kind == "none":
            await self.repo.update(draft.id, button=None)
            return await self._preview(tr, await self._reload(draft))
        page = data.int_arg(1, hi=10_000)
        if kind not in ("session", "survey") or page is None:
            raise StaleButton()
        return Outcome(screens=[self._button_target_screen(tr, kind, page)])

    async def _button_value(
        self, tr: Translator, draft: Broadcast, data: callbacks.Callback
    ) -> Outcome:
        kind, item = data.arg(0), data.arg(1)
        content = self.services.content
        found = content.session(item) if kind == "session" else content.survey(item)
        if kind not in ("session", "survey") or found is None:
            raise StaleButton()
        await self.repo.update(draft.id, button={"kind": kind, "id": item})
        return await self._preview(tr, await self._reload(draft))

    async def _go(self, tr: Translator, draft: Broadcast, data: callbacks.Callback) -> Outcome:
        if data.arg(0) == "now":
            count = max(await service.start(self.services, draft.id, self.bot_username), 0)
            return Outcome.edit(
                tr.ngettext(
                    "📤 Broadcast #{id} is sending to {n} person. Progress follows.",
                    "📤 Broadcast #{id} is sending to {n} people. Progress follows.",
                    count,
                ).format(id=draft.id, n=count)
            )
        if data.arg(0) != "later":
            raise StaleButton()
        await self.repo.update(draft.id, awaiting="when")
        example = tr.local(self.services.clock.now()).strftime("%d.%m %H:%M")
        text = tr._(
            "When should it go? Send the date and time in forum time ({zone}), "
            "for example {example}."
        ).format(zone=str(tr.tz), example=example)
        return Outcome.edit(text, [_quit_row(tr)])

    async def _when(self, tr: Translator, draft: Broadcast, text: str) -> Outcome:
        now = self.services.clock.now()
        moment = service.parse_when(text, tr, now)
        if moment is None or moment <= now:
            example = tr.local(now).strftime("%d.%m %H:%M")
            return Outcome(
                Text(
                    tr._("Please send a future date and time, for example {example}.").format(
                        example=example
                    )
                )
            )
        await service.schedule(self.services, draft.id, moment)
        return Outcome.send(
            tr._(
                "🕒 Broadcast #{id} is scheduled for {when} (forum time). /broadcasts lists it."
            ).format(id=draft.id, when=tr.moment(moment, year=self._year))
        )

    async def _control(self, tr: Translator, data: callbacks.Callback) -> Outcome:
        broadcast_id = data.int_arg(0)
        if broadcast_id is None or not await self.controls[data.action](
            self.services, broadcast_id
        ):
            raise StaleButton()
        answers = {
            "pause": tr._("Paused."),
            "resume": tr._("Resumed."),
            "cancel": tr.pgettext("broadcast", "Cancelled."),
        }
        hint = Text(answers[data.action])
        broadcast = await self.repo.get(broadcast_id)
        if broadcast is None:
            return Outcome(hint)
        if data.action == "cancel":
            return Outcome.edit(
                tr._("✖️ Broadcast #{id} is cancelled.").format(id=broadcast.id), hint=hint
            )
        return Outcome(hint, [Screen("", service.control_keyboard(tr, broadcast), "buttons")])

    # ------------------------------------------------------------------------ screens
    def _audience_screen(self, tr: Translator, target: Target) -> Screen:
        keyboard = [
            [_b(tr._("👥 Everyone"), "aud", "all")],
            [_b(tr._("🌐 By language"), "aud", "language")],
            [_b(tr._("🏛 By group"), "aud", "group")],
            [_b(tr._("⭐ Starred a session"), "aud", "starred")],
            [_b(tr._("📝 Has not finished a survey"), "aud", "survey")],
            _quit_row(tr),
        ]
        return Screen(tr._("📣 New broadcast. Who should get it?"), keyboard, target)

    async def _audience_value_screen(self, tr: Translator, kind: str) -> Screen | None:
        """The choices of one audience kind; None when there is nothing to choose."""
        content = self.services.content
        buttons: list[Button] = []
        if kind == "language":
            buttons = [_b(name, "av", kind, code) for code, name in LANGUAGE_NAMES.items()]
            prompt = tr._("Which language's readers?")
        elif kind == "group":
            buttons = [_b(tr._(STAKEHOLDER_LABELS[g]), "av", kind, g) for g in STAKEHOLDER_GROUPS]
            prompt = tr._("Which group?")
        elif kind == "starred":
            counts = await self.repo.starred_sessions()
            sessions = [s for s in content.sessions if counts.get(s.id)][:MAX_SESSION_BUTTONS]
            for session in sessions:
                label = f"{tr.time(session.starts_utc)} {session.title.get(tr.language)}"
                label = f"{label[:LABEL_CHARS]} ({counts[session.id]})"
                buttons.append(_b(label, "av", kind, session.id))
            prompt = tr._("People who starred which session?")
        else:
            buttons = [
                _b(s.title.get(tr.language)[:LABEL_CHARS], "av", kind, s.id)
                for s in content.surveys
            ]
            prompt = tr._("People who have not finished which survey?")
        if not buttons:
            return None
        keyboard = rows(buttons, 1 if kind in ("starred", "survey") else 2)
        keyboard.append(_quit_row(tr))
        return Screen(prompt, keyboard, "edit")

    async def _mode_screen(self, tr: Translator, draft: Broadcast) -> Screen:
        targets = await service.recipients(self.services, draft.audience)
        audience = service.audience_label(self.services, tr, draft.audience)
        text = tr._("Audience: {audience}.").format(audience=audience)
        text += "\n" + tr.ngettext(
            "It reaches {n} person now.", "It reaches {n} people now.", len(targets)
        ).format(n=len(targets))
        text += "\n\n" + tr._("One text for everyone, or one text per language?")
        keyboard = [
            [_b(tr._("One text for all"), "mode", "one")],
            [_b(tr._("A text per language"), "mode", "per")],
            _quit_row(tr),
        ]
        return Screen(text, keyboard, "edit")

    def _text_screen(self, tr: Translator, draft: Broadcast, target: Target) -> Screen:
        if draft.texts.get("_mode") == "per":
            lang = missing_language(draft) or LANGUAGES[0]
            text = tr._("Send the text for readers of {language}.").format(
                language=LANGUAGE_NAMES[lang]
            )
        else:
            text = tr._("Send the text of the broadcast.")
        return Screen(text, [_quit_row(tr)], target)

    def _button_screen(self, tr: Translator, target: Target) -> Screen:
        keyboard = [
            [_b(tr._("No button"), "btn", "none")],
            [_b(tr._("📅 Link to a session"), "btn", "session", 0)],
            [_b(tr._("📝 Link to a survey"), "btn", "survey", 0)],
            _quit_row(tr),
        ]
        return Screen(tr._("Add a button under the message?"), keyboard, target)

    def _button_target_screen(self, tr: Translator, kind: str, page: int) -> Screen:
        content = self.services.content
        if kind == "session":
            items = [
                (s.id, f"{tr.moment(s.starts_utc, year=self._year)} · {s.title.get(tr.language)}")
                for s in content.sessions
                if s.kind not in ("break", "registration")
            ]  # fmt: skip
        else:
            items = [(s.id, s.title.get(tr.language)) for s in content.surveys]
        page = max(0, min(page, (len(items) - 1) // PAGE if items else 0))
        chunk = items[page * PAGE : (page + 1) * PAGE]
        keyboard: Rows = [[_b(label[:48], "bv", kind, item_id)] for item_id, label in chunk]
        nav = []
        if page > 0:
            nav.append(_b("‹", "btn", kind, page - 1))
        if (page + 1) * PAGE < len(items):
            nav.append(_b("›", "btn", kind, page + 1))
        if nav:
            keyboard.append(nav)
        keyboard.append(_quit_row(tr))
        return Screen(tr._("Which one should the button open?"), keyboard, "edit")

    async def _preview(self, tr: Translator, draft: Broadcast) -> Outcome:
        """Each language's message exactly as its readers will see it, then the summary."""
        screens = [Screen(tr._("Preview:"), [], "edit")]
        targets = await service.recipients(self.services, draft.audience)
        counts = service.by_language(targets)
        shown = [lang for lang in LANGUAGES if counts.get(lang)] or list(LANGUAGES)
        for lang in shown:
            heading = tr.ngettext(
                "Preview for {language} ({n} recipient):",
                "Preview for {language} ({n} recipients):",
                counts.get(lang, 0),
            ).format(language=LANGUAGE_NAMES[lang], n=counts.get(lang, 0))
            screens.append(Screen(heading))
            reader = self.services.i18n.get(lang)
            text, buttons = service.render(self.services, draft, reader, self.bot_username)
            screens.append(Screen(text, buttons))
        audience = service.audience_label(self.services, tr, draft.audience)
        summary = tr.ngettext(
            "Audience: {audience}. {n} recipient.",
            "Audience: {audience}. {n} recipients.",
            len(targets),
        ).format(audience=audience, n=len(targets))
        keyboard = [
            [_b(tr._("📤 Send now"), "go", "now")],
            [_b(tr._("🕒 Schedule"), "go", "later")],
            _quit_row(tr),
        ]
        screens.append(Screen(summary, keyboard))
        return Outcome(screens=screens)

    # ------------------------------------------------------------------------ /broadcasts
    async def listing(self, tr: Translator) -> Outcome:
        """Scheduled, running and past broadcasts with their controls."""
        found = await self.repo.recent(10)
        if not found:
            return Outcome.send(tr._("No broadcasts yet. Start one with /broadcast."))
        lines = [tr._("📣 Broadcasts:")]
        keyboard: Rows = []
        for b in found:
            counts = await self.services.repos.outbox.counts(broadcast_id=b.id)
            lines.append(
                tr._("#{id} · {state} · {when} · {audience} · sent {sent} of {total}").format(
                    id=b.id,
                    state=tr._(service.STATE_LABELS[b.state]),
                    when=service.when_text(tr, b, self._year),
                    audience=service.audience_label(self.services, tr, b.audience),
                    sent=tr.number(counts["sent"]),
                    total=tr.number(b.total),
                )
            )
            for row in service.control_keyboard(tr, b):
                keyboard.append([Button(f"{btn.text} #{b.id}", data=btn.data) for btn in row])
        return Outcome.send("\n".join(lines), keyboard)
