"""Proposals end to end: the dialog in each language, wrong input, edit, withdraw, review,
released decisions in the submitter's language, organizer-only access, and a SIGKILL restart."""

from __future__ import annotations

import sqlite3
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.content import load_content
from bot.i18n import I18n, Translator
from bot.resources import sample_content_path
from bot.sandbox.harness import BotProcess, SandboxServer, SandboxUser, sandbox_settings
from bot.sdg import sdg_label

# The same conversations with a webhook bot (the sandbox POSTs updates to it).
pytestmark = pytest.mark.both_update_modes

I18N = I18n(ZoneInfo("Asia/Almaty"), "ru")
CONTENT = load_content(sample_content_path())
PDF = b"%PDF-1.4\n% test\n"


@pytest.fixture
def bot_settings(sandbox: SandboxServer, tmp_path: Path) -> Any:
    """A test user answers faster than any person: lift the flood guard for these dialogs."""
    return sandbox_settings(sandbox, tmp_path / "bot.db", flood_limit=500)


def png() -> bytes:
    """A tiny valid PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 3, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00" + b"\x00" * 9 + b"\x00" + b"\x00" * 9))
        + chunk(b"IEND", b"")
    )


def t(lang: str) -> Translator:
    return I18N.get(lang)


async def answer_until_review(
    user: SandboxUser, lang: str, *, title: str = "Green schools"
) -> None:
    """Walk the dialog from /propose to the review screen with valid answers."""
    tr = t(lang)
    await user.command("/propose")
    await user.expect("2018-11-v1")
    await user.press(tr._("✅ I agree"))
    await user.expect(tr._("What is the name of your organization?"))
    await user.send("Eco Almaty")
    await user.expect(tr._("What type of organization is it?"))
    await user.press(tr._("Public association"))
    await user.expect("BIN" if lang == "en" else tr._("BIN"))
    await user.send("9407 4000 0911")
    await user.expect(lambda m: tr._("Almaty Region") in m.buttons)
    await user.press(tr._("Almaty"))
    await user.expect(
        tr._("Who is the contact person for this proposal? Please send their full name.")
    )
    await user.send("Aigul Nurlanova")
    await user.expect("8 701 123 45 67")
    await user.send("+7 (701) 123-45-67")
    await user.expect(lambda m: tr._("Skip") in m.buttons and "8 701" not in m.text)
    await user.send("aigul@eco.kz")
    await user.expect(tr._("Which topic of the forum does your proposal belong to?"))
    await user.press(CONTENT.proposal_topics[1].title.get(lang))
    await user.expect(lambda m: tr._("Done") in m.buttons)
    await user.press(sdg_label(tr, 4))
    await user.expect(lambda m: "✓ " + sdg_label(tr, 4) in m.buttons)
    await user.press(sdg_label(tr, 11))
    await user.expect(lambda m: "✓ " + sdg_label(tr, 11) in m.buttons)
    await user.press(tr._("Done"))
    await user.expect(
        tr._("The title of your proposal (up to {limit} characters).").format(limit=200)
    )
    await user.send(title)
    await user.expect("3000")
    await user.send("Solar panels on the roofs of ten schools in Almaty.")
    await user.expect("1000")
    await user.send("A grant and a letter of support")
    await user.expect("20")
    await user.send_document(PDF, "plan.pdf", mime_type="application/pdf")
    await user.expect(tr._("Please check your proposal:"))


@pytest.mark.parametrize("lang", ["ru", "en"])
async def test_full_submission_and_withdraw(
    bot_app: Any, make_user: Callable[..., SandboxUser], lang: str
) -> None:
    tr = t(lang)
    user = make_user(lang=lang)
    await answer_until_review(user, lang)
    review = user.last_message
    assert review is not None
    for expected in (
        "Eco Almaty",
        tr._("Public association"),
        "940740000911",
        "+77011234567",
        "aigul@eco.kz",
        sdg_label(tr, 11),
        "plan.pdf",
        tr._("Almaty"),
    ):
        assert expected in review.text
    await user.press(tr._("📨 Submit"))
    done = await user.expect("P-0001")
    assert "/myproposals" in done.text

    await user.command("/myproposals")
    mine = await user.expect("P-0001")
    assert tr.pgettext("proposal status", "Submitted") in mine.text
    await user.press(tr._("↩️ Withdraw {reference}").format(reference="P-0001"))
    await user.expect("P-0001")
    await user.press(tr._("Yes, withdraw"))
    await user.expect(
        tr._("Your proposal {reference} has been withdrawn.").format(reference="P-0001")
    )
    await user.command("/myproposals")
    mine = await user.expect("P-0001")
    assert tr._("Withdrawn") in mine.text
    assert not mine.buttons  # nothing left to withdraw


def _sticker(sandbox: SandboxServer, user: SandboxUser) -> None:
    world = sandbox.world
    world._user_message(
        world.user(user.id),
        sticker={
            "file_id": "CAACsticker1",
            "file_unique_id": "st1",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        },
    )


async def test_wrong_input_is_explained_and_the_question_repeated(
    bot_app: Any, sandbox: SandboxServer, make_user: Callable[..., SandboxUser]
) -> None:
    user = make_user(lang="en")
    await user.command("/propose")
    await user.expect("2018-11-v1")
    await user.send("yes")
    await user.expect(
        lambda m: "Please answer with the buttons below." in m.text and "2018-11-v1" in m.text
    )
    await user.press("✅ I agree")
    await user.expect("name of your organization")
    _sticker(sandbox, user)
    await user.expect(
        lambda m: "Stickers cannot" in m.text and "name of your organization" in m.text
    )
    await user.send_photo(png())
    await user.expect(
        lambda m: "Pictures and videos" in m.text and "name of your organization" in m.text
    )
    await user.send("Eco Almaty")
    await user.expect("What type of organization")
    await user.send("NGO")
    await user.expect(
        lambda m: "Please answer with the buttons" in m.text and "What type" in m.text
    )
    await user.press("Public foundation")
    await user.expect("12 digits")
    await user.send("12345")
    await user.expect(
        lambda m: (
            "exactly 12 digits; you sent 5" in m.text
            and "Please send the organization's BIN" in m.text
        )
    )
    await user.send("940740000912")
    await user.expect(lambda m: "check digit does not match" in m.text and "BIN" in m.text)
    await user.send("940740000911")
    await user.expect("Choose a region or city")
    await user.send("Talgar district")  # free text
    await user.expect("contact person")
    await user.send("Aigul")
    await user.expect("8 701 123 45 67")
    await user.send("+7 495 123 45 67")
    await user.expect(lambda m: "does not look like a Kazakhstan phone number" in m.text)
    await user.press("Skip")
    await user.expect("needed, because no phone number was given")
    await user.send("aigul@")
    await user.expect(
        lambda m: "does not look like an e-mail address" in m.text and "needed, because" in m.text
    )
    await user.send("aigul@eco.kz")
    await user.expect("Which topic")
    await user.press(CONTENT.proposal_topics[0].title.get("en"))
    await user.expect("Sustainable Development Goals")
    await user.press("Done")
    await user.expect(lambda m: "at least one goal" in m.text)
    await user.press(sdg_label(t("en"), 16))
    await user.expect(lambda m: "✓ " + sdg_label(t("en"), 16) in m.buttons)
    await user.press("Done")
    await user.expect("title of your proposal")
    await user.send("x" * 201)
    await user.expect(
        lambda m: (
            "too long: 201 characters, at most 200" in m.text and "title of your proposal" in m.text
        )
    )
    await user.send("Public councils in every district")
    await user.expect("Describe the proposal")
    await user.send("Councils that meet monthly and publish their minutes.")
    await user.expect("What support")
    await user.send("Methodological help")
    await user.expect("You may attach a document")
    await user.send_photo(png())
    await user.expect(
        lambda m: "A photo cannot be attached" in m.text and "You may attach" in m.text
    )
    await user.send_document(png(), "scan.jpg", mime_type="image/jpeg")
    await user.expect(lambda m: "Only PDF, DOC or DOCX" in m.text)
    await user.send_document(b"0" * (20 * 1024 * 1024 + 1), "big.pdf", mime_type="application/pdf")
    await user.expect(lambda m: "larger than 20 MB" in m.text)
    await user.press("Skip")
    review = await user.expect("Please check your proposal:")
    assert "Talgar district" in review.text
    assert "BIN: 940740000911" in review.text

    await user.command("/cancel")
    await user.expect("Discard your draft proposal?")
    await user.press("No")
    await user.expect("Please check your proposal:")  # the same step again
    await user.command("/cancel")
    await user.expect("Discard your draft proposal?")
    await user.press("Yes")
    await user.expect("Your draft proposal has been discarded.")
    await user.command("/myproposals")
    await user.expect("You have not submitted any proposals yet.")


async def test_edit_review_decision_in_the_submitters_language_and_organizer_only(
    bot_app: Any, make_user: Callable[..., SandboxUser]
) -> None:
    kk = t("kk")
    user = make_user(lang="kk")
    organizer = make_user(lang="en", organizer=True)
    await organizer.command("/start")  # the bot may write only to people who started it
    await organizer.expect("Welcome!")
    await answer_until_review(user, "kk", title="Мектептер")
    # Edit the title from the review screen: back to the review with the new answer.
    await user.press("✏️ " + kk._("Title"))
    await user.expect(lambda m: kk._("⬅️ Back to the review") in m.buttons)
    await user.send("Жасыл мектептер")
    review = await user.expect(kk._("Please check your proposal:"))
    assert "Жасыл мектептер" in review.text
    assert "Мектептер\n" not in review.text
    await user.press(kk._("📨 Submit"))
    await user.expect("P-0001")
    # The organizers hear of it at once, in their language, with a button to the card.
    note = await organizer.expect("📥 New proposal P-0001: “Жасыл мектептер”")
    await organizer.press("Open", message=note)
    await organizer.expect(lambda m: "Aigul Nurlanova" in m.text)

    # Nobody but organizers lists, opens, decides or exports.
    outsider = make_user(lang="en")
    await outsider.command("/proposals")
    await outsider.expect("only for the forum's organizers")
    forged = await outsider.command("/myproposals")
    await outsider.expect("You have not submitted")
    for data in ("prv:card:1:-,-,-,0", "prv:dec:1:acc:-,-,-,0", "prv:xlsx", "prv:rely", "prv:cm:1"):
        await outsider.press_data(outsider.last_message or forged, data)
        answer = await outsider.expect_answer()
        assert "only for the forum's organizers" in (
            answer.get("text") or answer.get("message", {}).get("text", "") or str(answer)
        )
    await outsider.press_data(outsider.last_message or forged, "pr:wd:1")  # someone else's proposal
    assert "expired" in str(await outsider.expect_answer())

    await organizer.command("/proposals")
    listing = await organizer.expect("1 proposal")
    assert "Жасыл мектептер" in listing.text
    await organizer.press("P-0001")
    card = await organizer.expect(lambda m: "Aigul Nurlanova" in m.text)
    assert "+77011234567" in card.text
    assert "SDG 4. Quality education" in card.text
    await organizer.press("✅ Accepted")
    await organizer.expect(lambda m: "Decision pending release: ✅ Accepted" in m.text)
    await organizer.press("📎 plan.pdf")
    document = await organizer.expect(lambda m: m.document is not None)
    assert document.document["file_name"] == "plan.pdf"
    # Not sent yet: the submitter hears nothing until the decisions are released.
    await organizer.press("💬 Comment")
    await organizer.expect("Send the comment")
    await organizer.send("Please bring it to the national forum.")
    await organizer.expect("The comment is saved for P-0001")
    await organizer.command("/proposals")
    await organizer.expect("1 decision pending release")
    await organizer.press("📣 Release decisions (1)")
    await organizer.expect("Release 1 decision?")
    await organizer.press("📣 Release")
    await organizer.expect("1 decision released. Messages delivered to submitters: 1.")

    notice = await user.expect("P-0001")
    assert "қабылданды" in notice.text  # Kazakh, the submitter's language
    assert "Please bring it to the national forum." in notice.text
    await user.command("/myproposals")
    mine = await user.expect("P-0001")
    assert kk._("Accepted") in mine.text
    assert not mine.buttons  # accepted: no longer withdrawable

    # Exports reach the organizer as files.
    await organizer.command("/proposals")
    await organizer.expect("1 proposal")
    await organizer.press("📊 XLSX")
    xlsx = await organizer.expect(lambda m: m.document is not None)
    assert xlsx.document["file_name"].endswith(".xlsx")
    await organizer.press("📄 Outcome report")
    await organizer.expect("In which language")
    await organizer.press("🇰🇿 Қазақша")
    docx = await organizer.expect(lambda m: m.document is not None)
    assert docx.document["file_name"].startswith("outcome-report-kk")


async def test_dialog_survives_sigkill_at_the_same_step(
    bot_process: BotProcess, make_user: Callable[..., SandboxUser]
) -> None:
    user = make_user(lang="ru")
    ru = t("ru")
    bot_process.extra_env["FLOOD_LIMIT"] = "500"
    await bot_process.start()
    await user.command("/propose")
    await user.expect("2018-11-v1", timeout=30)
    await user.press(ru._("✅ I agree"))
    await user.expect(ru._("What is the name of your organization?"))
    await user.send("Ақ ниет")
    await user.expect(ru._("What type of organization is it?"))
    await user.press(ru._("Initiative group without registration"))  # no BIN asked
    await user.expect(lambda m: ru._("Almaty Region") in m.buttons)
    await user.press(ru._("Shymkent"))
    await user.expect(
        ru._("Who is the contact person for this proposal? Please send their full name.")
    )

    await bot_process.kill()
    await bot_process.start()
    await user.send("Дана Серикова")  # the answer to the same step
    await user.expect("8 701 123 45 67", timeout=30)
    await user.send("87011234567")
    await user.expect(lambda m: ru._("Skip") in m.buttons)

    # Killed again, and this time the conversation state is gone too: the draft restores it.
    await bot_process.kill()
    with sqlite3.connect(bot_process.database_path) as db:
        db.execute("DELETE FROM conversations WHERE name = 'proposal'")
    await bot_process.start()
    await user.send("dana@example.kz")
    await user.expect(ru._("Which topic of the forum does your proposal belong to?"), timeout=30)
    await user.press(CONTENT.proposal_topics[2].title.get("ru"))
    await user.expect(lambda m: ru._("Done") in m.buttons)
    await user.press(sdg_label(ru, 17))
    await user.expect(lambda m: "✓ " + sdg_label(ru, 17) in m.buttons)
    await user.press(ru._("Done"))
    await user.expect("200")
    await user.send("Партнёрство акимата и НПО")
    await user.expect("3000")
    await user.send("Ежеквартальные встречи акимата с НПО города.")
    await user.expect("1000")
    await user.send("Помещение для встреч")
    await user.expect("20 МБ")
    await user.press(ru._("Skip"))
    review = await user.expect(ru._("Please check your proposal:"))
    for kept in (
        "Ақ ниет",
        "Шымкент",
        "Дана Серикова",
        "+77011234567",
        "dana@example.kz",
        ru._("not required for initiative groups"),
    ):
        assert kept in review.text
    await user.press(ru._("📨 Submit"))
    await user.expect("P-0001")
