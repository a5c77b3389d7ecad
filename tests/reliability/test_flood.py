"""A flooding user is throttled with exactly one notice; everyone else is served as usual."""

from __future__ import annotations

from tests.e2e.conftest import handled

NOTICE = "You are sending messages too fast"
HELP = "Here is what I can do"


async def test_flooder_gets_one_notice_and_others_keep_being_served(
    bot_app, sandbox, make_user, bot_settings
):
    flooder, other = make_user(), make_user()
    limit = bot_settings.flood_limit
    # 100 messages at once (far more than the limit within the window); the other user keeps
    # using the bot meanwhile.
    for n in range(100):
        sandbox.world.send_text(flooder.id, f"spam {n}")
        if n % 10 == 0:
            sandbox.world.send_command(other.id, "/help")
    for _ in range(10):  # the other user's replies all arrive (expect moves past each one)
        await other.expect(HELP)
    await flooder.expect(NOTICE)
    await handled(sandbox, bot_app)  # every update of the flood has been handled
    said = [m.text for m in flooder.messages]
    assert sum(NOTICE in t for t in said) == 1, said
    assert len(said) == limit + 1  # the first `limit` messages answered, then one notice
    assert sum(HELP in m.text for m in other.messages) == 10
