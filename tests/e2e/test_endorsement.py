"""Endorsement end to end: 50 sandbox participants go through 5 recommendations in orders
shuffled per person, vote, change a vote; the resolution DOCX counts exactly the votes cast,
by stakeholder group with small groups hidden."""

from __future__ import annotations

import asyncio
import io
import re
from collections import Counter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from docx import Document
from pypdf import PdfReader

from bot.i18n import I18n
from bot.sandbox.harness import SandboxServer, SandboxUser
from tests.e2e.test_board import board_settings

I18N = I18n(ZoneInfo("Asia/Almaty"), "ru")
EN = I18N.get("en")
PEOPLE = 50
TEXTS = [f"Recommendation number {n}: do the right thing." for n in range(1, 6)]
VOTE_BUTTONS = {"support": "👍 Support", "object": "👎 Object", "abstain": "🤐 Abstain"}
# 30 NGOs, 17 from government, 3 from business: business is under the threshold of 5.
GROUPS = ["ngo"] * 30 + ["government"] * 17 + ["business"] * 3


@pytest.fixture
def content_file(content_file: Path) -> Path:
    """The sample forum with five recommendations in the file."""
    data = yaml.safe_load(content_file.read_text(encoding="utf-8"))
    topics = [t["id"] for t in data["proposal_topics"]]
    data["recommendations"] = [
        {"id": f"r{n}", "topic": topics[n % len(topics)], "text": text}
        for n, text in enumerate(TEXTS, 1)
    ]
    content_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return content_file


@pytest.fixture
def bot_settings(sandbox: SandboxServer, tmp_path: Path, content_file: Path) -> Any:
    return board_settings(sandbox, tmp_path / "bot.db", content_file)


async def resolution_files(organizer: SandboxUser, language: str = "English") -> Any:
    """The resolution's DOCX and PDF messages, as the organizer gets them from /board."""
    await organizer.command("/board")
    home = await organizer.expect(EN._("📋 Review board"))
    await organizer.press(EN._("📄 Resolution"), message=home)
    choice = await organizer.expect(EN._("In which language should the resolution be?"))
    await organizer.press(language, message=choice)
    return await organizer.expect(is_file(".docx")), await organizer.expect(is_file(".pdf"))


async def resolution(organizer: SandboxUser) -> Any:
    """The resolution in English, as a DOCX read back."""
    docx, _ = await resolution_files(organizer)
    return Document(io.BytesIO(organizer.download(docx)))


def is_file(suffix: str) -> Any:
    """A message carrying a file whose name ends with ``suffix``."""
    return lambda m: m.document is not None and m.document["file_name"].endswith(suffix)


def order_seen(user: SandboxUser) -> list[str]:
    """The recommendations as the person's last /endorse listed them."""
    shown = [m for m in user.messages if re.match(r"\d/5 · ", m.text)][-5:]
    return [next(t for t in TEXTS if t in m.text) for m in shown]


async def endorse(user: SandboxUser, index: int, cast: Counter[tuple[str, str, str]]) -> None:
    """Vote on every recommendation but one (each person skips a different one)."""
    await user.press(EN._("Give my voice"))
    await user.expect_answer()
    await user.expect(lambda m: m.text.startswith("5/5 · "))
    for position, text in enumerate(order_seen(user)):
        if (index + position) % 5 == 4:
            continue  # not every person votes on everything
        vote = ("support", "object", "abstain")[(index + TEXTS.index(text)) % 3]
        message = next(m for m in reversed(user.messages) if text in m.text)
        if index % 10 == 0 and vote != "object":  # some change their mind: object, then vote
            await user.press(VOTE_BUTTONS["object"], message=message)
            await user.expect(EN._("Your voice: {vote}").format(vote=VOTE_BUTTONS["object"]))
            message = next(m for m in reversed(user.messages) if text in m.text)
        await user.press(VOTE_BUTTONS[vote], message=message)
        await user.expect(EN._("Your voice: {vote}").format(vote=VOTE_BUTTONS[vote]))
        cast[(text, vote, GROUPS[index])] += 1


