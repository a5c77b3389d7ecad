"""The board's filters by topic and region, a reviewer's comment for the organizers, and the four
XLSX exports as an organizer downloads them from /board and opens them in a spreadsheet."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

from bot.sandbox.harness import SandboxServer, SandboxUser
from bot.services.proposals import region_name, topic_name
from bot.services.roles import Role
from tests.e2e.test_board import (  # noqa: F401 (fixtures)
    EN,
    bot_settings,
    content_file,
    proposal_data,
    registered,
    review_current,
)

HOSTILE = '=HYPERLINK("http://evil.example","click")'


def sheet_rows(user: SandboxUser, message: Any) -> tuple[list[list[Any]], Any]:
    """The first sheet of a workbook the bot sent, as values, and the sheet itself."""
    book = load_workbook(io.BytesIO(user.download(message)))
    sheet = book.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)], sheet


async def test_filters_comment_and_exports(
    bot_app: Any, sandbox: SandboxServer, make_user: Any
) -> None:
    services = bot_app.bot_data["services"]
    forum = services.content
    organizer = await registered(make_user, "en", organizer=True)
    ngo = await registered(make_user, "ru")
    # Two proposals in different topics and regions.
    first = proposal_data(1, "Steppe NGO")
    second = {**proposal_data(2, "River NGO"), "topic": "partnership", "region": "abai"}
    now = services.clock.now()
    p1 = await services.repos.proposals.submit(ngo.id, "ru", first, now)
    p2 = await services.repos.proposals.submit(ngo.id, "ru", second, now)
    reviewers = [await registered(make_user, "en", first_name=f"Rev{i}") for i in (1, 2)]
    for reviewer in reviewers:
        await services.roles.grant(reviewer.id, Role.REVIEWER)
        await services.repos.reviews.declare(reviewer.id, None, now)
    await organizer.command("/board")
    home = await organizer.expect(EN._("📋 Review board"))
    await organizer.press(EN._("🔀 Assign reviewers"), message=home)
    await organizer.expect(EN._("Proposals per reviewer: {loads}").split(":")[0])

    # A reviewer leaves a comment for the organizers (typed as a formula) and submits.
    tr = EN
    for reviewer in reviewers:
        await reviewer.expect(lambda m: tr._("Start reviewing") in m.buttons)
        await reviewer.press(tr._("Start reviewing"))
        await reviewer.expect_answer()
        for step in range(2):
            actions = await reviewer.expect(tr._("Score every criterion above, then submit."))
            if reviewer is reviewers[0]:
                await reviewer.press(tr._("💬 Comment for the organizers"), message=actions)
                await reviewer.expect(
                    tr._("Send your comment for the organizers on {reference}.").split("{")[0]
                )
                await reviewer.send(HOSTILE)
                await reviewer.expect("")
            await review_current(reviewer, tr, [5, 4, 4], actions)
            if step == 0:
                await reviewer.press(tr._("➡️ Next proposal"))
                await reviewer.expect_answer()

    # Filters: by topic, then by region; each keeps only the matching proposal.
    await organizer.command("/board")
    home = await organizer.expect(EN._("📋 Review board"))
    await organizer.press(EN._("🏆 Ranking"), message=home)
    ranking = await organizer.expect(EN._("🏆 Ranking by weighted mean score"))
    assert p1.reference in ranking.buttons and p2.reference in ranking.buttons
    await organizer.press(EN._("Topic ▾"), message=ranking)
    menu = await organizer.expect(EN._("Filter the proposals:"))
    await organizer.press(forum.proposal_topic("partnership").title.get("en"), message=menu)
    only = await organizer.expect(lambda m: p2.reference in m.buttons)
    assert p1.reference not in only.buttons
    assert topic_name(EN, forum, "partnership") in only.text
    await organizer.press(EN._("Region ▾"), message=only)
    menu = await organizer.expect(EN._("Filter the proposals:"))
    await organizer.press(region_name(EN, "almaty_city"), message=menu)
    only = await organizer.expect(lambda m: p1.reference in m.buttons)
    assert p2.reference not in only.buttons

    # The card shows the reviewer's comment for the organizers, as text.
    await organizer.press(p1.reference, message=only)
    card = await organizer.expect(EN._("Weighted mean: {mean}").split(":")[0])
    assert HOSTILE in card.text
    await organizer.press(EN._("✅ Accept"), message=card)
    await organizer.expect(lambda m: "⏳" in m.text)

    # The four exports, downloaded and opened.
    await organizer.command("/board")
    home = await organizer.expect(EN._("📋 Review board"))
    files = {}
    for label in ("📊 Reviews", "📊 Reviews with names", "📊 Decisions", "📊 Endorsements"):
        await organizer.press(EN._(label), message=home)
        files[label] = await organizer.expect(lambda m: m.document is not None)
        assert files[label].document["file_name"].endswith(".xlsx")

    rows, sheet = sheet_rows(organizer, files["📊 Reviews"])
    header = rows[0]
    assert header[:3] == [EN._("Reference"), EN._("Title"), EN._("Reviewer")]
    reviewer_names = {row[2] for row in rows[1:]}
    assert reviewer_names == {EN._("Reviewer {n}").format(n=n) for n in (1, 2)}
    comment = header.index(EN._("Comment for the organizers"))
    cells = [row[comment] for row in rows[1:] if row[comment]]
    assert HOSTILE in cells  # the text as typed ...
    typed = [c for c in sheet.iter_rows(min_row=2) if c[comment].value == HOSTILE]
    assert typed and all(c[comment].data_type == "s" for c in typed)  # ... never a formula

    rows, _ = sheet_rows(organizer, files["📊 Reviews with names"])
    assert {row[2] for row in rows[1:]} == {"Rev1", "Rev2"}

    rows, _ = sheet_rows(organizer, files["📊 Decisions"])
    assert any(p1.reference in [str(c) for c in row] for row in rows[1:])

    rows, _ = sheet_rows(organizer, files["📊 Endorsements"])
    assert rows[0][:3] == [EN._("Number"), EN._("Recommendation"), EN._("Stakeholder group")]
    everyone = [row for row in rows[1:] if row[2] == EN._("Everyone")]
    assert len(everyone) == len(await services.repos.endorsements.all())
    assert all(row[3:6] == [0, 0, 0] for row in everyone)  # nobody has voted yet
