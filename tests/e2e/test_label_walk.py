"""Labels that fit a phone on every keyboard a walk through the bot shows, in kk, ru and en.

tests/unit/test_labels.py measures the keyboards that can be built without a chat. This walk
chats with the real bot through the sandbox as an organizer, a reviewer and a participant:
it sends every command, types what the dialogs ask (a question for the Q&A, a broadcast's
text), and presses the buttons of every keyboard it receives, a few levels deep. Then every
inline keyboard the bot ever sent or edited in, in any chat (the outbox's notices too), is
measured: a button that shares a row with others fits its share (``bot.views.label_limit``).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.clock import Clock
from bot.i18n import LANGUAGES
from bot.sandbox import SandboxServer
from bot.sandbox.harness import SandboxUser, sandbox_settings
from bot.services.roles import Role
from bot.views import label_length, label_limit
from tests.e2e.conftest import delivered, handled

ALMATY = ZoneInfo("Asia/Almaty")
# The opening plenary: its Q&A is live. At 17:00 the feedback survey is open and sessions
# that are over can be rated.
DURING = datetime(2018, 11, 14, 10, 30, tzinfo=ALMATY)
EVENING = datetime(2018, 11, 14, 17, 0, tzinfo=ALMATY)

ORGANIZER_COMMANDS = (
    "/start", "/help", "/agenda", "/now", "/my", "/speakers", "/surveys", "/propose",
    "/myproposals", "/reminders", "/endorse", "/privacy", "/language", "/results", "/proposals",
    "/board", "/broadcast", "/broadcasts", "/team", "/status", "/moderate", "/screen",
)  # fmt: skip
# Buttons the walk does not press: erasing the walker's data, and another language than the
# walker's (``<feature>:lang:<code>``): the walk stays in its language.
ERASE = "del:"
DEPTH = 3
# What the walk must have pressed buttons of: onboarding, agenda, my agenda, speakers,
# reminders, surveys, ratings, Q&A (asking and moderating), results, broadcasts, team,
# the organizers' review of proposals, proposals, the review board, reviewing, endorsement.
REACHED = {
    "onb", "ag", "my", "sp", "rem", "sv", "rate", "qa", "res", "bc", "team", "prv", "pr", "bd",
    "rv", "en",
}  # fmt: skip
# The review board's keyboards (bot/services/board*.py; the reviewer's screens are built with
# its board_views) are being laid out one label per row on another branch: their overflow is
# reported apart, as an expected failure, until that lands.
BOARD = ("bd:", "rv:")


@pytest.fixture
def clock() -> Clock:
    return Clock(DURING, frozen=True)


@pytest.fixture
def content_file(content_file: Path) -> Path:
    """The sample forum with one reviewer per proposal and two recommendations to endorse."""
    data = yaml.safe_load(content_file.read_text(encoding="utf-8"))
    data["review"]["reviewers_per_proposal"] = 1
    topic = data["proposal_topics"][0]["id"]
    data["recommendations"] = [
        {"id": f"r{n}", "topic": topic, "text": f"Recommendation {n}: do the right thing."}
        for n in (1, 2)
    ]
    content_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return content_file


@pytest.fixture
def bot_settings(sandbox: SandboxServer, tmp_path: Path, content_file: Path) -> Any:
    """A bot for a walker who presses faster than anyone, with an outbox that delivers at once
    (the Q&A's cards for the moderators, the review's notices, the endorsement's invitations)."""
    return sandbox_settings(
        sandbox,
        tmp_path / "bot.db",
        flood_limit=100_000,
        forum_content=content_file,
        outbox_rate=0,
        outbox_chat_rate=0,
    )


class Walk:
    """Acts as people would and presses what the bot offers; remembers where it was."""

    def __init__(self, sandbox: SandboxServer, application: Any) -> None:
        self.world = sandbox.world
        self.sandbox = sandbox
        self.application = application
        self.pressed: set[tuple[int, str]] = set()
        self.where: list[tuple[int, str]] = []  # (first event seq, what the walk did)
        self.roles: dict[int, str] = {}  # user id -> "organizer", "participant", "reviewer"

    async def settle(self) -> None:
        """Every update handled and everything due in the outbox sent."""
        await handled(self.sandbox, self.application)
        await delivered(self.application)

    async def do(self, user: SandboxUser, what: str, action: Any) -> int:
        """Run ``action`` (a coroutine) as ``user``; returns the event seq it started at."""
        seq = self.world.last_seq
        self.where.append((seq, f"{user.language_code} {self.roles.get(user.id)}: {what}"))
        await action
        await self.settle()
        return seq

    async def command(self, user: SandboxUser, command: str, payload: str | None = None) -> None:
        seq = await self.do(user, command, user.command(command, payload))
        await self.crawl(user, command, seq, DEPTH)

    async def send(self, user: SandboxUser, what: str, text: str) -> None:
        seq = await self.do(user, what, user.send(text))
        await self.crawl(user, what, seq, DEPTH)

    def _keyboards_after(self, user: SandboxUser, seq: int) -> list[tuple[int, list[str]]]:
        """(message id, callback data of its buttons) of every keyboard shown since ``seq``."""
        found = []
        for event in self.world.events_after(seq, user.id):
            message = event.get("message") or {}
            rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
            data = [b["callback_data"] for row in rows for b in row if "callback_data" in b]
            if event.get("actor") == "bot" and data:
                found.append((event["message_id"], data))
        return found

    async def crawl(self, user: SandboxUser, what: str, seq: int, depth: int) -> None:
        """Press every button shown since ``seq`` once, then what those presses showed."""
        if depth == 0:
            return
        for message_id, buttons in self._keyboards_after(user, seq):
            for data in buttons:
                if not self._may_press(user, data):
                    continue
                self.pressed.add((user.id, data))
                step = f"{what} › {data}"
                after = await self.do(user, step, self._press(user, message_id, data))
                await self.crawl(user, step, after, depth - 1)

    async def press(self, user: SandboxUser, data: str) -> None:
        """Press the button with callback ``data`` on the newest message that has it."""
        shown = [m for m, buttons in self._keyboards_after(user, 0) if data in buttons]
        assert shown, f"{user!r} was never shown a button {data!r}"
        self.pressed.add((user.id, data))
        await self.do(user, data, self._press(user, shown[-1], data))

    def _may_press(self, user: SandboxUser, data: str) -> bool:
        parts = data.split(":")
        other_language = parts[1:2] == ["lang"] and parts[2:] != [user.language_code]
        fresh = (user.id, data) not in self.pressed
        return fresh and not other_language and not data.startswith(ERASE)

    async def _press(self, user: SandboxUser, message_id: int, data: str) -> None:
        self.world.press(user.id, message_id, data)

    def too_long(self, *, board: bool) -> list[str]:
        """Every label over its share of the row (of the review board's buttons, or of all
        others, reply keyboards too), with what the walk did to see it."""
        found: dict[str, str] = {}
        for event in self.world.events_after(0):
            message = event.get("message") or {}
            if event.get("actor") != "bot":
                continue
            markup = message.get("reply_markup") or {}
            for row in markup.get("inline_keyboard") or markup.get("keyboard") or []:
                if len(row) < 2:
                    continue  # one to a row: the whole width
                limit = label_limit(len(row))
                for button in row:
                    text = button["text"]
                    of_board = button.get("callback_data", "").startswith(BOARD)
                    if of_board == board and label_length(text) > limit:
                        key = f"{text!r} ({label_length(text)} > {limit}, {len(row)} in a row)"
                        found.setdefault(key, self._where(event["seq"]))
        return [f"{label}: {where}" for label, where in found.items()]

    def _where(self, seq: int) -> str:
        return next((what for start, what in reversed(self.where) if start < seq), "start-up")


async def started(walk: Walk, user: SandboxUser, role: str) -> SandboxUser:
    walk.roles[user.id] = role
    await walk.command(user, "/start")
    return user


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_every_keyboard_of_a_walk_fits_the_phone(
    bot_app: Any, sandbox: SandboxServer, make_user: Any, clock: Clock, lang: str
) -> None:
    services = bot_app.bot_data["services"]
    walk = Walk(sandbox, bot_app)
    organizer = await started(walk, make_user(lang, organizer=True), "organizer")
    participant = await started(walk, make_user(lang), "participant")
    reviewer = await started(walk, make_user(lang), "reviewer")
    await services.roles.grant(reviewer.id, Role.REVIEWER)
    await services.repos.reviews.declare(reviewer.id, None, clock.now())
    for n, author in enumerate((participant, organizer), 1):
        await services.repos.proposals.submit(author.id, lang, proposal(n), clock.now())

    # The Q&A during the opening plenary: a question (asked, not cancelled), the moderator's
    # card in the organizer's chat, the session's card and the moderation desk.
    await walk.do(participant, "ask", participant.command("/start", "ask_opening"))
    seq = await walk.do(participant, "a question", participant.send("Қалай? Как? How?"))
    await walk.crawl(participant, "a question", seq, DEPTH)
    await walk.crawl(organizer, "the question's card", seq, DEPTH)
    await walk.command(participant, "/start", "session_opening")
    # A broadcast with its text: then its button, preview and sending.
    await walk.do(organizer, "/broadcast", organizer.command("/broadcast"))
    await walk.press(organizer, "bc:aud:all")
    await walk.press(organizer, "bc:mode:one")
    await walk.send(organizer, "a broadcast's text", "Hello")
    # The board assigns the proposals to the reviewer, who reviews them (before the organizer's
    # walk decides them and changes the reviewer's role).
    await walk.do(organizer, "/board", organizer.command("/board"))
    await walk.press(organizer, "bd:as")
    await walk.command(reviewer, "/review")
    for command in ORGANIZER_COMMANDS:
        await walk.command(organizer, command)

    # The evening: surveys open, sessions over can be rated; results have answers.
    clock.set(EVENING, frozen=True)
    for command in ("/surveys", "/my", "/agenda", "/endorse"):
        await walk.command(participant, command)
    await walk.command(participant, "/start", "session_opening")
    for command in ("/results", "/broadcasts", "/board", "/proposals", "/endorse"):
        await walk.command(organizer, command)
    await walk.command(reviewer, "/review")

    features = {data.split(":")[0] for _, data in walk.pressed}
    assert features >= REACHED, f"the walk did not reach {sorted(REACHED - features)}"
    assert walk.too_long(board=False) == []
    assert walk.too_long(board=True) == []  # the review board's screens too


def proposal(n: int) -> dict[str, Any]:
    return {
        "consent_version": "v1", "consent_at": DURING.isoformat(), "org_name": f"Org {n}",
        "org_type": "association", "region": "almaty_city", "topic": "sdg", "sdgs": [4, 11],
        "title": f"Proposal {n}", "summary": "Solar panels on school roofs.", "support": "Grant",
        "contact_person": "Aigul", "phone": "+77011234567", "email": "a@example.kz",
    }  # fmt: skip
