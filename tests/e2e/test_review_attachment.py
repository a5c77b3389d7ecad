"""A reviewer opens the proposal's attached file; in blind review it comes under the proposal's
reference, never under its own name (which often names the organization)."""

from __future__ import annotations

from typing import Any

from bot.sandbox.harness import SandboxServer
from bot.services.roles import Role
from tests.e2e.test_board import (  # noqa: F401 (fixtures)
    EN,
    bot_settings,
    content_file,
    everything_seen,
    proposal_data,
    registered,
)

PDF = b"%PDF-1.4\n% the plan of the Steppe Eco Union\n%%EOF\n"


async def test_a_blind_reviewer_gets_the_file_under_the_reference(
    bot_app: Any, sandbox: SandboxServer, make_user: Any
) -> None:
    services = bot_app.bot_data["services"]
    assert services.content.review.blind
    organizer = await registered(make_user, "en", organizer=True)
    ngo = await registered(make_user, "kk")
    record = sandbox.world.add_file(
        PDF, kind="document", file_name="Steppe-Eco-Union-plan.pdf", mime_type="application/pdf"
    )
    data = {
        **proposal_data(1, "Steppe Eco Union"),
        "attachment": {"file_id": record.file_id, "name": record.file_name, "size": len(PDF)},
    }
    proposal = await services.repos.proposals.submit(ngo.id, "kk", data, services.clock.now())
    reviewers = [await registered(make_user, lang) for lang in ("ru", "en")]
    for reviewer in reviewers:
        await services.roles.grant(reviewer.id, Role.REVIEWER)
        await services.repos.reviews.declare(reviewer.id, None, services.clock.now())
    await organizer.command("/board")
    home = await organizer.expect(EN._("📋 Review board"))
    await organizer.press(EN._("🔀 Assign reviewers"), message=home)
    await organizer.expect(EN._("Proposals per reviewer: {loads}").split(":")[0])

    reviewer = reviewers[0]
    ru = services.i18n.get("ru")
    await reviewer.command("/review")
    actions = await reviewer.expect(ru._("Score every criterion above, then submit."))
    await reviewer.press(ru._("📎 The attached file"), message=actions)
    sent = await reviewer.expect(lambda m: m.document is not None)
    assert sent.document["file_name"] == f"{proposal.reference}.pdf"
    assert reviewer.download(sent) == PDF
    assert "Steppe" not in everything_seen(sandbox, reviewer)