async def test_fifty_participants_endorse_five_recommendations(
    bot_app: Any, sandbox: SandboxServer, make_user: Any
) -> None:
    services = bot_app.bot_data["services"]
    organizer = make_user(lang="en", organizer=True)
    people = [make_user(lang="en") for _ in range(PEOPLE)]
    for person in (organizer, *people):
        await person.command("/start")
        await person.expect()
    for person, group in zip(people, GROUPS, strict=True):
        await services.repos.users.set_stakeholder(person.id, group)

    # Before it opens, /endorse says so.
    await people[0].command("/endorse")
    await people[0].expect(EN._("Endorsement of the recommendations is not open now."))

    await organizer.command("/board")
    home = await organizer.expect(EN._("📋 Review board"))
    await organizer.press(EN._("🗳 Open endorsement"), message=home)
    await organizer.expect(EN._("Endorsement: open"))
    # Everyone is invited through the outbox.
    for person in people:
        await person.expect(lambda m: EN._("Give my voice") in m.buttons)

    cast: Counter[tuple[str, str, str]] = Counter()
    await asyncio.gather(*(endorse(p, i, cast) for i, p in enumerate(people)))

    orders = [tuple(order_seen(p)) for p in people]
    assert all(sorted(o) == sorted(TEXTS) for o in orders)
    assert len(set(orders)) >= 20, "orders should differ between people"
    assert len({o[0] for o in orders}) == 5, "every recommendation comes first for someone"
    # The order is the person's own: the same on the next visit.
    await people[7].command("/endorse")
    await people[7].expect(lambda m: m.text.startswith("5/5 · "))
    assert tuple(order_seen(people[7])) == orders[7]

    # Closed: no more changes.
    await organizer.command("/board")
    home = await organizer.expect(EN._("📋 Review board"))
    await organizer.press(EN._("🗳 Close endorsement"), message=home)
    await organizer.expect(EN._("Endorsement: not open"))
    first = next(m for m in reversed(people[1].messages) if m.text.startswith("1/5 · "))
    await people[1].press(VOTE_BUTTONS["support"], message=first)
    answer = await people[1].expect_answer()
    assert answer["text"] == EN._("Endorsement is closed; voices can no longer be changed.")

    # The resolution counts exactly the votes cast.
    document = await resolution(organizer)
    paragraphs = [p.text for p in document.paragraphs]
    numbers = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert numbers[EN._("Participants")] == str(PEOPLE + 1)
    tables = document.tables[1:]
    assert len(tables) == len(TEXTS)
    for text in TEXTS:
        position = paragraphs.index(text)
        # Tables follow the recommendation texts in order.
        table = tables[sorted(paragraphs.index(t) for t in TEXTS).index(position)]
        rows = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in table.rows}
        everyone = rows[EN._("Everyone")]
        expected = [
            sum(n for (t, v, _), n in cast.items() if t == text and v == vote)
            for vote in ("support", "object", "abstain")
        ]
        assert [int(x) for x in everyone] == expected, text
        ngo = rows["NGO"] if "NGO" in rows else next(v for k, v in rows.items() if "NGO" in k)
        assert [int(x) for x in ngo] == [
            cast[(text, vote, "ngo")] for vote in ("support", "object", "abstain")
        ]
        business = next(v for k, v in rows.items() if "usiness" in k)
        assert business == [EN._("fewer than {n}").format(n=5)] * 3
        # Everyone minus the groups shown must not give the small group's votes back: what the
        # hidden groups hold together is at least 5 voices.
        shown = [v for k, v in rows.items() if k != EN._("Everyone") and v[0].isdigit()]
        rest = sum(int(x) for x in everyone) - sum(int(x) for v in shown for x in v)
        assert rest == 0 or rest >= 5, (text, rows)
    assert sum(cast.values()) == PEOPLE * 4


