"""The proposal dialog's rules as a submitter meets them: attachments checked by their bytes,
the limit of open proposals, and organizers told of a proposal even when the confirmation to
the submitter fails."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.harness import SandboxServer, SandboxUser, sandbox_settings
from bot.sandbox.world import Fault
from storage.proposals import Draft
from tests.e2e.test_review_flow import answers

REFUSED_FILE = "Only PDF, DOC or DOCX files can be attached"
ASK_FILE = "You may attach a document"


@pytest.fixture
def bot_settings(sandbox: SandboxServer, tmp_path: Path) -> Any:
    """Test users answer faster than any person: lift the flood guard."""
    return sandbox_settings(sandbox, tmp_path / "bot.db", flood_limit=500)


def docx(with_word: bool = True) -> bytes:
    """A minimal Word document (a zip with word/), or a zip that only claims to be one."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml" if with_word else "notes.txt", "<w:document/>")
    return buffer.getvalue()


async def at_step(bot_app: Any, user: SandboxUser, step: str) -> None:
    """The user has started the bot and has a draft answered up to ``step``."""
    services = bot_app.bot_data["services"]
    await user.command("/start")
    await user.expect("")
    data = answers("Green schools")
    if step == "attachment":
        del data["attachment"]
    draft = Draft(user.id, step, data)
    await services.repos.proposals.save_draft(draft, services.clock.now())


@pytest.mark.parametrize(
    ("content", "name", "mime", "accepted"),
    [
        (b"%PDF-1.7\n%test\n", "plan.pdf", "application/pdf", True),
        (bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 64, "plan.doc", "application/msword", True),
        (docx(), "plan.docx", "application/octet-stream", True),
        (b"MZ\x90\x00\x03" + b"\0" * 64, "evil.exe.pdf", "application/octet-stream", False),
        (b"MZ\x90\x00\x03" + b"\0" * 64, "plan.pdf", "application/pdf", False),
        (docx(with_word=False), "plan.docx", "application/zip", False),
        (b"<html>hello</html>", "plan.doc", "application/msword", False),
    ],
    ids=["pdf", "doc", "docx", "exe-named-pdf", "exe-as-pdf", "zip-named-docx", "html-as-doc"],
)
async def test_attachments_are_checked_by_their_first_bytes(
    bot_app: Any,
    make_user: Callable[..., SandboxUser],
    content: bytes,
    name: str,
    mime: str,
    accepted: bool,
) -> None:
    user = make_user(lang="en")
    await at_step(bot_app, user, "attachment")
    await user.command("/propose")
    await user.expect(ASK_FILE)
    await user.send_document(content, name, mime_type=mime)
    if accepted:
        review = await user.expect("Please check your proposal:")
        assert name in review.text
    else:
        refusal = await user.expect(REFUSED_FILE)
        assert ASK_FILE in refusal.text  # the question again


async def test_open_proposals_are_limited_and_organizers_hear_only_of_accepted_ones(
    bot_app: Any, make_user: Callable[..., SandboxUser]
) -> None:
    services = bot_app.bot_data["services"]
    assert services.settings.proposals_per_user_open == 3
    organizer = make_user(lang="en", organizer=True)  # a stored organizer, who would be told
    await organizer.command("/start")
    await organizer.expect("")
    user = make_user(lang="en")
    await user.command("/start")
    await user.expect("")
    for title in ("One", "Two"):
        await services.repos.proposals.submit(user.id, "en", answers(title), services.clock.now())
    await at_step(bot_app, user, "review")
    # A third proposal arrives from another device while this draft waits at the review.
    await services.repos.proposals.submit(user.id, "en", answers("Three"), services.clock.now())
    await services.repos.proposals.save_draft(
        Draft(user.id, "review", answers("Four")), services.clock.now()
    )
    # The waiting draft cannot be submitted: three are open.
    await user.command("/propose")
    await user.expect("Please check your proposal:")
    await user.press("📨 Submit")
    refusal = await user.expect("You already have 3 open proposals")
    assert "/myproposals" in refusal.text
    assert len(await services.repos.proposals.of_user(user.id)) == 3
    queued = await services.db.fetchval("SELECT COUNT(*) FROM outbox WHERE kind = 'proposal'")
    assert queued == 0  # no organizer was told of the refused one
    # Withdrawing one makes room again.
    await user.command("/myproposals")
    await user.expect("Your proposals:")
    await user.press("↩️ Withdraw P-0001")
    await user.expect("It will not be considered")
    await user.press("Yes, withdraw")
    await user.expect("has been withdrawn")
    await user.command("/propose")
    await user.expect("Please check your proposal:")
    await user.press("📨 Submit")
    await user.expect("Its reference number is P-0004")
    # The organizer hears of the accepted one, and only of it (so the 0 above was a real 0).
    await organizer.expect("📥 New proposal P-0004")
    assert await services.db.fetchval("SELECT COUNT(*) FROM outbox WHERE kind = 'proposal'") == 1
    # With three open and no draft, a new dialog does not even start.
    await user.command("/propose")
    await user.expect("You already have 3 open proposals")


async def test_a_failed_confirmation_still_notifies_the_organizers(
    bot_app: Any, sandbox: SandboxServer, make_user: Callable[..., SandboxUser]
) -> None:
    organizer = make_user(lang="en", organizer=True)
    await organizer.command("/start")
    await organizer.expect("")
    user = make_user(lang="en")
    await at_step(bot_app, user, "review")
    await user.command("/propose")
    await user.expect("Please check your proposal:")
    sandbox.world.add_fault(Fault("sendMessage", count=1, status=500))
    await user.press("📨 Submit")
    await organizer.expect("📥 New proposal P-0001")
