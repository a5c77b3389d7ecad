"""A flooding user is throttled with exactly one notice; everyone else is served as usual."""

from __future__ import annotations

import asyncio

NOTICE = "You are sending messages too fast"
HELP = "Here is what I can do"


async def test_flooder_gets_one_notice_and_others_keep_being_served(
    bot_app, sandbox, make_user, bot_settings
):
    flooder, other = make_user(), make_user()
    limit = bot_settings.flood_limit
    for second in range(2):  # 50 messages a second, for two seconds (well within the window)
        for n in range(50):
            sandbox.world.send_text(flooder.id, f"spam {second}-{n}")
            if n % 10 == 0:  # the other user keeps using the bot meanwhile
                sandbox.world.send_command(other.id, "/help")
            await asyncio.sleep(0.02)
    for _ in range(10):  # the other user's replies all arrive (expect moves past each one)
        await other.expect(HELP)
    await flooder.expect(NOTICE)
    await asyncio.sleep(1.0)  # anything still in flight from the flood arrives now
    said = [m.text for m in flooder.messages]
    assert sum(NOTICE in t for t in said) == 1, said
    assert len(said) == limit + 1  # the first `limit` messages answered, then one notice
    assert sum(HELP in m.text for m in other.messages) == 10