async def test_questions_from_the_live_qa_go_into_the_resolution(
    bot_app: Any, sandbox: SandboxServer, make_user: Any
) -> None:
    services = bot_app.bot_data["services"]
    organizer = make_user(lang="en", organizer=True)
    asker = make_user(lang="ru")
    for person in (organizer, asker):
        await person.command("/start")
        await person.expect()
    session = services.content.sessions[1]
    now = services.clock.now()
    for text, status in (
        ("How will the councils be funded?", "approved"),
        ("Who chooses the members?", "answered"),
        ("An insult", "rejected"),
    ):
        await services.repos.qa.add_question(
            session.id, asker.id, text, anonymous=True, asker_name=None, language="en",
            status=status, now=now,
        )  # fmt: skip
    await organizer.command("/board")
    home = await organizer.expect(EN._("📋 Review board"))
    await organizer.press(EN._("💡 Recommendations"), message=home)
    recs = await organizer.expect(lambda m: EN._("❓ Q&A {n}").format(n=1) in m.buttons)
    await organizer.press(EN._("❓ Q&A {n}").format(n=1), message=recs)
    choice = await organizer.expect(EN._("Which session's questions go with this recommendation?"))
    await organizer.press(session.title.get("en")[:60], message=choice)
    listed = await organizer.expect(
        EN.ngettext(
            "❓ {n} question from the live Q&A", "❓ {n} questions from the live Q&A", 2
        ).format(n=2)
    )
    assert "Recommendation number 1" in listed.text
    # A poll the hall answered and the moderator closed; another still open.
    qa = services.repos.qa
    closed = await qa.add_poll(
        session.id, {"en": "Should councils publish minutes?"},
        [{"en": "Yes, always"}, {"en": "Only summaries"}], now,
    )  # fmt: skip
    third = make_user(lang="kk")
    await third.command("/start")
    await third.expect()
    for voter, option in ((organizer.id, 0), (asker.id, 0), (third.id, 1)):
        await qa.answer_poll(closed.id, voter, option, now)
    await qa.close_poll(closed.id, now)
    await qa.add_poll(session.id, {"en": "Still running?"}, [{"en": "A"}, {"en": "B"}], now)
    document = await resolution(organizer)
    text = "\n".join(p.text for p in document.paragraphs)
    assert EN._("Questions from the live Q&A:") in text
    assert "How will the councils be funded?" in text and "Who chooses the members?" in text
    assert "An insult" not in text
    assert text.count(EN._("Questions from the live Q&A:")) == 1  # only where chosen
    # The dialogue in the halls: the session, what the hall took up, the closed poll's results.
    dialogue = text.split(EN._("Dialogue in the halls: live Q&A and polls"), 1)[1]
    assert session.title.get("en") in dialogue
    assert "2 questions taken up, 0 votes" in dialogue
    assert "How will the councils be funded? — 0 votes" in dialogue
    assert "Should councils publish minutes?" in dialogue and "Still running?" not in dialogue
    cells = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    assert [EN._("Answer"), EN._("Answers"), EN._("Share")] in cells
    assert ["Yes, always", "2", "67%"] in cells and ["Only summaries", "1", "33%"] in cells


async def test_the_resolution_comes_as_pdf_beside_the_docx(bot_app: Any, make_user: Any) -> None:
    """The organizer picks the resolution's language and gets the DOCX to edit and the PDF to
    send on, both named in that language, the PDF with the recommendations in it."""
    organizer = make_user(lang="en", organizer=True)
    await organizer.command("/start")
    await organizer.expect()
    docx, pdf = await resolution_files(organizer, "Қазақша")
    assert docx.document is not None and pdf.document is not None
    assert docx.document["file_name"].startswith("resolution-kk-")
    assert pdf.document["file_name"] == docx.document["file_name"].replace(".docx", ".pdf")
    assert pdf.text == I18N.get("kk")._("The resolution as PDF, ready to send on")
    pages = PdfReader(io.BytesIO(organizer.download(pdf))).pages
    text = "".join("".join(page.extract_text().split()) for page in pages)
    assert "Форумныңқарары" in text  # "Resolution of the forum" in Kazakh
    for recommendation in TEXTS:
        assert "".join(recommendation.split()) in text


