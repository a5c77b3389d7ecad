"""Timetable, now/next, clashes, search, .ics and the reload diff over the sample forum."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from bot.content import Forum, load_content, parse_content
from bot.resources import sample_content_path
from bot.services import agenda, calendar
from bot.services.content_reload import diff

ALMATY = ZoneInfo("Asia/Almaty")
DAY = date(2018, 11, 14)


def at(hour: int, minute: int = 0, day: int = 14) -> datetime:
    return datetime(2018, 11, day, hour, minute, tzinfo=ALMATY)


@pytest.fixture(scope="module")
def forum() -> Forum:
    return load_content(sample_content_path())


def test_slots_group_parallel_sessions_in_room_order(forum: Forum) -> None:
    slots = agenda.day_slots(forum, DAY)
    starts = [s.starts.strftime("%H:%M") for s in slots]
    assert starts == ["09:00", "10:00", "11:30", "12:00", "13:30", "14:30", "16:00", "16:45"]
    parallel = slots[3]
    assert [s.id for s in parallel.sessions] == ["institutions", "sdg", "volunteering"]
    assert parallel.ends == at(13, 30)
    assert [s.id for s in agenda.day_slots(forum, DAY, "partnership")[0].sessions] == [
        "partnership",
        "public_councils",
    ]
    assert agenda.tracks_on(forum, DAY) == ["institutions", "sdg", "partnership", "volunteering"]


def test_pages_keep_blocks_whole_under_the_limit() -> None:
    blocks = ["a" * 1000, "b" * 1000, "c" * 1000, "d" * 5000, "e"]
    pages = agenda.pack_pages(blocks, 2500)
    assert pages == [[0, 1], [2], [3], [4]]
    for page in pages[:2]:
        assert len("\n\n".join(blocks[i] for i in page)) <= 2500
    assert agenda.pack_pages([], 100) == [[]]


@pytest.mark.parametrize(
    ("moment", "state", "current", "upcoming"),
    [
        (at(8, 30), "before", [], ["registration"]),
        (at(10, 10), "during", ["opening"], ["coffee_morning"]),
        (at(11, 40), "break", ["coffee_morning"], ["institutions", "sdg", "volunteering"]),
        (at(12, 0), "during", ["institutions", "sdg", "volunteering"], ["lunch"]),
        (at(18, 0), "after", [], []),
    ],
)
def test_now_and_next(
    forum: Forum, moment: datetime, state: str, current: list[str], upcoming: list[str]
) -> None:
    info = agenda.now_next(forum, moment)
    assert info.state == state
    assert [r.current.id for r in info.rooms if r.current] == current
    assert [s.id for s in info.upcoming] == upcoming if state != "after" else not info.upcoming


def test_now_per_room_next_is_the_same_day(forum: Forum) -> None:
    info = agenda.now_next(forum, at(12, 10))
    rooms = {r.room.get("en"): r for r in info.rooms}
    assert rooms["Hall A"].current.id == "institutions"
    assert rooms["Hall A"].next.id == "partnership"
    assert rooms["Main hall"].current is None
    assert rooms["Main hall"].next.id == "closing"


def test_between_days_of_a_two_day_forum(two_day: Forum) -> None:
    info = agenda.now_next(two_day, at(20, 0))
    assert info.state == "between"
    assert info.rooms == ()
    assert {s.id for s in info.upcoming} == {"partnership", "public_councils", "recommendations"}


def test_clashes(forum: Forum) -> None:
    chosen = [forum.session(i) for i in ("sdg", "opening", "institutions", "lunch")]
    result = agenda.clashes([s for s in chosen if s])
    assert [s.id for s in result["sdg"]] == ["institutions"]
    assert [s.id for s in result["institutions"]] == ["sdg"]
    assert result["opening"] == []
    assert result["lunch"] == []


def test_fold_handles_case_yo_and_kazakh_letters() -> None:
    assert agenda.fold("ВолонтЁрство") == agenda.fold("волонтерство")
    assert agenda.fold("ҚАЗАҚСТАН") == agenda.fold("қазақстан") == agenda.fold("казакстан")
    assert agenda.fold("Тұрақты, даму!") == "турақты даму".replace("қ", "к")
    assert agenda.fold("  Әріптестік  ") == "ариптестик"


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("тұрақты", "sdg"),  # Kazakh, lower case, with ұ
        ("ТҰРАҚТЫ ДАМУ", "sdg"),
        ("волонтерство", "volunteering"),  # ё typed as е
        ("Sustainable", "sdg"),
        ("galimova", "galimova"),
        ("Галимова", "galimova"),
        ("ЮНЕСКО", "pikkat"),  # a speaker's position
        ("әріптестік", "opening"),
    ],
)
def test_search(forum: Forum, query: str, first: str) -> None:
    hits = agenda.SearchIndex.build(forum).search(query)
    assert hits, query
    assert first in [h.id for h in hits[:3]]


def test_search_nothing_and_too_short(forum: Forum) -> None:
    index = agenda.SearchIndex.build(forum)
    assert index.search("xyzzy") == []
    assert index.search("a") == []
    assert index.search("   ") == []


def test_search_index_is_built_once_per_content_version(forum: Forum, two_day: Forum) -> None:
    cache = agenda.SearchCache()
    first = cache.index(forum)
    assert cache.index(forum) is first
    assert cache.index(two_day) is not first


def test_ics_times_in_utc_with_timezone_and_stable_uids(forum: Forum) -> None:
    sessions = [forum.session("opening"), forum.session("sdg")]
    now = datetime(2018, 11, 1, tzinfo=UTC)
    data = calendar.sessions_ics(forum, [s for s in sessions if s], "kk", now)
    again = calendar.sessions_ics(forum, [s for s in sessions if s], "kk", now)
    assert data == again
    parsed = icalendar.Calendar.from_ical(data)
    assert [tz["tzid"] for tz in parsed.walk("VTIMEZONE")] == ["Asia/Almaty"]
    events = {str(e["uid"]): e for e in parsed.walk("VEVENT")}
    assert set(events) == {"opening@almaty-2018", "sdg@almaty-2018"}
    sdg = events["sdg@almaty-2018"]
    assert sdg.decoded("dtstart").astimezone(UTC) == datetime(2018, 11, 14, 6, 0, tzinfo=UTC)
    assert sdg.decoded("dtend").astimezone(UTC) == datetime(2018, 11, 14, 7, 30, tzinfo=UTC)
    assert "Тұрақты" in str(sdg["summary"])


def test_reload_diff(forum: Forum) -> None:
    new = edited(
        forum,
        moved="sdg",
        cancelled="volunteering",
        reroomed="partnership",
        retitled="closing",
        added="evening",
    )
    kinds = {c.session_id: c.kind for c in diff(forum, new)}
    assert kinds == {
        "sdg": "moved",
        "volunteering": "cancelled",
        "partnership": "reroomed",
        "closing": "retitled",
        "evening": "added",
    }
    assert diff(forum, forum) == []


# ---------------------------------------------------------------------------- helpers

import yaml  # noqa: E402


def _document() -> dict:
    return yaml.safe_load(sample_content_path().read_text(encoding="utf-8"))


def _parse(document: dict) -> Forum:
    return parse_content(
        yaml.safe_dump(document, allow_unicode=True, sort_keys=False),
        source_path=sample_content_path(),
    )


def edited(forum: Forum, **changes: str) -> Forum:
    """The sample forum with one session moved, cancelled, re-roomed, retitled and added."""
    document = _document()
    sessions = document["sessions"]
    by_id = {s["id"]: s for s in sessions}
    if "moved" in changes:
        by_id[changes["moved"]]["starts"] = "2018-11-14 12:15"
    if "reroomed" in changes:
        by_id[changes["reroomed"]]["room"] = {"kk": "D залы", "ru": "Зал D", "en": "Hall D"}
    if "retitled" in changes:
        by_id[changes["retitled"]]["title"] = "Closing"
    if "cancelled" in changes:
        document["sessions"] = [s for s in sessions if s["id"] != changes["cancelled"]]
        for survey in document.get("surveys", []):
            if survey.get("after_session") == changes["cancelled"]:
                survey.pop("after_session")
    if "added" in changes:
        document["sessions"].append(
            {
                "id": changes["added"],
                "title": "Evening reception",
                "kind": "networking",
                "starts": "2018-11-14 18:00",
                "ends": "2018-11-14 19:00",
                "room": "Foyer",
            }
        )
    return _parse(document)


@pytest.fixture(scope="module")
def two_day() -> Forum:
    document = _document()
    document["forum"]["ends"] = "2018-11-15"
    for session in document["sessions"]:
        if session["starts"] >= "2018-11-14 14:30":
            session["starts"] = session["starts"].replace("11-14", "11-15")
            session["ends"] = session["ends"].replace("11-14", "11-15")
    return _parse(document)


def test_two_day_forum_days(two_day: Forum) -> None:
    assert two_day.days() == [DAY, DAY + timedelta(days=1)]
    assert Path(str(two_day.source_path)).name == "forum.yaml"


def test_qr_for_a_session_and_a_speaker_without_a_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from PIL import Image

    from bot.__main__ import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    monkeypatch.setenv("BOT_USERNAME", "forum_bot")
    assert main(["qr", "session", "opening"]) == 0
    assert "https://t.me/forum_bot?start=session_opening" in capsys.readouterr().out
    with Image.open(tmp_path / "session-opening.png") as image:
        assert image.format == "PNG"
    out = tmp_path / "poster.png"
    assert main(["qr", "speaker", "pikkat", "--bot-username", "@other_bot", "-o", str(out)]) == 0
    assert "https://t.me/other_bot?start=speaker_pikkat" in capsys.readouterr().out
    assert out.read_bytes().startswith(b"\x89PNG")
