"""INFO logs carry no user ids: a proposal submitted and a survey answered leave no id behind
(a short keyed hash stands in where lines must be correlated)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.harness import SandboxServer, sandbox_settings
from tests.e2e.test_proposals import answer_until_review, t


@pytest.fixture
def bot_settings(sandbox: SandboxServer, tmp_path: Path) -> Any:
    return sandbox_settings(sandbox, tmp_path / "bot.db", flood_limit=500)


async def test_submitting_a_proposal_logs_no_user_id(
    bot_app: Any, make_user: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    user = make_user(lang="en")
    await answer_until_review(user, "en")
    await user.press(t("en")._("📨 Submit"))
    await user.expect("P-0001")
    info = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    submitted = [line for line in info if "P-0001" in line]
    assert submitted  # the event is still logged...
    assert not [line for line in info if str(user.id) in line]  # ...without the person's id
