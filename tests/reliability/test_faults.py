"""Faults on the Bot API side: 429 with retry_after, 500s, slow answers, the API unreachable.

The bot keeps serving and loses nothing: every update sent during the fault is answered.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.sandbox.world import Fault

# PTB 22 warns when it builds a RetryAfter (retry_after becomes a timedelta in v23); the test
# suite turns warnings into errors, which would turn every 429 into a failure here.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

HELP = "Here is what I can do"


async def test_429_on_replies_is_retried(bot_app, sandbox, make_user):
    user = make_user()
    sandbox.world.add_fault(Fault("sendMessage", count=2, status=429, retry_after=1))
    await user.command("/help")
    await user.expect(HELP, timeout=15)
    assert sum(1 for c in sandbox.world.errors if c.get("error_code") == 429) == 2


async def test_500_on_a_reply_then_serving_goes_on(bot_app, sandbox, make_user, error_log):
    user = make_user(lang="en")  # the bot's default language is ru: the apology must be en
    sandbox.world.add_fault(Fault("sendMessage", count=1, status=500))
    await user.command("/help")
    # The reply failed once; the bot apologizes in the user's language and keeps serving.
    reply = await user.expect()
    assert "Sorry, something went wrong on our side" in reply.text
    await user.command("/help")
    await user.expect(HELP)


async def test_getupdates_failures_lose_no_update(bot_app, sandbox, make_user):
    users = [make_user() for _ in range(3)]
    sandbox.world.add_fault(Fault("getUpdates", count=3, status=500))
    sandbox.world.add_fault(Fault("getUpdates", count=1, status=502))
    for user in users:
        await user.command("/help")
    for user in users:
        await user.expect(HELP, timeout=30)


async def test_slow_api_does_not_block_other_users(bot_app, sandbox, make_user):
    slow, other = make_user(), make_user()
    sandbox.world.add_fault(Fault("sendMessage", count=1, delay=3.0))
    await slow.command("/help")
    while sandbox.world.faults:  # the slow reply has started once the sandbox took the fault
        await sandbox.world.wait_events(sandbox.world.last_seq, wait=0.1)
    await other.command("/language")
    await other.expect("Choose your language")
    assert slow.last_message is None  # still waiting for its slow reply
    await slow.expect(HELP, timeout=15)


async def test_api_unreachable_for_a_while(bot_app, sandbox, make_user):
    """Connection refused: stop the listener, queue updates, start it again on the same port."""
    users = [make_user() for _ in range(3)]
    port = sandbox.port
    await sandbox.stop()
    for user in users:
        await user.command("/help")  # the updates wait in the (stopped) Telegram
    await asyncio.sleep(2.0)  # the bot's polls are refused meanwhile
    sandbox.port = port
    await sandbox.start()
    assert sandbox.port == port
    for user in users:
        await user.expect(HELP, timeout=40)
