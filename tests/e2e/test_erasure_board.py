"""/deleteme of a reviewer: the review they submitted stays on the board without them, the one
they had not written yet goes to another reviewer at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.sandbox.harness import SandboxServer
from bot.services import review_board
from bot.services.roles import Role
from storage.reviews import Review
from tests.e2e.test_board import board_settings, registered, submit, t


@pytest.fixture
def content_file(content_file: Path) -> Path:
    """The sample forum with one reviewer per proposal."""
    data = yaml.safe_load(content_file.read_text(encoding="utf-8"))
    data["review"]["reviewers_per_proposal"] = 1
    content_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return content_file


@pytest.fixture
def bot_settings(sandbox: SandboxServer, tmp_path: Path, content_file: Path) -> Any:
    return board_settings(sandbox, tmp_path / "bot.db", content_file)


async def test_a_reviewer_who_erases_themselves_leaves_the_submitted_review_nameless(
    bot_app: Any, make_user: Any
) -> None:
    services = bot_app.bot_data["services"]
    reviews = services.repos.reviews
    now = services.clock.now()
    zhanar = await registered(make_user, "kk", first_name="Жанар")
    bolat = await registered(make_user, "ru", first_name="Болат")
    author = await registered(make_user, "en")
    for reviewer in (zhanar, bolat):
        await services.roles.grant(reviewer.id, Role.REVIEWER)
        await reviews.declare(reviewer.id, None, now)
    done = await submit(services, author, "en", 1, "Org one")
    waiting = await submit(services, author, "en", 2, "Org two")
    # Zhanar reviews both: the first review is submitted, the second not written yet.
    await reviews.assign([(done, zhanar.id), (waiting, zhanar.id)], 1, now)
    criteria = services.content.review.criteria
    scores = {c.id: c.scale.max for c in criteria}
    await reviews.save_review(
        Review(done, zhanar.id, scores=scores, comment="Strong.", submitted_at=now.isoformat()),
        now,
    )
    await reviews.set_state(done, zhanar.id, "submitted")
    proposal = await services.repos.proposals.get(done)
    mean = review_board.standing(proposal, await reviews.reviews_for(done), services.content.review)

    await zhanar.command("/deleteme")
    kk = t("kk")
    await zhanar.press(kk._("Yes"), message=await zhanar.expect("Барлық деректеріңізді жоясыз ба?"))
    await zhanar.expect(kk._("Your data has been erased."))

    # The waiting review went to Bolat, who is told in his language.
    await bolat.expect(lambda m: t("ru")._("Start reviewing") in m.buttons)
    assert [(a.proposal_id, a.state) for a in await reviews.assignments_of(bolat.id)] == [
        (waiting, "open")
    ]
    # The submitted one stays, with its scores and comment, under an id that is nobody's.
    kept = await reviews.reviews_for(done)
    assert [(r.scores, r.comment) for r in kept] == [(scores, "Strong.")]
    assert kept[0].reviewer_id < 0
    assert [a.state for a in await reviews.assignments() if a.proposal_id == done] == ["submitted"]
    after = review_board.standing(proposal, kept, services.content.review)
    assert (after.mean, after.reviews) == (mean.mean, 1)
    assert await reviews.assignments_of(zhanar.id) == []
