"""Agenda, /now, speakers, search, my agenda, deep links and content reload through the sandbox.

The bot's clock is frozen at moments of the sample forum's day (14 November 2018, Almaty):
before it opens, during a session, in a break and after it ends. The content file is a copy in
the test's folder, so a reload by upload never touches the bundled sample.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import icalendar
import pytest
import yaml

from bot.clock import Clock
from bot.content import load_content
from bot.sandbox import SandboxServer
from bot.sandbox.harness import ChatMessage, SandboxUser, sandbox_settings

# The same conversations with a webhook bot (the sandbox POSTs updates to it).
pytestmark = pytest.mark.both_update_modes

ALMATY = ZoneInfo("Asia/Almaty")
BEFORE = datetime(2018, 11, 13, 18, 0, tzinfo=ALMATY)
DURING = datetime(2018, 11, 14, 12, 10, tzinfo=ALMATY)  # three parallel sections
BREAK = datetime(2018, 11, 14, 11, 40, tzinfo=ALMATY)  # coffee break
AFTER = datetime(2018, 11, 14, 19, 0, tzinfo=ALMATY)
LANGS = ("kk", "ru", "en")
EMPTY_MY = (
    "⭐ Your agenda is empty.\n\nOpen /agenda, tap a session and then "
    "“⭐ Add to my agenda”. You will find it here, with reminders before it starts."
)


@pytest.fixture
def clock() -> Clock:
    return Clock(DURING, frozen=True)


@pytest.fixture
def bot_settings(sandbox: SandboxServer, tmp_path: Path, content_file: Path) -> Any:
    return sandbox_settings(
        sandbox, tmp_path / "bot.db", flood_limit=500, forum_content=content_file
    )


def services_of(bot_app: Any) -> Any:
    return bot_app.bot_data["services"]


def button_data(message: ChatMessage, text: str) -> str:
    for row in message.inline_keyboard:
        for button in row:
            if text in button["text"]:
                return str(button.get("callback_data") or button.get("url"))
    raise AssertionError(f"no button with {text!r} in {message.buttons}")


def events(data: bytes) -> dict[str, Any]:
    calendar = icalendar.Calendar.from_ical(data)
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Almaty"]
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


def utc(event: Any, name: str) -> datetime:
    return event.decoded(name).astimezone(UTC)


@pytest.mark.parametrize("lang", LANGS)
async def test_agenda_card_star_ics_and_track_filter(
    bot_app: Any, make_user: Callable[..., SandboxUser], lang: str
) -> None:
    services = services_of(bot_app)
    t = services.i18n.get(lang)
    forum = services.content
    sdg = forum.session("sdg")
    user = make_user(lang=lang)

    await user.command("/agenda")
    listing = await user.expect(t.day(sdg.starts))
    # The three parallel sections sit together under one time slot.
    slot = listing.text.split("12:00–13:30")[1].split("\n\n")[0]
    for sid in ("institutions", "sdg", "volunteering"):
        assert forum.session(sid).room.get(lang) in slot
    assert len(listing.text) <= 4096

    await user.press(f"12:00 · {sdg.title.get(lang)[:20]}")
    card = await user.expect(sdg.room.get(lang))
    assert card.message_id == listing.message_id  # edited in place
    assert t.day(sdg.starts) in card.text
    assert "12:00–13:30" in card.text
    assert forum.track("sdg").title.get(lang) in card.text
    assert t._("Panel discussion") in card.text
    assert forum.speaker("pikkat").name.get(lang) in " ".join(card.buttons)
    assert button_data(card, t._("⭐ Rate this session")) == "rate:open:sdg"  # it has started
    assert "start=session_sdg" in unquote(button_data(card, t._("🔗 Share")))

    await user.press(t._("⭐ Add to my agenda"))
    assert (await user.expect_answer())["text"] == t._("Added to my agenda: /my")
    starred = await user.expect(t._("⭐ In my agenda"))
    assert t._("✖ Remove from my agenda") in starred.buttons
    assert await services.repos.stars.sessions_of(user.id) == ["sdg"]

    await user.press(t._("📅 To calendar"))
    document = await user.expect(lambda m: m.document is not None)
    assert document.document["file_name"] == "almaty-2018-sdg.ics"
    event = events(user.download(document))["sdg@almaty-2018"]
    assert utc(event, "dtstart") == datetime(2018, 11, 14, 6, 0, tzinfo=UTC)
    assert utc(event, "dtend") == datetime(2018, 11, 14, 7, 30, tzinfo=UTC)
    assert str(event["summary"]) == sdg.title.get(lang)

    # Back to the list, filter by a track: only that track's sessions remain.
    await user.press(t._("◀ Agenda"), message=starred)
    await user.expect(lambda m: m.message_id == listing.message_id and "12:00–13:30" in m.text)
    await user.press(t._("🏷 Filter by track"))
    await user.expect(t._("📅 <b>{day}</b>\nChoose a track:").split("\n")[-1])
    await user.press(forum.track("partnership").title.get(lang))
    filtered = await user.expect(forum.session("public_councils").title.get(lang)[:20])
    assert forum.session("sdg").title.get(lang) not in filtered.text
    assert t._("✖ All tracks") in filtered.buttons


async def test_now_before_during_break_and_after_in_each_language(
    bot_app: Any, make_user: Callable[..., SandboxUser], clock: Clock
) -> None:
    services = services_of(bot_app)
    forum = services.content
    users = {lang: make_user(lang=lang) for lang in LANGS}
    for moment, check in (
        (BEFORE, "before"),
        (DURING, "during"),
        (BREAK, "break"),
        (AFTER, "after"),
    ):
        clock.set(moment, frozen=True)
        for lang, user in users.items():
            t = services.i18n.get(lang)
            await user.command("/now")
            said = await user.expect("")
            text = said.text
            if check == "before":
                assert t.relative(forum.sessions[0].starts - moment) in text  # "in 15 hours"
                assert forum.forum.venue.get(lang) in text
                assert forum.session("registration").title.get(lang)[:15] in text
            elif check == "during":
                assert t.relative(forum.session("sdg").starts - DURING) in text  # 10 min ago
                for sid in ("institutions", "sdg", "volunteering"):
                    assert forum.session(sid).title.get(lang)[:15] in text
                assert forum.session("partnership").title.get(lang)[:15] in text  # Hall A next
            elif check == "break":
                assert t._("☕ Break until {time}.").format(time="12:00") in text
                assert t.relative(forum.session("sdg").starts - BREAK) in text  # in 20 min
            else:
                assert text == t._(
                    "The forum is over. Thank you for taking part! Surveys may still be open: "
                    "/surveys"
                )


@pytest.mark.parametrize("lang", LANGS)
async def test_speakers_list_photo_card_text_card_and_deep_links(
    bot_app: Any, make_user: Callable[..., SandboxUser], lang: str
) -> None:
    services = services_of(bot_app)
    forum = services.content
    t = services.i18n.get(lang)
    galimova, akimat = forum.speaker("galimova"), forum.speaker("akimat")
    user = make_user(lang=lang)

    await user.command("/speakers")
    listing = await user.expect(t._("🎤 <b>Speakers</b>").replace("<b>", "").replace("</b>", ""))
    assert galimova.name.get(lang) in listing.buttons
    await user.press("▶")
    second = await user.expect(lambda m: m.message_id == listing.message_id and m.edited)
    assert forum.speakers[-1].name.get(lang) in second.buttons
    await user.press("◀")
    await user.expect(lambda m: galimova.name.get(lang) in m.buttons)

    await user.press(galimova.name.get(lang))
    photo = await user.expect(lambda m: m.photo is not None)
    assert galimova.position.get(lang)[:20] in photo.text
    assert len(photo.text) <= 1024
    assert forum.session("opening").title.get(lang)[:20] in " ".join(photo.buttons)

    await user.press(akimat.name.get(lang), message=listing)
    text_card = await user.expect(akimat.position.get(lang)[:20])
    assert text_card.photo is None
    # A session button on the photo card opens the session card as a new message.
    await user.press(f"10:00 · {forum.session('opening').title.get(lang)[:20]}", message=photo)
    await user.expect(forum.session("opening").room.get(lang))

    await user.command("/start", "speaker_pikkat")
    pikkat = await user.expect(lambda m: m.photo is not None)
    assert forum.speaker("pikkat").name.get(lang) in pikkat.text
    await user.command("/start", "session_closing")
    await user.expect(forum.session("closing").title.get(lang)[:20])
    await user.command("/start", "session_nonexistent")
    await user.expect(t._("This session is no longer in the programme."))


async def test_search_in_three_languages(
    bot_app: Any, make_user: Callable[..., SandboxUser]
) -> None:
    services = services_of(bot_app)
    forum = services.content
    kk, ru, en = (make_user(lang=lang) for lang in LANGS)

    await kk.send("тұрақты даму")  # Kazakh letters, lower case
    found = await kk.expect("🔎")
    assert any(forum.session("sdg").title.get("kk")[:20] in b for b in found.buttons)
    await kk.press(forum.session("sdg").title.get("kk")[:20])
    await kk.expect(forum.session("sdg").room.get("kk"))

    await ru.send("ВОЛОНТЕРСТВО")  # ё typed as е, upper case
    found = await ru.expect("🔎")
    assert any(forum.session("volunteering").title.get("ru")[:20] in b for b in found.buttons)

    await en.send("galimova")
    found = await en.expect("🔎")
    assert "🎤 " + forum.speaker("galimova").name.get("en") in found.buttons

    await en.send("quantum teleportation")
    nothing = await en.expect("Nothing found")
    assert "/agenda" in nothing.text
    assert not nothing.buttons


async def test_my_agenda_in_time_order_with_clashes_and_one_ics(
    bot_app: Any, make_user: Callable[..., SandboxUser]
) -> None:
    services = services_of(bot_app)
    forum = services.content
    for lang in LANGS:
        t = services.i18n.get(lang)
        user = make_user(lang=lang)
        await user.command("/my")
        empty = await user.expect(EMPTY_MY[:12] if lang == "en" else t._(EMPTY_MY)[:12])
        assert button_data(empty, t._("⏰ Reminders")) == "rem:menu"
        for sid in ("closing", "institutions", "sdg"):
            await user.command("/start", f"session_{sid}")
            await user.expect(forum.session(sid).room.get(lang))
            await user.press(t._("⭐ Add to my agenda"))
            await user.expect(t._("⭐ In my agenda"))
        await user.command("/my")
        mine = await user.expect(
            t.ngettext("⭐ <b>My agenda</b>: {n} session", "⭐ <b>My agenda</b>: {n} sessions", 3)
            .format(n=3)
            .replace("<b>", "")
            .replace("</b>", "")
        )
        text = mine.text
        titles = [forum.session(s).title.get(lang)[:20] for s in ("institutions", "sdg", "closing")]
        positions = [text.index(title) for title in titles]
        assert positions == sorted(positions)  # time order, not starring order
        assert text.count(t._("⚠️ Clashes with: {titles}").split("{")[0]) == 2
        assert button_data(mine, t._("⏰ Reminders")) == "rem:menu"

        await user.press(t._("📅 All to calendar (.ics)"))
        document = await user.expect(lambda m: m.document is not None)
        found = events(user.download(document))
        assert set(found) == {f"{s}@almaty-2018" for s in ("institutions", "sdg", "closing")}
        closing = found["closing@almaty-2018"]
        assert utc(closing, "dtstart") == datetime(2018, 11, 14, 10, 45, tzinfo=UTC)
        assert utc(closing, "dtend") == datetime(2018, 11, 14, 12, 0, tzinfo=UTC)


def _upload(content_file: Path, change: Callable[[dict[str, Any]], None]) -> bytes:
    document = yaml.safe_load(content_file.read_text(encoding="utf-8"))
    change(document)
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode("utf-8")


async def test_reload_by_upload_keeps_stars_and_answers_stale_buttons(
    bot_app: Any, make_user: Callable[..., SandboxUser], content_file: Path
) -> None:
    services = services_of(bot_app)
    forum = services.content
    organizer = make_user(lang="ru", organizer=True)
    attendee = make_user(lang="kk")
    t_kk = services.i18n.get("kk")

    # The attendee stars two sessions and keeps the card of the one that will be cancelled.
    for sid in ("sdg", "volunteering"):
        await attendee.command("/start", f"session_{sid}")
        await attendee.expect(forum.session(sid).room.get("kk"))
        await attendee.press(t_kk._("⭐ Add to my agenda"))
        await attendee.expect(t_kk._("⭐ In my agenda"))
    old_card = attendee.last_message
    assert old_card is not None

    # A non-organizer may not reload; a broken file is refused and nothing changes.
    await attendee.command("/reload")
    await attendee.expect(t_kk._("This is only for the forum's organizers."))
    broken = _upload(content_file, lambda d: d["sessions"][0].update(ends="2018-11-14 08:00"))
    await organizer.send_document(broken, "forum.yaml")
    refused = await organizer.expect("❌")
    assert "sessions[0].ends" in refused.text
    assert services.content is forum

    def change(document: dict[str, Any]) -> None:
        sessions = {s["id"]: s for s in document["sessions"]}
        sessions["sdg"]["starts"] = "2018-11-14 12:30"
        sessions["partnership"]["room"] = {"kk": "D залы", "ru": "Зал D", "en": "Hall D"}
        document["sessions"] = [s for s in document["sessions"] if s["id"] != "volunteering"]

    await organizer.send_document(_upload(content_file, change), "forum.yaml")
    applied = await organizer.expect("✅")
    t_ru = services.i18n.get("ru")
    assert t_ru.pgettext("session change", "cancelled") in applied.text
    assert t_ru._("moved") in applied.text
    assert services.content is not forum
    assert services.content.session("volunteering") is None
    recorded = {c.session_id: c.kind for c in await services.repos.content_changes.all()}
    assert recorded == {"sdg": "moved", "partnership": "reroomed", "volunteering": "cancelled"}
    assert load_content(content_file).session("volunteering") is None  # a restart keeps it

    # The stale card's buttons answer politely; the surviving star is still there.
    await attendee.press(t_kk._("✖ Remove from my agenda"), message=old_card)
    answer = await attendee.expect_answer()
    assert answer["text"] == t_kk._("This session is no longer in the programme.")
    await attendee.press_data(old_card, "ag:open:volunteering")
    assert (await attendee.expect_answer())["text"] == answer["text"]
    await attendee.command("/my")
    mine = await attendee.expect(services.content.session("sdg").title.get("kk")[:20])
    assert "12:30–13:30" in mine.text
    assert forum.session("volunteering").title.get("kk")[:20] not in mine.text

    # /reload of the (now replaced) file finds nothing new.
    await organizer.command("/reload")
    again = await organizer.expect("✅")
    assert t_ru._("No session was added, moved, renamed or cancelled.") in again.text


@pytest.fixture
def big_two_day_file(content_file: Path) -> Path:
    """Two days; the second has 40 parallel workshops, far more than one message holds."""
    document = yaml.safe_load(content_file.read_text(encoding="utf-8"))
    document["forum"]["ends"] = "2018-11-15"
    for i in range(40):
        hour = 9 + i // 5
        document["sessions"].append(
            {
                "id": f"w{i:02d}",
                "title": f"Workshop {i:02d}: " + "civic participation in practice " * 3,
                "kind": "workshop",
                "starts": f"2018-11-15 {hour:02d}:00",
                "ends": f"2018-11-15 {hour:02d}:50",
                "room": f"Room {i % 5}",
            }
        )
    content_file.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return content_file


async def test_two_day_forum_day_picker_pages_and_now_between_days(
    sandbox: SandboxServer, tmp_path: Path, big_two_day_file: Path, clock: Clock
) -> None:
    from bot.sandbox.harness import new_user, start_bot, stop_bot

    settings = sandbox_settings(
        sandbox, tmp_path / "two.db", flood_limit=500, forum_content=big_two_day_file
    )
    app = await start_bot(sandbox, settings, clock)
    try:
        user = new_user(sandbox.world, "en")
        await user.command("/agenda")
        picker = await user.expect("Choose a day:")
        assert picker.buttons == ["📍 Wednesday, 14 November", "Thursday, 15 November"]
        await user.press("Thursday, 15 November")
        page = await user.expect("Page 1 of")
        pages = int(page.text.split("Page 1 of ")[1].split()[0])
        assert pages >= 2
        seen = set(page.buttons)
        for number in range(2, pages + 1):
            await user.press("Later ▶")
            page = await user.expect(f"Page {number} of {pages}")
            assert len(page.text) <= 4096
            assert page.message_id == picker.message_id
            seen |= set(page.buttons)
        assert sum(b.split(" · ")[1].startswith("Workshop") for b in seen if " · " in b) == 40
        await user.press("📆 Other days")
        await user.expect("Choose a day:")

        clock.set(datetime(2018, 11, 14, 20, 0, tzinfo=ALMATY), frozen=True)
        await user.command("/now")
        between = await user.expect("Nothing is on right now.")
        assert "Next: Thursday, 15 November, 09:00 — in 13 hours" in between.text
    finally:
        await stop_bot(sandbox, app)
