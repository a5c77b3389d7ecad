"""Anonymous means unlinkable, checked on the database file itself.

Once a person finishes an anonymous survey, nothing in the database (its file and write-ahead
log), the INFO logs or the exports ties the response to them, even for someone holding the
database and every secret of the bot (the token): the in-progress link is gone, the times are
the day only, the response id is random, no keyed hash of the person exists. While a response
is in progress the link exists (to resume), and /deleteme removes it with the answers.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.clock import Clock
from bot.sandbox import SandboxServer
from bot.sandbox.harness import sandbox_settings
from bot.services import results

ALMATY = ZoneInfo("Asia/Almaty")
DURING = datetime(2018, 11, 14, 17, 0, 7, tzinfo=ALMATY)


@pytest.fixture
def clock() -> Clock:
    return Clock(DURING, frozen=True)


@pytest.fixture
def bot_settings(sandbox: SandboxServer, tmp_path: Path) -> Any:
    return sandbox_settings(sandbox, tmp_path / "data" / "bot.db", flood_limit=500)


def old_anon_key(secret: str, survey_id: str, user_id: int) -> str:
    """The keyed hash main used to find anonymous responses (derived from the bot token)."""
    key = hashlib.sha256(("survey-anonymity:" + secret).encode()).digest()
    return hmac.new(key, f"{survey_id}:{user_id}".encode(), hashlib.sha256).hexdigest()


def snapshot(db_path: Path, into: Path) -> sqlite3.Connection:
    """A copy of the database file and its WAL as someone who takes them would have it."""
    into.mkdir()
    for suffix in ("", "-wal"):
        source = Path(str(db_path) + suffix)
        if source.exists():
            shutil.copy(source, into / (db_path.name + suffix))
    conn = sqlite3.connect(into / db_path.name)
    conn.row_factory = sqlite3.Row
    return conn


def rows_with(conn: sqlite3.Connection, value: object) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table holding ``value`` in some column."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    for table in tables:
        for row in conn.execute(f'SELECT * FROM "{table}"'):
            if value in tuple(row):
                found.setdefault(table, []).append(tuple(row))
    return found


async def erase(user: Any) -> None:
    await user.command("/deleteme")
    await user.expect("Erase all your data?")
    await user.press("Yes")
    await user.expect("Your data has been erased.")


async def answer_feedback(user: Any, services: Any, *, stop_after: int | None = None) -> None:
    survey = services.content.survey("feedback")
    text = {q.id: q.text.get("en") for q in survey.questions}
    option = {(q.id, o.id): o.text.get("en") for q in survey.questions for o in q.options}
    await user.command("/start", "survey_feedback")
    await user.expect(text["overall"])
    await user.press("4⭐")
    await user.expect(text["sector"])
    if stop_after == 2:
        await user.press(option[("sector", "ngo")])
        await user.expect(text["themes"])
        return
    await user.press(option[("sector", "ngo")])
    await user.expect(text["themes"])
    await user.press(option[("themes", "sdg")])
    await user.expect(lambda m: "☑ " + option[("themes", "sdg")] in m.buttons)
    await user.press("✅ Done")
    await user.expect(text["next_forum"])
    await user.press("9")
    await user.expect(text["improve"])
    await user.send("Please publish the slides")


async def test_finished_anonymous_response_is_unlinkable_on_the_database_file(
    sandbox: SandboxServer,
    bot_app: Any,
    bot_settings: Any,
    make_user: Any,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    services = bot_app.bot_data["services"]
    person = make_user(lang="en")
    await answer_feedback(person, services)
    summary = await person.expect("Thank you! Your answers to “Forum feedback” are saved.")
    assert "Please publish the slides" in summary.text  # shown to them this once
    assert "no longer be shown or changed" in summary.text
    halfway = make_user(lang="en")
    await answer_feedback(halfway, services, stop_after=2)

    # What a thief of the running bot's files gets.
    db_path = Path(bot_settings.database_path)
    conn = snapshot(db_path, tmp_path / "stolen")
    (finished,) = conn.execute(
        "SELECT * FROM survey_responses WHERE completed_at IS NOT NULL"
    ).fetchall()
    assert finished["user_id"] is None
    assert finished["id"] >= 1_000_000_000  # random: the row order says nothing
    times = [finished["started_at"], finished["updated_at"], finished["completed_at"]]
    times += [r[0] for r in conn.execute(
        "SELECT answered_at FROM survey_answers WHERE response_id = ?", (finished["id"],)
    )]  # fmt: skip
    assert all(t == DURING.astimezone(ZoneInfo("UTC")).date().isoformat() for t in times), times
    # The person's id is only in their profile and in "has finished this survey".
    assert set(rows_with(conn, person.id)) == {"users", "survey_anon_done"}
    for table in ("survey_anon_done",):
        for row in rows_with(conn, person.id)[table]:
            assert finished["id"] not in row
            assert finished["respondent"] not in row
    # No timestamp of the person's (to the second) equals one of the response's.
    person_times = {v for row in rows_with(conn, person.id).values() for r in row for v in r}
    assert not person_times & set(times)
    # Every secret of the bot: the token recomputes no key present anywhere in the files.
    raw = b"".join(p.read_bytes() for p in (tmp_path / "stolen").iterdir())
    token = bot_settings.bot_token.get_secret_value()
    for secret in (token, token.split(":", 1)[1]):
        assert old_anon_key(secret, "feedback", person.id).encode() not in raw
    # In progress, the link exists (so the other person can continue)...
    assert set(rows_with(conn, halfway.id)) >= {"survey_anon_progress", "answer_cursors"}
    conn.close()

    # Logs at INFO name neither the response nor the person.
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert finished["respondent"] not in logged
    assert str(finished["id"]) not in logged
    assert str(person.id) not in logged

    # Exports: the respondent token only; the lone "ngo" respondent's group is not named.
    survey = services.content.survey("feedback")
    rows = results.final_rows(await services.repos.surveys.export("feedback"))
    tr = services.i18n.get("en")
    book = load_workbook(io.BytesIO(results.xlsx_bytes(tr, survey, rows)))
    cells = {str(c) for sheet in book for line in sheet.iter_rows(values_only=True) for c in line}
    assert str(person.id) not in "".join(cells)
    assert "NGO / civil society" not in cells
    assert "fewer than 5 responses" in cells

    # ...and /deleteme removes it with the answers given so far.
    await erase(halfway)
    responses = await services.db.fetchval("SELECT COUNT(*) FROM survey_responses")
    assert responses == 1  # only the finished, unlinked one is left
    await halfway.command("/surveys")
    listing = await halfway.expect("Open surveys:")
    assert "Forum feedback — 5 questions" in listing.text

    # The review's case: after /deleteme and /start, the erased person's "done" is gone too,
    # and nothing they can open shows or changes the finished response.
    await erase(person)
    await person.command("/surveys")
    listing = await person.expect("Open surveys:")
    assert "✅ done" not in listing.text
    assert await services.db.fetchval("SELECT COUNT(*) FROM survey_anon_done") == 0
    (kept,) = await services.repos.surveys.export("feedback")
    assert kept.answers["improve"].value == "Please publish the slides"  # counted, unlinked
