"""Forum content: the bundled sample, every kind of error with its path, fallbacks, lookups."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pydantic
import pytest

from bot.check_content import check_content_main
from bot.content import (
    ID_PATTERN,
    LANGUAGES,
    ContentError,
    Forum,
    ForumMeta,
    Link,
    LocalizedText,
    Option,
    ProposalTopic,
    Question,
    Session,
    Speaker,
    Survey,
    Track,
    load_content,
    parse_content,
    summarize,
)

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "content" / "forum.yaml"
FIXTURES = Path(__file__).parent / "fixtures" / "content"
ALMATY = ZoneInfo("Asia/Almaty")


@pytest.fixture(scope="module")
def sample() -> Forum:
    return load_content(SAMPLE)


def errors_of(path: Path) -> list[tuple[str, str]]:
    with pytest.raises(ContentError) as caught:
        load_content(path)
    return caught.value.errors


# -- the bundled sample -----------------------------------------------------------------------


def test_sample_loads_with_expected_counts(sample: Forum) -> None:
    assert sample.forum.id == "almaty-2018"
    assert sample.forum.name.get("en") == "XI Almaty Civil Society Forum"
    assert sample.forum.name.get("kk") == "XI Алматы азаматтық форумы"
    assert (sample.forum.starts, sample.forum.ends) == (date(2018, 11, 14), date(2018, 11, 14))
    assert sample.forum.tz == ALMATY
    assert sample.forum.default_language == "ru"
    assert len(sample.speakers) == 11
    assert len(sample.sessions) == 12
    assert len(sample.tracks) == 4
    assert len(sample.surveys) == 2
    assert sum(len(s.questions) for s in sample.surveys) == 8
    assert len(sample.proposal_topics) == 6
    assert sample.days() == [date(2018, 11, 14)]


def test_sample_is_complete_in_three_languages_without_warnings(sample: Forum) -> None:
    assert sample.warnings == []
    assert sample.languages_covered == LANGUAGES
    assert sample.translation_gaps == {"kk": 0, "ru": 0, "en": 0}


def test_sample_programme_shape(sample: Forum) -> None:
    starts = [s.starts for s in sample.sessions]
    assert starts == sorted(starts)
    first, last = sample.sessions[0], sample.sessions[-1]
    assert first.kind == "registration"
    assert first.starts == datetime(2018, 11, 14, 9, 0, tzinfo=ALMATY)
    assert last.ends == datetime(2018, 11, 14, 18, 0, tzinfo=ALMATY)
    # Two slots of three parallel sections, each in its own room.
    for hour in (12, 14):
        parallel = sample.sessions_at(datetime(2018, 11, 14, hour, 45, tzinfo=ALMATY))
        assert len(parallel) == 3
        assert len({s.room for s in parallel}) == 3
    kinds = {s.kind for s in sample.sessions}
    assert {"registration", "plenary", "panel", "workshop", "break", "networking"} <= kinds


def test_sample_named_speakers_and_roles(sample: Forum) -> None:
    galimova = sample.speaker("galimova")
    assert galimova is not None
    assert galimova.name.get("en") == "Aliya Galimova"
    assert "Civil Society" in galimova.position.get("en")
    pikkat = sample.speaker("pikkat")
    assert pikkat is not None
    assert "UNESCO" in pikkat.position.get("en")
    assert [s.id for s in sample.sessions_of_speaker("galimova")] == [
        "opening",
        "partnership",
        "closing",
    ]


def test_sample_photos_are_resolved_existing_files(sample: Forum) -> None:
    photos = [s.photo for s in sample.speakers if s.photo is not None]
    assert len(photos) == 2
    for photo in photos:
        assert photo.is_absolute()
        assert photo.is_file()
        assert photo.read_bytes().startswith(b"\x89PNG")


def test_sample_surveys_cover_every_question_type(sample: Forum) -> None:
    feedback = sample.survey("feedback")
    followup = sample.survey("councils_followup")
    assert feedback is not None
    assert followup is not None
    assert feedback.anonymous is True
    assert followup.anonymous is False
    types = {q.type for s in sample.surveys for q in s.questions}
    assert types == {"single", "multi", "rating", "scale", "text"}
    scale = feedback.question("next_forum")
    assert scale is not None
    assert scale.scale == range(0, 11)
    rating = feedback.question("overall")
    assert rating is not None
    assert rating.scale == range(1, 6)
    # A follow-up opens when its session ends.
    opens, closes = sample.survey_window(followup)
    assert opens == datetime(2018, 11, 14, 16, 0, tzinfo=ALMATY)
    assert closes is not None
    assert not sample.survey_is_open(followup, opens - timedelta(minutes=1))
    assert sample.survey_is_open(followup, opens)
    assert not sample.survey_is_open(followup, closes)


def test_sample_ids_fit_callback_data_and_deep_links(sample: Forum) -> None:
    ids = [sample.forum.id]
    ids += [t.id for t in sample.tracks] + [s.id for s in sample.speakers]
    ids += [s.id for s in sample.sessions] + [s.id for s in sample.surveys]
    ids += [t.id for t in sample.proposal_topics]
    for survey in sample.surveys:
        for question in survey.questions:
            ids += [question.id, *(o.id for o in question.options)]
    for item in ids:
        assert ID_PATTERN.fullmatch(item), item
    for session in sample.sessions:
        assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", f"session_{session.id}")


def test_sample_sessions_are_in_forum_time_with_utc(sample: Forum) -> None:
    opening = sample.session("opening")
    assert opening is not None
    assert opening.starts.tzinfo == ALMATY
    # Almaty was UTC+6 in 2018 (UTC+5 only since 2024).
    assert opening.starts_utc == datetime(2018, 11, 14, 4, 0, tzinfo=UTC)
    assert opening.ends_utc == datetime(2018, 11, 14, 5, 30, tzinfo=UTC)
    assert opening.duration == timedelta(minutes=90)
    assert opening.day == date(2018, 11, 14)
    assert opening.people == ("moderator", "akimat", "galimova", "pikkat", "civil_alliance")


def test_fingerprint_and_source_path(sample: Forum) -> None:
    assert sample.fingerprint == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    assert sample.source_path == SAMPLE


def test_loaded_content_is_immutable(sample: Forum) -> None:
    with pytest.raises(pydantic.ValidationError):
        sample.sessions[0].title = LocalizedText("x")
    with pytest.raises(pydantic.ValidationError):
        sample.forum.id = "other"
    with pytest.raises(AttributeError):
        sample.forum.name._texts = {}
    assert isinstance(sample.sessions, tuple)
    sample.warnings.append("changed")
    assert sample.warnings == []


# -- one broken file per kind of error ----------------------------------------------------------


def test_minimal_fixture_is_valid() -> None:
    forum = load_content(FIXTURES / "minimal.yaml")
    assert [s.id for s in forum.sessions] == ["opening", "panel"]
    assert forum.warnings == []


@pytest.mark.parametrize(
    ("name", "path", "message"),
    [
        ("yaml", "line 32, column 17", "mapping values are not allowed here"),
        ("unknown_speaker", "sessions[0].speakers[1]", "unknown speaker 'carol'"),
        ("unknown_after_session", "surveys[0].after_session", "unknown session 'closing'"),
        ("duplicate_id", "sessions[1].id", "duplicate id 'opening' (already used by sessions[0])"),
        ("ends_before_starts", "sessions[1].ends", "must be after starts (2018-11-14 11:30)"),
        ("outside_dates", "sessions[1].starts", "outside the forum dates"),
        ("timezone", "forum.timezone", "unknown time zone 'Asia/Almata'"),
        ("missing_field", "sessions[1].room", "required field is missing"),
        ("options_missing", "surveys[0].questions[0].options", "needs at least 2 options"),
        ("bad_id", "sessions[1].id", "'Panel Discussion' is not a valid id"),
        ("missing_photo", "speakers[1].photo", "file not found: photos/bob.png"),
        ("empty", "(file)", "the file is empty"),
        ("not_mapping", "(file)", "the top level must be a mapping"),
    ],
)
def test_broken_file_reports_exact_path(name: str, path: str, message: str) -> None:
    errors = errors_of(FIXTURES / f"broken_{name}.yaml")
    assert len(errors) == 1, errors
    assert errors[0][0] == path
    assert message in errors[0][1]


def test_missing_file() -> None:
    errors = errors_of(FIXTURES / "no_such_file.yaml")
    assert errors == [("(file)", f"file not found: {FIXTURES / 'no_such_file.yaml'}")]


def test_duplicate_yaml_key_is_an_error() -> None:
    with pytest.raises(ContentError) as caught:
        parse_content("forum:\n  id: a\n  id: b\n")
    assert caught.value.errors == [("line 3, column 3", "YAML syntax: duplicate key 'id'")]


def test_not_utf8() -> None:
    with pytest.raises(ContentError) as caught:
        parse_content(b"forum: \xff\n")
    assert caught.value.errors[0][0] == "(file)"
    assert "UTF-8" in caught.value.errors[0][1]


MINIMAL = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")


def edited(*replacements: tuple[str, str]) -> str:
    text = MINIMAL
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


@pytest.mark.parametrize(
    ("replacements", "path", "message"),
    [
        (
            [("  default_language: en", "  default_language: de")],
            "forum.default_language",
            "must be 'kk', 'ru' or 'en' (got 'de')",
        ),
        ([("    room: Hall\n", "    rooom: Hall\n")], "sessions[0].rooom", "unknown field"),
        (
            [("    kind: panel", "    kind: lecture")],
            "sessions[1].kind",
            "must be 'registration', 'plenary', 'panel', 'workshop', 'break' or 'networking'",
        ),
        (
            [("    ends: 2018-11-14 13:00", "    ends: soon")],
            "sessions[1].ends",
            "expected a local date and time like '2018-11-14 10:00' (got 'soon')",
        ),
        (
            [("    track: main", "    track: other")],
            "sessions[1].track",
            "unknown track 'other': a session's track must be the id of one of the tracks listed "
            "under tracks: (known ids: main)",
        ),
        (
            [("    moderators: [bob]", "    moderators: [dave]")],
            "sessions[0].moderators[0]",
            "unknown speaker 'dave'",
        ),
        (
            [
                (
                    "    after_session: opening",
                    "    opens: 2018-11-14 12:00\n    closes: 2018-11-14 11:00",
                )
            ],
            "surveys[0].closes",
            "closes (2018-11-14 11:00) must be after opens (2018-11-14 12:00)",
        ),
        (
            [
                (
                    "    after_session: opening",
                    "    opens: 2018-11-14 12:00\n    after_session: opening",
                )
            ],
            "surveys[0].after_session",
            "either opens or after_session",
        ),
        (
            [
                (
                    "        required: false",
                    "        required: false\n        options: [{id: a, text: A}]",
                )
            ],
            "surveys[0].questions[1].options",
            "options are only for single and multi questions",
        ),
        (
            [("        type: text", "        type: rating\n        max_length: 10")],
            "surveys[0].questions[1].max_length",
            "only for text questions",
        ),
        (
            [("        type: text", "        type: scale\n        min: 1\n        max: 20")],
            "surveys[0].questions[1].max",
            "at most min + 10",
        ),
        (
            [("    title: Panel", "    title: {de: Podium}")],
            "sessions[1].title",
            "unknown language 'de'",
        ),
        (
            [("    title: Panel", "    title: yes")],
            "sessions[1].title",
            "got a yes/no value (put the text in quotes)",
        ),
        (
            [("  ends: 2018-11-14\n", "  ends: 2018-11-13\n")],
            "forum.ends",
            "the forum ends (2018-11-13) before it starts (2018-11-14)",
        ),
        (
            [
                (
                    "    bio: Studies NGOs.\n",
                    "    bio: Studies NGOs.\n    links: [{title: Site, url: example.org}]\n",
                )
            ],
            "speakers[0].links[0].url",
            "must be a link starting with https://",
        ),
        (
            [("    ends: 2018-11-14 13:00", "    ends: 2018-11-15 01:00")],
            "sessions[1].ends",
            "2018-11-15 01:00 is after the forum ends",
        ),
        (
            [("      - id: comment", "      - id: liked")],
            "surveys[0].questions[1].id",
            "duplicate id 'liked'",
        ),
    ],
)
def test_more_errors_with_paths(
    replacements: list[tuple[str, str]], path: str, message: str
) -> None:
    with pytest.raises(ContentError) as caught:
        parse_content(edited(*replacements))
    paths = [p for p, _ in caught.value.errors]
    assert path in paths, caught.value.errors
    assert message in dict(caught.value.errors)[path]


def test_survey_needs_questions() -> None:
    text = MINIMAL.split("    questions:")[0] + "    questions: []\n"
    with pytest.raises(ContentError) as caught:
        parse_content(text)
    assert caught.value.errors == [("surveys[0].questions", "needs at least 1 item")]


def test_all_structural_errors_are_reported_at_once() -> None:
    text = edited(
        ("  default_language: en", "  default_language: xx"),
        ("  - id: panel", "  - id: Panel"),
        ("    room: Hall\n    kind: panel", "    kind: panel"),
    )
    with pytest.raises(ContentError) as caught:
        parse_content(text)
    assert [p for p, _ in caught.value.errors] == [
        "forum.default_language",
        "sessions[1].id",
        "sessions[1].room",
    ]
    lines = str(caught.value).splitlines()
    assert len(lines) == 3
    assert lines[1].startswith("sessions[1].id: 'Panel' is not a valid id")


def test_id_slug_rules() -> None:
    long_id = "a" * 33
    with pytest.raises(ContentError) as caught:
        parse_content(edited(("  - id: panel", f"  - id: {long_id}")))
    assert caught.value.errors[0][0] == "sessions[1].id"
    forum = parse_content(edited(("  - id: panel", "  - id: panel-2_b")))
    assert forum.session("panel-2_b") is not None


# -- translations -----------------------------------------------------------------------------


def test_localized_fallback_and_warnings() -> None:
    forum = load_content(FIXTURES / "partial_translations.yaml")
    assert forum.warnings == [
        "forum.name: no kk text, using ru",
        "sessions[0].title: no kk text, using en",
        "sessions[0].title: no ru text, using en",
        "sessions[2].title: no en text, using ru",
    ]
    assert forum.languages_covered == ()
    assert forum.translation_gaps == {"kk": 2, "ru": 1, "en": 1}
    assert forum.forum.name.get("kk") == "Двухдневный форум"  # from the default, ru
    day2 = forum.session("day2")
    assert day2 is not None
    assert day2.title.as_dict() == {"kk": "Day two", "ru": "Day two", "en": "Day two"}
    day1 = forum.session("day1")
    assert day1 is not None
    assert day1.title.get("en") == "Первый день"
    assert day1.title.get("kk") == "Бірінші күн"
    assert day1.title.get("de") == "Первый день"  # unknown language: the default
    assert day1.title.explicit_languages == frozenset({"kk", "ru"})


def test_localized_text_basics() -> None:
    plain = LocalizedText("Hall")
    assert [plain.get(lang) for lang in LANGUAGES] == ["Hall", "Hall", "Hall"]
    assert str(plain) == "Hall"
    partial = LocalizedText({"ru": "Зал", "en": "Hall"})
    assert partial.get("kk") == "Зал"  # no default given: the first present language
    assert partial.get(None) == "Зал"
    assert partial.missing_languages == ("kk",)
    filled = partial.filled("en")
    assert filled.get("kk") == "Hall"
    assert str(filled) == "Hall"
    assert filled.get("xx") == "Hall"
    assert partial == LocalizedText({"en": "Hall", "ru": "Зал"})
    assert len({partial, LocalizedText({"en": "Hall", "ru": "Зал"})}) == 1
    assert "Зал" in repr(partial)
    with pytest.raises(ValueError, match="unknown languages"):
        LocalizedText({"de": "Saal"})
    with pytest.raises(ValueError, match="at least one language"):
        LocalizedText({"kk": ""})
    with pytest.raises(AttributeError):
        plain.x = 1


def test_localized_text_as_a_pydantic_field() -> None:
    class Card(pydantic.BaseModel):
        title: LocalizedText

    card = Card.model_validate({"title": {"kk": "Сәлем", "en": "Hello", "ru": "  "}})
    assert card.title.get("kk") == "Сәлем"
    assert card.title.missing_languages == ("ru",)
    assert Card(title=LocalizedText("x")).title.get("en") == "x"
    assert Card.model_validate({"title": 2018}).title.get("ru") == "2018"
    assert card.model_dump() == {"title": {"kk": "Сәлем", "en": "Hello"}}
    schema = Card.model_json_schema()
    assert "anyOf" in schema["properties"]["title"]
    with pytest.raises(pydantic.ValidationError) as caught:
        Card.model_validate({"title": {"en": None}})
    assert caught.value.errors()[0]["loc"] == ("title",)


# -- days and lookups ---------------------------------------------------------------------------


def test_days_and_sessions_on() -> None:
    forum = load_content(FIXTURES / "partial_translations.yaml")
    assert forum.days() == [date(2018, 11, 14), date(2018, 11, 15)]
    assert [s.id for s in forum.sessions] == ["day1", "day1_late", "day2"]
    assert [s.id for s in forum.sessions_on(date(2018, 11, 14))] == ["day1", "day1_late"]
    assert [s.id for s in forum.sessions_on(date(2018, 11, 15))] == ["day2"]
    assert forum.sessions_on(date(2018, 11, 16)) == []


def test_days_without_sessions_is_the_forum_range() -> None:
    text = MINIMAL.split("sessions:")[0].replace("  ends: 2018-11-14", "  ends: 2018-11-16")
    forum = parse_content(text)
    assert forum.sessions == ()
    assert forum.days() == [date(2018, 11, 14), date(2018, 11, 15), date(2018, 11, 16)]


def test_lookups(sample: Forum) -> None:
    assert sample.session("nope") is None
    assert sample.speaker("nope") is None
    assert sample.survey("nope") is None
    track = sample.track("sdg")
    assert track is not None
    assert track.title.get("en") == "Sustainable Development Goals"
    topic = sample.proposal_topic("public_councils")
    assert topic is not None
    assert sample.sessions_of_speaker("nobody") == []
    at_ten = datetime(2018, 11, 14, 10, 0, tzinfo=ALMATY)
    assert [s.id for s in sample.sessions_at(at_ten)] == ["opening"]
    assert [s.id for s in sample.next_sessions(at_ten, limit=1)] == ["coffee_morning"]
    nxt = [s.id for s in sample.next_sessions(at_ten.replace(hour=11, minute=45), limit=1)]
    assert nxt == ["institutions", "sdg", "volunteering"]


def test_times_in_another_time_zone_and_aware_input() -> None:
    text = edited(
        ("  default_language: en", "  timezone: Europe/Berlin\n  default_language: en"),
        ("    starts: 2018-11-14 10:00", "    starts: 2018-11-14T09:00:00+00:00"),
    )
    forum = parse_content(text)
    opening = forum.session("opening")
    assert opening is not None
    assert opening.starts == datetime(2018, 11, 14, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert opening.starts_utc == datetime(2018, 11, 14, 9, 0, tzinfo=UTC)


def test_overlap_warnings() -> None:
    text = edited(("    starts: 2018-11-14 11:30", "    starts: 2018-11-14 10:30"))
    forum = parse_content(text)
    assert forum.warnings == [
        "sessions[1]: overlaps sessions[0] ('opening') in the same room 'Hall'",
        "sessions[1]: 'alice' is also in sessions[0] ('opening') at that time",
    ]


def test_every_field_is_documented() -> None:
    readme = (ROOT / "content" / "README.md").read_text(encoding="utf-8")
    models = (ForumMeta, Track, Speaker, Link, Session, Survey, Question, Option, ProposalTopic)
    for model in models:
        for name in model.model_fields:
            assert f"`{name}`" in readme, f"{model.__name__}.{name} is not in content/README.md"
    for section in Forum.model_fields:
        assert f"`{section}`" in readme


# -- summary and check-content -----------------------------------------------------------------


def test_summarize(sample: Forum) -> None:
    text = summarize(sample)
    assert "XI Almaty Civil Society Forum [almaty-2018]" in text
    assert "Wed 14 Nov 2018, time zone Asia/Almaty (UTC+06:00)" in text
    assert "Almaty, hotel conference hall" in text
    assert "1 day, 12 sessions" in text
    assert "Speakers:   11 (2 with a photo)" in text
    assert "Surveys:    2 with 8 questions in all" in text
    assert "6 proposal topics" in text
    assert "kk, ru, en complete" in text
    assert "No warnings." in text


def test_check_content_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert check_content_main(SAMPLE) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{SAMPLE}: OK\n")
    assert "12 sessions" in out


def test_check_content_warnings_still_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert check_content_main(FIXTURES / "partial_translations.yaml") == 0
    out = capsys.readouterr().out
    assert "4 warnings:" in out
    assert "  sessions[2].title: no en text, using ru" in out
    assert "falling back: kk (2 gaps), ru (1 gap), en (1 gap)" in out


def test_check_content_errors(capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / "broken_ends_before_starts.yaml"
    assert check_content_main(path) == 2
    out = capsys.readouterr().out
    assert out.splitlines() == [
        f"1 error in {path}:",
        "  sessions[1].ends: ends (2018-11-14 11:00) must be after starts (2018-11-14 11:30)",
    ]


def test_check_content_several_errors_and_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        edited(
            ("  default_language: en", "  default_language: xx"), ("  - id: panel", "  - id: P")
        ),
        encoding="utf-8",
    )
    assert check_content_main(bad) == 2
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"2 errors in {bad}:"
    assert check_content_main(tmp_path / "none.yaml") == 2
    assert "file not found" in capsys.readouterr().out
