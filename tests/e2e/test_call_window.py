"""The call for proposals' window from the content file: /propose before it opens and after it
closes says so (and when); a draft started while it was open is kept, not submitted."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.clock import Clock
from bot.i18n import I18n
from bot.sandbox.harness import SandboxServer, sandbox_settings

ALMATY = ZoneInfo("Asia/Almaty")
I18N = I18n(ALMATY, "ru")


@pytest.fixture
def content_file(content_file: Path) -> Path:
    data = yaml.safe_load(content_file.read_text(encoding="utf-8"))
    data["proposals"] = {"opens": "2018-10-01 09:00", "closes": "2018-11-10 18:00"}
    content_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return content_file


@pytest.fixture
def bot_settings(sandbox: SandboxServer, tmp_path: Path, content_file: Path) -> Any:
    return sandbox_settings(sandbox, tmp_path / "bot.db", forum_content=content_file)


@pytest.mark.parametrize(
    ("lang", "opens", "closed"),
    [
        ("kk", "1 қазан, 09:00", "10 қараша, 18:00"),
        ("ru", "1 октября, 09:00", "10 ноября, 18:00"),
        ("en", "1 October, 09:00", "10 November, 18:00"),
    ],
)
async def test_propose_respects_the_call_window(
    bot_app: Any, make_user: Any, clock: Clock, lang: str, opens: str, closed: str
) -> None:
    tr = I18N.get(lang)
    services = bot_app.bot_data["services"]
    user = make_user(lang=lang)
    clock.set(datetime(2018, 9, 20, 12, 0, tzinfo=ALMATY), frozen=True)
    await user.command("/propose")
    # The forum's year (2018) is not repeated; the month in full, no seconds.
    await user.expect(tr._("The call for proposals opens on {date}.").format(date=opens))

    clock.set(datetime(2018, 11, 10, 17, 0, tzinfo=ALMATY), frozen=True)
    await user.command("/propose")
    await user.expect("2018-11-v1")
    await user.press(tr._("✅ I agree"))
    await user.expect(tr._("What is the name of your organization?"))
    await user.send("Eco Almaty")
    await user.expect(tr._("What type of organization is it?"))

    clock.set(datetime(2018, 11, 10, 18, 0, tzinfo=ALMATY), frozen=True)
    await user.command("/propose")
    await user.expect(
        tr._(
            "The call for proposals closed on {date}. Your draft, if you have one, is kept."
        ).format(date=closed)
    )
    draft = await services.repos.proposals.get_draft(user.id)
    assert draft is not None and draft.data["org_name"] == "Eco Almaty"


async def test_a_draft_at_its_review_is_not_submitted_after_the_call_closed(
    bot_app: Any, make_user: Any, clock: Clock
) -> None:
    """The review screen was shown while the call was open; Submit pressed after it closed keeps
    the draft and says why, and nothing reaches the organizers."""
    from tests.e2e.test_proposal_flow import at_step

    services = bot_app.bot_data["services"]
    tr = I18N.get("en")
    user = make_user(lang="en")
    clock.set(datetime(2018, 11, 10, 17, 55, tzinfo=ALMATY), frozen=True)
    await at_step(bot_app, user, "review")
    await user.command("/propose")
    review = await user.expect("Please check your proposal:")
    clock.set(datetime(2018, 11, 10, 18, 0, tzinfo=ALMATY), frozen=True)
    await user.press("📨 Submit", message=review)
    await user.expect(
        tr._(
            "The call for proposals closed on {date}. Your draft, if you have one, is kept."
        ).split("{")[0]
    )
    assert await services.repos.proposals.of_user(user.id) == []
    assert await services.repos.proposals.get_draft(user.id) is not None
    queued = await services.db.fetchval("SELECT COUNT(*) FROM outbox WHERE kind = 'proposal'")
    assert queued == 0
