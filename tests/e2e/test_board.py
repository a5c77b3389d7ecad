"""The review board end to end: three reviewers (one with a conflict by organization) review six
proposals in kk/ru/en; balanced, conflict-free assignment; blind review leaks nothing of the
authors into the reviewer's chat; other reviews hidden until one's own is submitted; a
"revisions requested" round trip; organizer and reviewer actions refused to everyone else."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.i18n import I18n, Translator
from bot.sandbox.harness import ChatMessage, SandboxServer, SandboxUser, sandbox_settings
from bot.sdg import sdg_label
from bot.services import board as board_flow
from bot.services.roles import Role

ALMATY = ZoneInfo("Asia/Almaty")
I18N = I18n(ALMATY, "ru")
EN = I18N.get("en")

# Everything blind review must keep from reviewers, per proposal.
SECRET_ORG = "Eco Almaty Foundation"


def t(lang: str) -> Translator:
    return I18N.get(lang)


@pytest.fixture
def content_file(content_file: Path) -> Path:
    """The sample forum with two reviewers per proposal."""
    data = yaml.safe_load(content_file.read_text(encoding="utf-8"))
    data["review"]["reviewers_per_proposal"] = 2
    content_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return content_file


def board_settings(sandbox: SandboxServer, database: Path, content_file: Path) -> Any:
    """A bot on ``content_file`` for people who press faster than anyone, with an outbox that
    delivers at once (the board's notices, the endorsement invitations)."""
    return sandbox_settings(
        sandbox,
        database,
        flood_limit=1000,
        forum_content=content_file,
        outbox_rate=0,
        outbox_chat_rate=0,
        delivery_tick_seconds=0.2,
    )


@pytest.fixture
def bot_settings(sandbox: SandboxServer, tmp_path: Path, content_file: Path) -> Any:
    return board_settings(sandbox, tmp_path / "bot.db", content_file)


def proposal_data(n: int, org: str) -> dict[str, Any]:
    return {
        "consent_version": "2018-11-v1",
        "consent_at": "2018-11-01T10:00:00+00:00",
        "org_name": org,
        "org_type": "public_association",
        "bin": f"94074000{n:04d}",
        "region": "almaty_city",
        "contact_person": f"Contactperson Number{n}",
        "phone": f"+7701555{n:04d}",
        "email": f"secret{n}@ngo-mail.kz",
        "topic": "institutions",
        "sdgs": [4, 16],
        "title": f"Proposal title {n}",
        "summary": f"Summary of the proposal number {n}, long enough to read.",
        "support": "Premises and volunteers",
        "attachment": {"file_id": f"FILE{n}", "name": f"plan-secret-{n}.pdf", "size": 2048},
    }


SECRETS_OF = [
    lambda d: d["org_name"],
    lambda d: d["contact_person"],
    lambda d: d["phone"],
    lambda d: d["email"],
    lambda d: d["bin"],
    lambda d: d["attachment"]["name"],
]


async def registered(make_user: Any, lang: str, **kw: Any) -> SandboxUser:
    user = make_user(lang=lang, **kw)
    await user.command("/start")
    await user.expect()
    return user


async def submit(services: Any, user: SandboxUser, lang: str, n: int, org: str) -> int:
    proposal = await services.repos.proposals.submit(
        user.id, lang, proposal_data(n, org), services.clock.now()
    )
    return int(proposal.id)


def everything_seen(sandbox: SandboxServer, user: SandboxUser) -> str:
    """Every text, caption, button label and button answer the bot ever showed the user."""
    parts = []
    for event in sandbox.world.events_after(0, user.id):
        if event.get("actor") != "bot":
            continue
        message = event.get("message")
        if message is not None:
            chat_message = ChatMessage(message, True)
            parts.append(chat_message.text)
            parts.append(message.get("caption") or "")
            parts.extend(chat_message.buttons)
            document = message.get("document") or {}
            parts.append(document.get("file_name") or "")
        parts.append(str(event.get("text") or ""))
    return "\n".join(parts)


def latest(user: SandboxUser, predicate: Any) -> ChatMessage:
    for message in reversed(user.messages):
        if predicate(message):
            return message
    raise AssertionError(f"no such message in {user}'s chat")


async def review_current(
    user: SandboxUser, tr: Translator, scores: list[int], actions: ChatMessage | None = None
) -> str:
    """Score every criterion of the proposal just shown and submit; returns its reference."""
    if actions is None:
        actions = await user.expect(tr._("Score every criterion above, then submit."))
    reference = re.search(r"P-\d{4}", actions.text).group(0)
    for index, score in enumerate(scores, 1):
        criterion = latest(user, lambda m, i=index: m.text.startswith(f"{i}/{len(scores)}."))
        await user.press(str(score), message=criterion)
        answer = await user.expect_answer()
        assert answer["text"] == tr._("Saved: {score}").format(score=score)
    actions = latest(user, lambda m: reference in m.text and tr._("✅ Submit review") in m.buttons)
    await user.press(tr._("✅ Submit review"), message=actions)
    answer = await user.expect_answer()
    assert answer["text"] in (tr._("Review submitted."), tr._("Review updated."))
    return reference


async def test_review_board_end_to_end(
    bot_app: Any, sandbox: SandboxServer, make_user: Any
) -> None:
    services = bot_app.bot_data["services"]
    organizer = await registered(make_user, "en", organizer=True)
    ngos = [await registered(make_user, lang) for lang in ("kk", "ru", "en", "kk", "ru", "en")]
    datas = {}
    pids = []
    for n, ngo in enumerate(ngos, 1):
        org = SECRET_ORG if n in (1, 2) else f"Organization number {n}"
        pid = await submit(services, ngo, ngo.language_code or "en", n, org)
        pids.append(pid)
        datas[pid] = proposal_data(n, org)
    langs = ("kk", "ru", "en")
    reviewers = [await registered(make_user, lang) for lang in langs]
    for reviewer in reviewers:
        await services.roles.grant(reviewer.id, Role.REVIEWER)
    # Each declares their organization before the first review; the kk reviewer works for the
    # organization behind proposals 1 and 2 (spelled a little differently).
    declared = ["«Eco Almaty  foundation»", "Other NGO", None]
    for reviewer, organization in zip(reviewers, declared, strict=True):
        tr = t(reviewer.language_code or "en")
        await reviewer.command("/review")
        await reviewer.expect(lambda m, tr=tr: tr._("I represent no organization") in m.buttons)
        if organization is None:
            await reviewer.press(tr._("I represent no organization"))
            await reviewer.expect_answer()
        else:
            await reviewer.send(organization)
        await reviewer.expect(tr._("No proposal is waiting for your review."))

    # Before assignment /review has nothing; outsiders are refused.
    outsider = await registered(make_user, "ru")
    await outsider.command("/review")
    await outsider.expect(t("ru")._("This is only for the forum's reviewers."))
    await outsider.command("/board")
    await outsider.expect(t("ru")._("This is only for the forum's organizers."))

    # The organizer assigns: 6 proposals x 2 reviewers over 3 reviewers = 4 each.
    await organizer.command("/board")
    await organizer.expect(EN._("📋 Review board"))
    await organizer.press(EN._("🔀 Assign reviewers"))
    report = await organizer.expect(EN._("Proposals per reviewer: {loads}").format(loads="4, 4, 4"))
    assert "12" in report.text
    assignments = await services.repos.reviews.assignments()
    per_proposal = Counter(a.proposal_id for a in assignments)
    assert set(per_proposal.values()) == {2}
    assert Counter(a.reviewer_id for a in assignments) == {r.id: 4 for r in reviewers}
    conflicted = {a.proposal_id for a in assignments if a.reviewer_id == reviewers[0].id}
    assert conflicted.isdisjoint({pids[0], pids[1]})

    # Each reviewer is told of their queue through the outbox, in their language.
    for reviewer, lang in zip(reviewers, langs, strict=True):
        label = t(lang)._("Start reviewing")
        queue = await reviewer.expect(lambda m, label=label: label in m.buttons)
        assert "P-" in queue.text

    # Another's review is invisible until one's own is submitted.
    first, second = reviewers[1], reviewers[2]
    shared = sorted(
        {a.proposal_id for a in assignments if a.reviewer_id == first.id}
        & {a.proposal_id for a in assignments if a.reviewer_id == second.id}
    )[0]

    # Everyone reviews everything assigned, starting from the queue's button.
    for reviewer, lang in zip(reviewers, langs, strict=True):
        tr = t(lang)
        await reviewer.press(tr._("Start reviewing"))
        await reviewer.expect_answer()
        done = []
        for step in range(4):
            actions = None
            if reviewer is second and step == 0:
                # Before submitting: others' reviews are refused.
                actions = await reviewer.expect(tr._("Score every criterion above, then submit."))
                await reviewer.press(tr._("👀 Other reviews"), message=actions)
                answer = await reviewer.expect_answer()
                assert answer["text"] == tr._(
                    "You will see the other reviews once you have submitted your own."
                )
                assert answer["show_alert"]
            reference = await review_current(reviewer, tr, [5, 4, 3 + step % 2], actions)
            done.append(reference)
            next_button = latest(reviewer, lambda m, tr=tr: tr._("➡️ Next proposal") in m.buttons)
            await reviewer.press(tr._("➡️ Next proposal"), message=next_button)
            await reviewer.expect_answer()
        await reviewer.expect(tr._("No proposal is waiting for your review."))
        assert len(set(done)) == 4

    # Blind review: nothing of the authors anywhere in the reviewers' chats.
    for reviewer in reviewers:
        seen = everything_seen(sandbox, reviewer)
        for data in datas.values():
            for secret in SECRETS_OF:
                assert secret(data) not in seen, (reviewer, secret(data))
        assert "Eco Almaty" not in seen

    # After submitting, the second reviewer sees the first's scores on the shared proposal.
    tr = t("en")
    ref = f"P-{shared:04d}"
    await second.press_data(second.messages[-1], f"rv:o:{shared}")
    others = await second.expect(tr._("Other reviews of {reference}").format(reference=ref))
    assert tr._("Reviewer {n}").format(n=1) in others.text

    # The board ranks by weighted mean and shows every criterion's scores on the card.
    await organizer.command("/board")
    home = await organizer.expect(EN._("📋 Review board"))
    await organizer.press(EN._("🏆 Ranking"), message=home)
    ranking = await organizer.expect(EN._("🏆 Ranking by weighted mean score"))
    assert ranking.text.count("2 reviews") == 6
    # Filtered by SDG: goal 5 has none of them, goal 4 all six.
    await organizer.press(EN._("SDG ▾"), message=ranking)
    menu = await organizer.expect(EN._("Filter the proposals:"))
    await organizer.press(sdg_label(EN, 5), message=menu)
    empty = await organizer.expect(EN._("No proposals."))
    await organizer.press(EN._("SDG ▾"), message=empty)
    menu = await organizer.expect(EN._("Filter the proposals:"))
    await organizer.press(sdg_label(EN, 4), message=menu)
    ranking = await organizer.expect(lambda m: m.text.count("2 reviews") == 6)
    assert sdg_label(EN, 4) in ranking.text

    # Revisions requested on proposal 3: only its title and summary.
    target, ngo, ngo_tr = pids[2], ngos[2], t("en")
    await organizer.press(f"P-{target:04d}", message=ranking)
    card = await organizer.expect(EN._("Weighted mean: {mean}").split(":")[0])
    await organizer.press(EN._("✏️ Revisions requested"), message=card)
    card = await organizer.expect(lambda m: "☑ " + EN._("Support requested") in m.buttons)
    await organizer.press("☑ " + EN._("Support requested"), message=card)
    card = await organizer.expect(lambda m: "☐ " + EN._("Support requested") in m.buttons)
    await organizer.press(EN._("💬 Message"), message=card)
    await organizer.expect(EN._("Send the message for the authors of {reference}.").split("{")[0])
    await organizer.send("Please make the title shorter and the summary concrete.")
    await organizer.expect(EN._("Saved."))
    # Nothing reaches the authors before the release.
    assert not any("revise" in m.text for m in ngo.messages)
    await organizer.command("/board")
    home = await organizer.expect(EN._("📋 Review board"))
    await organizer.press(EN._("📣 Release decisions ({n})").format(n=1), message=home)
    confirm = await organizer.expect(lambda m: EN._("📣 Release") in m.buttons)
    await organizer.press(EN._("📣 Release"), message=confirm)
    await organizer.expect(lambda m: "1 notice queued" in m.text)
    notice = await ngo.expect(lambda m: ngo_tr._("✏️ Revise the proposal") in m.buttons)
    assert "Please make the title shorter" in notice.text
    assert ngo_tr._("Title") in notice.text and ngo_tr._("Support requested") not in notice.text

    # The NGO edits the two named fields in the dialog and resubmits.
    await ngo.press(ngo_tr._("✏️ Revise the proposal"))
    await ngo.expect(ngo_tr._("Send the new text for: {field}").format(field=ngo_tr._("Title")))
    await ngo.send("Green schools, version two")
    await ngo.expect(ngo_tr._("Send the new text for: {field}").format(field=ngo_tr._("Summary")))
    await ngo.send("A concrete summary: ten schools, one year, measured results.")
    await ngo.expect(lambda m: ngo_tr._("📨 Resubmit") in m.buttons)
    await ngo.press(ngo_tr._("📨 Resubmit"))
    answer = await ngo.expect_answer()
    assert "version 2" in answer["text"]
    revised = await services.repos.proposals.get(target)
    assert revised.title == "Green schools, version two"
    versions = await services.repos.reviews.versions(target)
    assert versions == [(1, {"title": "Proposal title 3", "summary": datas[target]["summary"]})]

    # It goes back to its reviewers, who review it again.
    again = [
        a.reviewer_id for a in await services.repos.reviews.assignments() if a.proposal_id == target
    ]
    assert len(again) == 2
    for reviewer in reviewers:
        if reviewer.id not in again:
            continue
        lang = reviewer.language_code or "en"
        tr = t(lang)
        await reviewer.expect(lambda m, tr=tr: tr._("Review it") in m.buttons)
        await reviewer.press(tr._("Review it"))
        await reviewer.expect_answer()
        card = await reviewer.expect(f"P-{target:04d} · " + tr._("version {n}").format(n=2))
        assert "Green schools, version two" in card.text
        await review_current(reviewer, tr, [5, 5, 5])

    # Accepted, released; the NGO is told in its language.
    await organizer.press_data(organizer.messages[-1], f"bd:cd:{target}")
    card = await organizer.expect(lambda m: EN._("✅ Accept") in m.buttons)
    assert f"P-{target:04d}" in card.text and EN._("version {n}").format(n=2) in card.text
    await organizer.press(EN._("✅ Accept"), message=card)
    await organizer.expect(
        EN._("⏳ Pending release: {decision}").format(decision="✅ " + EN._("Accepted"))
    )
    await organizer.press_data(organizer.messages[-1], "bd:rl")
    confirm = await organizer.expect(lambda m: EN._("📣 Release") in m.buttons)
    await organizer.press(EN._("📣 Release"), message=confirm)
    await organizer.expect(lambda m: "1 notice queued" in m.text)
    await ngo.expect(
        ngo_tr._('Good news! Your proposal {reference} "{title}" has been accepted.').format(
            reference=f"P-{target:04d}", title="Green schools, version two"
        )
    )
    assert (await services.repos.proposals.get(target)).status == "accepted"


FORGED_BOARD = [
    "bd:as",
    "bd:rly",
    "bd:rl",
    "bd:ls:-:0",
    "bd:cd:1",
    "bd:d:1:a",
    "bd:fl:1:0",
    "bd:m:1",
    "bd:ra:1",
    "bd:rx:1:700000001",
    "bd:eo",
    "bd:ec",
    "bd:er",
    "bd:docl:en",
    "bd:x:revn",
    "bd:rnp:1",
    "bd:rd:1",
    "bd:h",
    "bd:fm:t",
    "bd:ac:1",
    "bd:rln",
    "bd:rc",
    "bd:rn",
    "bd:rq:1",
    "bd:rqs:1:opening",
    "bd:doc",
    "bd:x:rev",
]
FORGED_REVIEW = [
    "rv:s:1:0:5",
    "rv:ok:1",
    "rv:c:1",
    "rv:x:1",
    "rv:ab:1",
    "rv:o:1",
    "rv:n",
    "rv:op:1",
    "rv:a:1",
    "rv:f:1",
    "rv:org0",
]


def test_every_board_action_is_tried_by_a_stranger() -> None:
    """A new board button cannot be forgotten by the refusal test below."""
    assert {data.split(":")[1] for data in FORGED_BOARD} == set(board_flow.ACTIONS)


async def test_board_and_review_actions_refused_to_everyone_else(
    bot_app: Any, sandbox: SandboxServer, make_user: Any
) -> None:
    services = bot_app.bot_data["services"]
    ngo = await registered(make_user, "kk")
    pid = await submit(services, ngo, "kk", 1, "Org")
    reviewer = await registered(make_user, "ru")
    await services.roles.grant(reviewer.id, Role.REVIEWER)
    await services.repos.reviews.decide(pid, "revise", services.clock.now(), fields=["title"])
    for lang in ("kk", "ru", "en"):
        stranger = await registered(make_user, lang)
        anchor = stranger.messages[-1]
        tr = t(lang)
        for data in FORGED_BOARD:
            await stranger.press_data(anchor, data)
            answer = await stranger.expect_answer()
            assert answer["text"] == tr._("This is only for the forum's organizers."), data
        for data in FORGED_REVIEW:
            await stranger.press_data(anchor, data)
            answer = await stranger.expect_answer()
            assert answer["text"] == tr._("This is only for the forum's reviewers."), data
        # Only the proposal's own author may revise or resubmit it.
        for data in (f"rs:e:{pid}", f"rs:ok:{pid}"):
            await stranger.press_data(anchor, data)
            answer = await stranger.expect_answer()
            assert answer["text"] == tr._("This button has expired. Please open the menu again.")
    # A reviewer is no organizer; an organizer is no reviewer; absurd ids expire.
    anchor = reviewer.messages[-1]
    await reviewer.press_data(anchor, "bd:rly")
    assert (await reviewer.expect_answer())["text"] == t("ru")._(
        "This is only for the forum's organizers."
    )
    await reviewer.press_data(anchor, "rv:s:" + "9" * 30 + ":0:5")
    assert (await reviewer.expect_answer())["text"] == t("ru")._(
        "This button has expired. Please open the menu again."
    )
    organizer = await registered(make_user, "en", organizer=True)
    # Organizers may review (a higher role includes the lower), but only what is theirs.
    await organizer.press_data(organizer.messages[-1], "rv:ok:1")
    assert (await organizer.expect_answer())["text"] == EN._(
        "This button has expired. Please open the menu again."
    )
    await organizer.press_data(organizer.messages[-1], "bd:cd:" + "9" * 30)
    assert (await organizer.expect_answer())["text"] == EN._(
        "This button has expired. Please open the menu again."
    )
    # Nothing changed.
    assert (await services.repos.reviews.decision(pid)).released_at is None
    assert await services.repos.reviews.assignments() == []
    assert json.loads(json.dumps(await services.repos.endorsements.phase("endorsement"))) == [
        None,
        None,
    ]


async def test_conflict_reassigns_and_author_comments_go_with_the_decision(
    bot_app: Any, sandbox: SandboxServer, make_user: Any
) -> None:
    services = bot_app.bot_data["services"]
    organizer = await registered(make_user, "en", organizer=True)
    ngo = await registered(make_user, "ru")
    pid = await submit(services, ngo, "ru", 1, "Some NGO")
    reviewers = [await registered(make_user, "en") for _ in range(3)]
    for reviewer in reviewers:
        await services.roles.grant(reviewer.id, Role.REVIEWER)
        await services.repos.reviews.declare(reviewer.id, None, services.clock.now())
    await organizer.command("/board")
    home = await organizer.expect(EN._("📋 Review board"))
    await organizer.press(EN._("🔀 Assign reviewers"), message=home)
    await organizer.expect(EN._("Proposals per reviewer: {loads}").format(loads="1, 1"))
    given = sorted(a.reviewer_id for a in await services.repos.reviews.assignments())
    first, second = (r for r in reviewers if r.id in given)
    spare = next(r for r in reviewers if r.id not in given)

    # "I have a conflict": the proposal goes to the reviewer who had none.
    await first.command("/review")
    actions = await first.expect(EN._("Score every criterion above, then submit."))
    await first.press(EN._("⚠️ I have a conflict"), message=actions)
    answer = await first.expect_answer()
    assert answer["text"] == EN._(
        "Noted: you have a conflict with {reference}; it goes to another reviewer."
    ).format(reference=f"P-{pid:04d}")
    await spare.expect(lambda m: EN._("Start reviewing") in m.buttons)
    states = {a.reviewer_id: a.state for a in await services.repos.reviews.assignments()}
    assert states == {first.id: "conflict", second.id: "open", spare.id: "open"}

    # A comment for the authors; the organizer chooses to send it with the decision.
    for reviewer in (second, spare):
        await reviewer.command("/review")
        actions = await reviewer.expect(EN._("Score every criterion above, then submit."))
        if reviewer is second:
            await reviewer.press(EN._("✉️ Comment for the authors"), message=actions)
            await reviewer.expect(
                EN._("Send your comment for the authors of {reference}.")
                .split(".")[0]
                .format(reference=f"P-{pid:04d}")
            )
            await reviewer.send("Add a budget table, please.")
            actions = await reviewer.expect(
                EN._("For the authors: {text}").format(text="Add a budget table, please.")
            )
        else:  # the text names its authors: flagged for the organizers
            await reviewer.press(EN._("🚩 The text reveals its authors"), message=actions)
            actions = await reviewer.expect(
                EN._("🚩 You flagged that the text reveals its authors.")
            )
        await review_current(reviewer, EN, [4, 4, 4], actions)
    await organizer.press_data(organizer.messages[-1], f"bd:cd:{pid}")
    card = await organizer.expect(lambda m: EN._("✅ Accept") in m.buttons)
    assert "Add a budget table, please." in card.text
    assert EN._("🚩 The text reveals its authors.") in card.text
    assert EN._("conflict") in card.text  # the first reviewer's state
    await organizer.press(EN._("✅ Accept"), message=card)
    card = await organizer.expect(
        lambda m: "☐ " + EN._("Reviewers' comments to the authors") in m.buttons
    )
    await organizer.press("☐ " + EN._("Reviewers' comments to the authors"), message=card)
    card = await organizer.expect(
        lambda m: "☑ " + EN._("Reviewers' comments to the authors") in m.buttons
    )
    await organizer.press_data(card, "bd:rl")
    confirm = await organizer.expect(lambda m: EN._("📣 Release") in m.buttons)
    await organizer.press(EN._("📣 Release"), message=confirm)
    ru = t("ru")
    notice = await ngo.expect(ru._("Comments from the reviewers:"))
    assert "Add a budget table, please." in notice.text

    # The accepted proposal becomes a recommendation, written in chat.
    await organizer.command("/board")
    home = await organizer.expect(EN._("📋 Review board"))
    await organizer.press(EN._("💡 Recommendations"), message=home)
    recs = await organizer.expect(EN._("There are no recommendations yet."))
    await organizer.press(EN._("➕ From an accepted proposal"), message=recs)
    choice = await organizer.expect(EN._("Which accepted proposal does it come from?"))
    await organizer.press(f"P-{pid:04d}", message=choice)
    await organizer.expect(
        EN._("Send the text of the recommendation based on {reference}, in your language.").format(
            reference=f"P-{pid:04d}"
        )
    )
    await organizer.send("Fund school gardens in every district.")
    listed = await organizer.expect(EN._("💡 Recommendations"))
    assert "Fund school gardens in every district." in listed.text and f"P-{pid:04d}" in listed.text
    (rec,) = await services.repos.endorsements.all()
    assert rec.proposal_ids == (pid,) and rec.topic == "institutions"


async def release_from_board(organizer: SandboxUser, pending: int) -> None:
    """/board → "Release decisions (n)" → "Release"."""
    await organizer.command("/board")
    home = await organizer.expect(EN._("📋 Review board"))
    await organizer.press(EN._("📣 Release decisions ({n})").format(n=pending), message=home)
    confirm = await organizer.expect(lambda m: EN._("📣 Release") in m.buttons)
    await organizer.press(EN._("📣 Release"), message=confirm)


async def test_one_release_sends_the_decisions_of_proposals_and_of_the_board(
    bot_app: Any, sandbox: SandboxServer, make_user: Any
) -> None:
    services = bot_app.bot_data["services"]
    organizer = await registered(make_user, "en", organizer=True)
    first, second = await registered(make_user, "kk"), await registered(make_user, "ru")
    one = await submit(services, first, "kk", 1, "First NGO")
    two = await submit(services, second, "ru", 2, "Second NGO")
    now = services.clock.now()
    await services.repos.proposals.set_pending(one, "accepted", now)  # decided in /proposals
    await services.repos.reviews.decide(two, "reject", now)  # decided on the board
    await release_from_board(organizer, 2)
    await organizer.expect(lambda m: "2 decisions released" in m.text and "2 notices" in m.text)
    await first.expect(lambda m: "P-0001" in m.text)
    await second.expect(
        t("ru")
        ._('Your proposal {reference} "{title}" was not accepted this time.')
        .format(reference=f"P-{two:04d}", title="Proposal title 2")
    )
    assert await services.repos.proposals.count_pending() == 0
    assert await services.repos.reviews.pending() == []


async def test_reviewers_are_reminded_a_day_before_the_review_closes(
    bot_app: Any, sandbox: SandboxServer, make_user: Any, clock: Any
) -> None:
    services = bot_app.bot_data["services"]
    start = datetime(2018, 11, 1, 10, 0, tzinfo=ALMATY)
    clock.set(start, frozen=True)
    closes = start + timedelta(days=3)
    phase = services.content.review.model_copy(update={"closes": closes})
    services.content = services.content.model_copy(update={"review": phase})
    organizer = await registered(make_user, "en", organizer=True)
    ngo = await registered(make_user, "en")
    await submit(services, ngo, "en", 1, "Some NGO")
    reviewer = await registered(make_user, "kk")
    await services.roles.grant(reviewer.id, Role.REVIEWER)
    await services.repos.reviews.declare(reviewer.id, None, start)
    await organizer.command("/board")
    home = await organizer.expect(EN._("📋 Review board"))
    await organizer.press(EN._("🔀 Assign reviewers"), message=home)
    kk = t("kk")
    await reviewer.expect(lambda m: kk._("Start reviewing") in m.buttons)
    reminder = kk._("⏰ The review closes on {date}. /review shows what is still open.").format(
        date="4 қараша, 10:00"
    )
    assert not any(m.text == reminder for m in reviewer.messages)  # not yet: two days to go
    clock.set(closes - timedelta(hours=23), frozen=True)
    await reviewer.expect(reminder)
    # Changeable until the review closes, not after.
    await reviewer.command("/review")
    await review_current(reviewer, kk, [3, 3, 3])
    first = latest(reviewer, lambda m: m.text.startswith("1/3."))
    await reviewer.press("5", message=first)
    assert (await reviewer.expect_answer())["text"] == kk._("Saved: {score}").format(score=5)
    actions = latest(reviewer, lambda m: kk._("✅ Submit review") in m.buttons)
    await reviewer.press(kk._("✅ Submit review"), message=actions)
    assert (await reviewer.expect_answer())["text"] == kk._("Review updated.")
    clock.set(closes, frozen=True)
    await reviewer.press("1", message=first)
    answer = await reviewer.expect_answer()
    assert answer["text"] == kk._("The review is closed; reviews can no longer be changed.")
    (review,) = await services.repos.reviews.all_reviews()
    assert review.scores[phase.criteria[0].id] == 5


async def test_a_reviewer_abstains(bot_app: Any, make_user: Any) -> None:
    services = bot_app.bot_data["services"]
    ngo = await registered(make_user, "en")
    pid = await submit(services, ngo, "en", 1, "Some NGO")
    reviewer = await registered(make_user, "ru")
    await services.roles.grant(reviewer.id, Role.REVIEWER)
    await services.repos.reviews.declare(reviewer.id, None, services.clock.now())
    await services.repos.reviews.assign([(pid, reviewer.id)], 1, services.clock.now())
    ru = t("ru")
    await reviewer.command("/review")
    actions = await reviewer.expect(ru._("Score every criterion above, then submit."))
    await reviewer.press(ru._("🤐 Abstain"), message=actions)
    answer = await reviewer.expect_answer()
    assert answer["text"] == ru._("Noted: you abstain on {reference}.").format(
        reference=f"P-{pid:04d}"
    )
    await reviewer.command("/review")
    overview = await reviewer.expect(ru._("No proposal is waiting for your review."))
    assert f"🤐 P-{pid:04d}" in overview.text
    (assignment,) = await services.repos.reviews.assignments()
    assert assignment.state == "abstained"


async def test_a_proposal_decided_on_both_screens_has_one_pending_decision(
    bot_app: Any, make_user: Any
) -> None:
    """/proposals and /board keep a pending decision in one place: the later one replaces the
    earlier, both screens count it once, and its author gets one notice, not two."""
    services = bot_app.bot_data["services"]
    organizer = await registered(make_user, "en", organizer=True)
    author = await registered(make_user, "ru")
    pid = await submit(services, author, "ru", 1, "First NGO")
    now = services.clock.now()
    await services.repos.proposals.set_pending(pid, "accepted", now)  # decided in /proposals
    await services.repos.reviews.decide(pid, "reject", now)  # then on the board
    await organizer.command("/proposals")
    release = EN._("📣 Release decisions ({n})").format(n=1)
    listing = await organizer.expect(lambda m: release in m.buttons)
    assert (
        EN.ngettext(
            "⏳ {n} decision pending release.", "⏳ {n} decisions pending release.", 1
        ).format(n=1)
        in listing.text
    )
    await release_from_board(organizer, 1)
    await organizer.expect(lambda m: "1 decision released" in m.text and "1 notice " in m.text)
    await author.expect(
        t("ru")
        ._('Your proposal {reference} "{title}" was not accepted this time.')
        .format(reference=f"P-{pid:04d}", title="Proposal title 1")
    )
    queued = await services.db.fetchval(
        "SELECT COUNT(*) FROM outbox WHERE kind = 'decision' AND user_id = ?", (author.id,)
    )
    assert queued == 1
    p = await services.repos.proposals.get(pid)
    assert p.status == "rejected" and p.pending_status is None


async def test_a_reviewer_cannot_act_on_another_reviewers_proposal(
    bot_app: Any, make_user: Any
) -> None:
    """Forged buttons of a proposal assigned to someone else expire and change nothing."""
    services = bot_app.bot_data["services"]
    ngo = await registered(make_user, "en")
    pid = await submit(services, ngo, "en", 1, "Org")
    mine, other = await registered(make_user, "kk"), await registered(make_user, "ru")
    for reviewer in (mine, other):
        await services.roles.grant(reviewer.id, Role.REVIEWER)
        await services.repos.reviews.declare(reviewer.id, None, services.clock.now())
    await services.repos.reviews.assign([(pid, mine.id)], 1, services.clock.now())
    ru = t("ru")
    for data in (f"rv:op:{pid}", f"rv:s:{pid}:0:5", f"rv:c:{pid}", f"rv:ok:{pid}", f"rv:o:{pid}"):
        await other.press_data(other.messages[-1], data)
        answer = await other.expect_answer()
        assert answer["text"] == ru._("This button has expired. Please open the menu again."), data
    assert await services.repos.reviews.all_reviews() == []
    assert await services.repos.reviews.awaiting_review(other.id) is None