async def test_a_comment_goes_with_a_voice(bot_app: Any, make_user: Any) -> None:
    services = bot_app.bot_data["services"]
    person = make_user(lang="kk")
    await person.command("/start")
    await person.expect()
    await services.repos.endorsements.set_phase("endorsement", open_=True, now=services.clock.now())
    kk = I18N.get("kk")
    await person.command("/endorse")
    last = await person.expect(lambda m: m.text.startswith("5/5 · "))
    first = next(m for m in person.messages if m.text.startswith("1/5 · "))
    assert kk._("💬 Add a comment") not in first.buttons  # a comment goes with a voice
    await person.press(kk._("👍 Support"), message=first)
    voted = await person.expect(kk._("Your voice: {vote}").format(vote=kk._("👍 Support")))
    await person.press(kk._("💬 Add a comment"), message=voted)
    await person.expect(kk._("Send your comment on recommendation {n}.").format(n=1))
    await person.send("Мектептерден бастау керек.")
    await person.expect(kk._("Thank you, your comment is saved."))
    (vote,) = await services.repos.endorsements.votes()
    assert vote.comment == "Мектептерден бастау керек." and vote.vote == "support"
    assert last.text.startswith("5/5 · ")


def _listed(content_file: Path) -> list[dict[str, Any]]:
    return list(yaml.safe_load(content_file.read_text(encoding="utf-8"))["recommendations"])


def _content_with(content_file: Path, recommendations: list[dict[str, Any]]) -> bytes:
    data = yaml.safe_load(content_file.read_text(encoding="utf-8"))
    data["recommendations"] = recommendations
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


async def test_an_uploaded_content_file_resyncs_the_recommendations(
    bot_app: Any, make_user: Any, content_file: Path
) -> None:
    """After an upload the board and /endorse show the file's recommendations: a new one
    appears, an edited one keeps its votes, one dropped from the file is hidden from everyone
    with its votes kept, and comes back with them when the file lists it again."""
    services = bot_app.bot_data["services"]
    organizer = make_user(lang="en", organizer=True)
    person = make_user(lang="en")
    for someone in (organizer, person):
        await someone.command("/start")
        await someone.expect()
    await services.repos.endorsements.set_phase("endorsement", open_=True, now=services.clock.now())
    await person.command("/endorse")
    await person.expect(lambda m: m.text.startswith("5/5 · "))
    for text in TEXTS[:3]:  # r1 stays, r2 is edited, r3 is dropped
        message = next(m for m in person.messages if text in m.text)
        await person.press(VOTE_BUTTONS["support"], message=message)
        await person.expect(EN._("Your voice: {vote}").format(vote=VOTE_BUTTONS["support"]))

    listed = _listed(content_file)
    edited = "Recommendation number 2, reworded: do the right thing now."
    added = "Recommendation number 6: and keep doing it."
    new_list = [
        listed[0],
        {**listed[1], "text": edited},
        *listed[3:],
        {"id": "r6", "topic": listed[0]["topic"], "text": added},
    ]
    await organizer.send_document(_content_with(content_file, new_list), "forum.yaml")
    await organizer.expect("✅")

    await organizer.command("/board")
    home = await organizer.expect(EN._("📋 Review board"))
    await organizer.press(EN._("💡 Recommendations"), message=home)
    board = await organizer.expect(EN._("💡 Recommendations"))
    assert edited in board.text and added in board.text and TEXTS[0] in board.text
    assert TEXTS[1] not in board.text and TEXTS[2] not in board.text
    await person.command("/endorse")
    await person.expect(lambda m: m.text.startswith("5/5 · "))
    shown = [m.text for m in person.messages[-5:]]
    assert any(added in t for t in shown) and not any(TEXTS[2] in t for t in shown)
    for text in (TEXTS[0], edited):  # votes kept on the unchanged and the edited one
        (message,) = [m for m in person.messages[-5:] if text in m.text]
        assert EN._("Your voice: {vote}").format(vote=VOTE_BUTTONS["support"]) in message.text
    results = await services.repos.endorsements.all()
    assert [r.content_id for r in results] == ["r1", "r2", "r4", "r5", "r6"]

    # The dropped one comes back, with its vote, when the file lists it again.
    await organizer.send_document(_content_with(content_file, listed), "forum.yaml")
    await organizer.expect("✅")
    back = {r.content_id: r.id for r in await services.repos.endorsements.all()}
    assert sorted(back) == ["r1", "r2", "r3", "r4", "r5"]  # r6 is not in this file
    votes = {v.recommendation_id for v in await services.repos.endorsements.votes()}
    assert back["r3"] in votes
