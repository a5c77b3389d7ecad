"""Each step of the benchmark's mix within its budget of SQL statements and Bot API calls.

Counts, not time: a step that grows a query or a call fails here, whatever the machine's load.
The budgets are what the steps cost in the steady state (a returning user who has used the bot a
moment ago), as the update benchmark drives them (benchmarks/bench_updates.py). Most steps need
no query at all: the prelude's row of the user and the user's stars are kept between updates
(storage/kept.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.harness import SandboxServer, SandboxUser, sandbox_settings
from tests.e2e.conftest import handled

API = ("sendMessage", "editMessageText", "answerCallbackQuery", "sendPhoto", "editMessageMedia")


@pytest.fixture
def bot_settings(sandbox: SandboxServer, tmp_path: Path) -> Any:
    """As the benchmark runs the bot: its users are fast, the flood guard is out of the way."""
    return sandbox_settings(sandbox, tmp_path / "bot.db", flood_limit=1_000_000)


@dataclass
class Cost:
    """What one step made the bot do."""

    statements: list[str] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)

    @property
    def reads(self) -> int:
        return sum(1 for s in self.statements if s.lstrip().upper().startswith("SELECT"))

    @property
    def writes(self) -> int:
        return len(self.statements) - self.reads


async def quiet_background(bot_app: Any) -> None:
    """Stop what runs SQL on its own (the outbox sender and broadcast monitor each second, the
    delivery check's job), so every statement counted belongs to the update measured."""
    from bot import delivery

    bot_app.job_queue.scheduler.pause()
    await delivery.stop(bot_app.bot_data["services"])


async def measure(
    sandbox: SandboxServer, bot_app: Any, act: Callable[[], Awaitable[object]]
) -> Cost:
    """Run ``act`` and wait until its update was handled; the statements and calls it cost."""
    db = bot_app.bot_data["services"].db
    counts = sandbox.world.method_counts
    before = {m: counts.get(m, 0) for m in API}
    cost = Cost()
    await db.trace(cost.statements.append)
    try:
        await act()
        await handled(sandbox, bot_app)
    finally:
        await db.trace(None)
    cost.calls = {m: counts.get(m, 0) - before[m] for m in API if counts.get(m, 0) - before[m]}
    return cost


def first_button(sandbox: SandboxServer, user: SandboxUser, prefix: str) -> tuple[int, str]:
    """(message id, data) of the first button starting with ``prefix`` in the latest keyboard,
    the button the benchmark's driver presses."""
    for stored in reversed(sandbox.world.history(user.id)):
        keyboard = (stored.data.get("reply_markup") or {}).get("inline_keyboard") or []
        datas = [b["callback_data"] for row in keyboard for b in row if "callback_data" in b]
        if stored.outgoing and datas:
            matching = [d for d in datas if d.startswith(prefix)]
            assert matching, (prefix, datas, stored.data.get("text"))
            return stored.message_id, matching[0]
    raise AssertionError("no inline keyboard")  # pragma: no cover


async def mix_costs(sandbox: SandboxServer, bot_app: Any, user: SandboxUser) -> dict[str, Cost]:
    """One round of the benchmark's mix; each step's cost."""
    world = sandbox.world

    def press(prefix: str) -> Callable[[], Awaitable[object]]:
        async def act() -> None:
            message_id, data = first_button(sandbox, user, prefix)
            world.press(user.id, message_id, data)

        return act

    steps: list[tuple[str, Callable[[], Awaitable[object]]]] = [
        ("/start", lambda: user.command("/start")),
        ("/agenda", lambda: user.command("/agenda")),
        ("agenda button", press("ag:")),
        ("agenda button 2", press("ag:")),
        ("/now", lambda: user.command("/now")),
        ("search text", lambda: user.send("бюджет")),
        ("/surveys", lambda: user.command("/surveys")),
        ("/speakers", lambda: user.command("/speakers")),
        ("/my", lambda: user.command("/my")),
        ("/help", lambda: user.command("/help")),
        ("/language", lambda: user.command("/language")),
        ("language button", press("lang:lang:ru")),
    ]
    return {name: await measure(sandbox, bot_app, act) for name, act in steps}


# step: (reads, writes, Bot API calls). Writes count BEGIN and COMMIT where there are any; a
# one-statement write is one (Database.write). The second agenda button stars or unstars the
# session the first one opened, and shows the card without reading the star back; the language
# button stores the choice.
BUDGET: dict[str, tuple[int, int, dict[str, int]]] = {
    "/start": (0, 0, {"sendMessage": 1}),
    "/agenda": (0, 0, {"sendMessage": 1}),
    "agenda button": (0, 0, {"editMessageText": 1, "answerCallbackQuery": 1}),
    "agenda button 2": (0, 1, {"editMessageText": 1, "answerCallbackQuery": 1}),
    "/now": (0, 0, {"sendMessage": 1}),
    "search text": (1, 0, {"sendMessage": 1}),
    "/surveys": (0, 0, {"sendMessage": 1}),
    "/speakers": (0, 0, {"sendMessage": 1}),
    "/my": (0, 0, {"sendMessage": 1}),
    "/help": (0, 0, {"sendMessage": 1}),
    "/language": (0, 0, {"sendMessage": 1}),
    "language button": (0, 1, {"sendMessage": 1, "answerCallbackQuery": 1}),
}


async def test_each_step_of_the_mix_stays_within_its_budget(
    bot_app: Any, sandbox: SandboxServer, make_user: Callable[..., SandboxUser]
) -> None:
    await quiet_background(bot_app)
    user = make_user(lang="ru")
    await mix_costs(sandbox, bot_app, user)  # the first round: a new user, registering
    costs = await mix_costs(sandbox, bot_app, user)  # a returning user, seen a moment ago
    over = {
        name: (cost.reads, cost.writes, cost.calls, cost.statements)
        for name, cost in costs.items()
        if cost.reads > BUDGET[name][0]
        or cost.writes > BUDGET[name][1]
        or cost.calls != BUDGET[name][2]
    }
    assert not over, over
    # The user's row is not read at all: kept from the first round, and the language button
    # keeps what it wrote instead of reading it back.
    user_reads = [
        name
        for name, cost in costs.items()
        for statement in cost.statements
        if statement.startswith("SELECT * FROM users")
    ]
    assert user_reads == []
