"""The organizers' review as people use it: releasing decisions through the outbox (a failed
send loses nothing), a comment on a proposal withdrawn meanwhile, and forged numbers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.clock import Clock
from bot.i18n import I18n
from bot.sandbox.harness import SandboxServer, SandboxUser, sandbox_settings
from bot.sandbox.world import Fault
from storage.proposals import Proposal

CARD_TOKEN = "-,-,-,0"


@pytest.fixture
def bot_settings(sandbox: SandboxServer, tmp_path: Path) -> Any:
    """People here act faster than any person: lift the flood guard."""
    return sandbox_settings(sandbox, tmp_path / "bot.db", flood_limit=500)


def answers(title: str) -> dict[str, Any]:
    """A complete draft, as the proposal dialog stores it."""
    return {
        "consent_version": "2018-11-v1",
        "consent_at": "2018-11-01T10:00:00+06:00",
        "org_name": "Eco Almaty",
        "org_type": "initiative",
        "bin": None,
        "region": "almaty_city",
        "contact_person": "Aigul Nurlanova",
        "phone": "+77011234567",
        "email": None,
        "topic": "institutions",
        "sdgs": [4],
        "title": title,
        "summary": "Solar panels on the roofs of ten schools.",
        "support": "A letter of support",
        "attachment": None,
    }


async def submitted(bot_app: Any, user: SandboxUser, title: str) -> Proposal:
    """A proposal of ``user`` (who has started the bot), stored as the dialog would."""
    services = bot_app.bot_data["services"]
    await user.command("/start")
    await user.expect("")
    return await services.repos.proposals.submit(
        user.id, user.language_code, answers(title), services.clock.now()
    )


async def test_release_goes_through_the_outbox_and_a_502_loses_nothing(
    bot_app: Any, sandbox: SandboxServer, make_user: Callable[..., SandboxUser]
) -> None:
    services = bot_app.bot_data["services"]
    first, second = make_user(lang="en"), make_user(lang="ru")
    organizer = make_user(lang="en", organizer=True)
    for user, title in ((first, "Green schools"), (second, "Clean rivers")):
        proposal = await submitted(bot_app, user, title)
        await services.repos.proposals.set_pending(proposal.id, "accepted", services.clock.now())
    await organizer.command("/proposals")
    await organizer.expect("2 decisions pending release")
    await organizer.press("📣 Release decisions (2)")
    await organizer.expect("Release 2 decisions?")
    sandbox.world.add_fault(Fault("sendMessage", count=1, status=502))
    await organizer.press("📣 Release")
    await organizer.expect("2 decisions released. Notices queued for the submitters: 2.")
    # The failed send is retried by the sender: both submitters hear of their decision.
    await first.expect("Green schools")
    await second.expect("Clean rivers")
    assert await services.repos.proposals.count_pending() == 0


async def test_comment_on_a_proposal_withdrawn_meanwhile_is_not_saved(
    bot_app: Any, make_user: Callable[..., SandboxUser]
) -> None:
    user = make_user(lang="en")
    organizer = make_user(lang="en", organizer=True)
    proposal = await submitted(bot_app, user, "Green schools")
    await organizer.command("/proposals")
    await organizer.expect("1 proposal")
    await organizer.press(proposal.reference)
    await organizer.expect(lambda m: "Aigul Nurlanova" in m.text)
    await organizer.press("💬 Comment")
    await organizer.expect("Send the comment")
    # Meanwhile the submitter withdraws it.
    await user.command("/myproposals")
    await user.expect(proposal.reference)
    await user.press(f"↩️ Withdraw {proposal.reference}")
    await user.expect("It will not be considered")
    await user.press("Yes, withdraw")
    await user.expect("has been withdrawn")
    await organizer.send("Please bring it to the national forum.")
    await organizer.expect(f"The comment was not saved: {proposal.reference} has been withdrawn")
    # The organizer's text is free again: a search, not another comment.
    await organizer.send("Abay")
    reply = await organizer.expect()
    assert "comment" not in reply.text.lower()


@pytest.mark.parametrize(
    "data",
    [
        "pr:wd:" + "9" * 30,
        "pr:wdy:" + "9" * 30 + ":yes",
        "prv:card:" + "9" * 30 + ":" + CARD_TOKEN,
        "prv:dec:" + "9" * 30 + ":acc:" + CARD_TOKEN,
        "prv:cm:" + "9" * 30,
        "prv:att:" + "9" * 30,
        "prv:ls:-,-,-," + "9" * 30,
        "bc:pause:" + "9" * 30,
        "rem:set:" + "9" * 30,
    ],
)
async def test_huge_numbers_in_buttons_are_expired_buttons(
    bot_app: Any, make_user: Callable[..., SandboxUser], data: str
) -> None:
    organizer = make_user(lang="en", organizer=True)
    await organizer.command("/help")
    message = await organizer.expect()
    await organizer.press_data(message, data)
    answer = await organizer.expect_answer()
    assert "This button has expired" in str(answer.get("text")), answer


@pytest.mark.parametrize(
    ("lang", "moment"),
    [("kk", "14 қараша, 10:00"), ("ru", "14 ноября, 10:00"), ("en", "14 November, 10:00")],
)
async def test_the_card_dates_read_naturally(
    bot_app: Any, make_user: Callable[..., SandboxUser], clock: Clock, lang: str, moment: str
) -> None:
    """The card's dates: the month in full, no seconds, no year in the forum's year."""
    clock.set(datetime(2018, 11, 14, 10, 0, tzinfo=ZoneInfo("Asia/Almaty")), frozen=True)
    tr = I18n(ZoneInfo("Asia/Almaty"), "ru").get(lang)
    organizer = make_user(lang=lang, organizer=True)
    proposal = await submitted(bot_app, make_user(lang="en"), "Green schools")
    await organizer.command("/proposals")
    await organizer.expect(proposal.reference)
    await organizer.press(proposal.reference)
    card = await organizer.expect(lambda m: "Aigul Nurlanova" in m.text)
    assert tr._("Submitted: {date}").format(date=moment) in card.text
