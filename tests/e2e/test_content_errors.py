"""An organizer who uploads a broken content file reads what is wrong in their own language."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.sandbox.harness import SandboxServer, SandboxUser, sandbox_settings


@pytest.fixture
def bot_settings(sandbox: SandboxServer, tmp_path: Path, content_file: Path) -> Any:
    """The bot on a copy of the sample: an accepted upload must never touch the repository's."""
    return sandbox_settings(sandbox, tmp_path / "bot.db", forum_content=content_file)


def broken(content_file: Path) -> bytes:
    """The sample with a session in a track the file never lists, and a photo outside."""
    document = yaml.safe_load(content_file.read_text(encoding="utf-8"))
    document["sessions"][1]["track"] = "culture"
    document["speakers"][0]["photo"] = "../../secret.png"
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode("utf-8")


async def test_russian_organizer_reads_content_errors_in_russian(
    bot_app: Any, make_user: Callable[..., SandboxUser], content_file: Path
) -> None:
    content = bot_app.bot_data["services"].content
    organizer = make_user(lang="ru", organizer=True)
    await organizer.send_document(broken(content_file), "forum.yaml")
    reply = await organizer.expect("❌")
    known = ", ".join(sorted(t.id for t in content.tracks))
    assert "sessions[1].track" in reply.text
    assert (
        "неизвестное направление 'culture': в поле track сессии должен стоять идентификатор "
        "одного из направлений, перечисленных в разделе tracks: "
        f"(известные идентификаторы: {known})"
    ) in reply.text
    assert "'../../secret.png' должен быть файлом в папке с содержимым" in reply.text
    assert str(content_file.parent) not in reply.text
    assert "unknown" not in reply.text
    assert bot_app.bot_data["services"].content is content  # nothing applied


async def test_english_organizer_reads_the_same_errors_in_english(
    bot_app: Any, make_user: Callable[..., SandboxUser], content_file: Path
) -> None:
    organizer = make_user(lang="en", organizer=True)
    await organizer.send_document(broken(content_file), "forum.yaml")
    reply = await organizer.expect("❌")
    assert "unknown track 'culture': a session's track must be the id of one of the tracks" in (
        reply.text
    )
    assert "listed under tracks:" in reply.text


async def test_an_upload_that_cannot_be_saved_changes_nothing_and_says_why(
    bot_app: Any, make_user: Callable[..., SandboxUser], content_file: Path
) -> None:
    """A content folder the bot may not write (a read-only install) refuses the upload clearly."""
    content = bot_app.bot_data["services"].content
    before = content_file.read_bytes()  # noqa: ASYNC240 (a test's small local file)
    document = yaml.safe_load(before)
    document["sessions"][0]["title"] = "A new title"
    # The atomic replace writes forum.yaml.tmp first: a folder in its place makes it fail,
    # whoever runs the test (root may write into a read-only folder).
    (content_file.parent / "forum.yaml.tmp").mkdir()
    organizer = make_user(lang="ru", organizer=True)
    await organizer.send_document(
        yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode("utf-8"), "forum.yaml"
    )
    reply = await organizer.expect("❌")
    assert "(файл): не удаётся сохранить на сервере: " in reply.text
    assert str(content_file.parent) not in reply.text
    assert bot_app.bot_data["services"].content is content  # the running content stays
    assert content_file.read_bytes() == before  # noqa: ASYNC240 (the file is untouched)
