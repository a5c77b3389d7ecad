"""The control API: users act, tests and the page read and wait; plus PTB's own client."""

from __future__ import annotations

import asyncio
import base64

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from bot.sandbox import SandboxServer, SandboxWorld
from bot.sandbox.world import UserRecord
from tests.sandbox.conftest import Api
from tests.sandbox.test_bot_api import png


async def test_create_users_and_organizers(api: Api, world: SandboxWorld) -> None:
    status, body = await api.control(
        "POST",
        "users",
        json={"first_name": "Dana", "username": "dana", "language_code": "ru"},
    )
    assert status == 200
    dana = body["user"]
    assert dana["first_name"] == "Dana"
    assert dana["language_code"] == "ru"
    assert dana["organizer"] is False
    assert dana["id"] > 0
    status, body = await api.control("POST", "users", json={"first_name": "Org", "organizer": True})
    assert body["user"]["id"] == world.organizer_ids[0]
    assert body["user"]["organizer"] is True
    status, body = await api.control("POST", "users", json={"id": dana["id"]})
    assert status == 409
    status, body = await api.control("GET", "users")
    assert [u["first_name"] for u in body["users"]] == ["Dana", "Org"]
    status, body = await api.control("GET", "users/1")
    assert status == 404
    assert "error" in body


async def test_command_has_a_bot_command_entity(api: Api, user: UserRecord) -> None:
    status, body = await api.control(
        "POST", f"users/{user.id}/command", json={"command": "/start", "payload": "ref_42"}
    )
    assert status == 200
    message = body["message"]
    assert message["text"] == "/start ref_42"
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert message["from"]["language_code"] == "kk"
    update = (await api.ok("getUpdates"))[-1]
    assert update["message"] == message


async def test_send_text_document_photo_and_contact(api: Api, user: UserRecord) -> None:
    status, body = await api.control("POST", f"users/{user.id}/send", json={"text": "Hello"})
    assert status == 200
    assert "entities" not in body["message"]
    status, body = await api.control(
        "POST",
        f"users/{user.id}/document",
        json={
            "content_base64": base64.b64encode(b"my proposal").decode(),
            "file_name": "idea.txt",
            "mime_type": "text/plain",
            "caption": "see attached",
        },
    )
    assert status == 200, body
    assert body["message"]["document"]["file_name"] == "idea.txt"
    assert body["message"]["caption"] == "see attached"
    status, body = await api.control(
        "POST",
        f"users/{user.id}/photo",
        json={"content_base64": base64.b64encode(png()).decode()},
    )
    assert status == 200
    assert body["message"]["photo"][0]["width"] == 3
    status, body = await api.control(
        "POST", f"users/{user.id}/contact", json={"phone_number": "+77011234567"}
    )
    assert body["message"]["contact"]["user_id"] == user.id
    updates = await api.ok("getUpdates")
    kinds = [
        next(k for k in ("text", "document", "photo", "contact") if k in u["message"])
        for u in updates
    ]
    assert kinds == ["text", "document", "photo", "contact"]
    status, body = await api.control("POST", f"users/{user.id}/send", json={"text": " "})
    assert status == 400


async def test_press_sends_a_real_callback_query(api: Api, user: UserRecord) -> None:
    markup = {"inline_keyboard": [[{"text": "Yes", "callback_data": "poll:yes"}]]}
    sent = await api.ok("sendMessage", chat_id=user.id, text="Agree?", reply_markup=markup)
    status, body = await api.control(
        "POST", f"users/{user.id}/press", json={"message_id": sent["message_id"], "text": "Yes"}
    )
    assert status == 200
    assert body["data"] == "poll:yes"
    query = (await api.ok("getUpdates"))[-1]["callback_query"]
    assert query["id"] == body["callback_query_id"]
    assert query["message"]["text"] == "Agree?"
    assert query["chat_instance"]
    status, body = await api.control(
        "POST", f"users/{user.id}/press", json={"message_id": sent["message_id"], "text": "No"}
    )
    assert status == 404
    assert "Yes" in body["error"]


async def test_history_log_and_events(api: Api, user: UserRecord, world: SandboxWorld) -> None:
    start = world.last_seq
    world.send_text(user.id, "hi")
    sent = await api.ok("sendMessage", chat_id=user.id, text="v1")
    await api.ok("editMessageText", chat_id=user.id, message_id=sent["message_id"], text="v2")
    status, body = await api.control("GET", f"chats/{user.id}/history")
    assert status == 200
    assert [(m["outgoing"], m["message"]["text"]) for m in body["messages"]] == [
        (False, "hi"),
        (True, "v2"),
    ]
    status, body = await api.control("GET", f"chats/{user.id}/log")
    kinds = [(e["kind"], e["actor"]) for e in body["events"]]
    assert kinds[-3:] == [("message", "user"), ("message", "bot"), ("edit", "bot")]
    assert body["events"][-2]["message"]["text"] == "v1"  # the log keeps what was sent
    status, body = await api.control("GET", f"events?after={start}")
    assert [e["kind"] for e in body["events"]] == ["message", "message", "edit"]
    assert body["last_seq"] == world.last_seq


async def test_events_long_poll_wakes_on_bot_message(
    api: Api, user: UserRecord, world: SandboxWorld
) -> None:
    after = world.last_seq
    waiting = asyncio.ensure_future(
        api.control("GET", f"events?after={after}&chat_id={user.id}&timeout=30")
    )
    await asyncio.sleep(0)
    await api.ok("sendMessage", chat_id=user.id, text="news")
    _, body = await asyncio.wait_for(waiting, 10)
    assert body["events"][0]["message"]["text"] == "news"
    _status, body = await api.control("GET", f"events?after={world.last_seq}&timeout=0.01")
    assert body["events"] == []


async def test_next_waits_for_the_bot(api: Api, user: UserRecord, world: SandboxWorld) -> None:
    after = world.last_seq
    waiting = asyncio.ensure_future(
        api.control("GET", f"chats/{user.id}/next?after={after}&timeout=30")
    )
    await api.ok("sendChatAction", chat_id=user.id, action="typing")
    await api.ok("sendMessage", chat_id=user.id, text="reply")
    _, body = await asyncio.wait_for(waiting, 10)
    assert body["event"]["message"]["text"] == "reply"
    _status, body = await api.control(
        "GET", f"chats/{user.id}/next?after={world.last_seq}&timeout=0.01"
    )
    assert body == {"event": None, "timed_out": True}


async def test_block_and_unblock(api: Api, user: UserRecord) -> None:
    _status, body = await api.control("POST", f"users/{user.id}/block")
    assert body["user"]["blocked"] is True
    assert (await api.error("sendMessage", chat_id=user.id, text="x"))[0] == 403
    await api.control("POST", f"users/{user.id}/unblock")
    await api.ok("sendMessage", chat_id=user.id, text="x")


async def test_reset_keeps_ids_growing(api: Api, user: UserRecord, world: SandboxWorld) -> None:
    await api.ok("setMyCommands", commands=[{"command": "start", "description": "Start"}])
    world.send_text(user.id, "before")
    before = (await api.ok("getUpdates"))[-1]["update_id"]
    seq = world.last_seq
    status, _ = await api.control("POST", "reset")
    assert status == 200
    assert world.users == {}
    assert world.last_seq == seq
    assert await api.ok("getMyCommands")  # the bot's own settings stay
    again = world.add_user("Again", user_id=user.id)
    message = world.send_text(again.id, "after")
    assert message["message_id"] > 1
    assert (await api.ok("getUpdates"))[-1]["update_id"] > before


async def test_state_and_clock_without_bot(api: Api, world: SandboxWorld) -> None:
    status, body = await api.control("GET", "state")
    assert status == 200
    assert body["bot"]["is_bot"]
    assert body["clock"] is None
    status, body = await api.control("GET", "clock")
    assert status == 404


async def test_page_and_static_files_are_served(api: Api) -> None:
    async with api.session.get(api.server.url + "/") as response:
        assert response.status == 200
        assert "<html" in (await response.text()).lower()
    async with api.session.get(api.server.url + "/static/app.js") as response:
        assert response.status == 200


async def test_server_refuses_non_loopback_hosts() -> None:
    with pytest.raises(ValueError, match="loopback"):
        SandboxServer(host="0.0.0.0")


async def test_ptb_bot_requests_are_accepted(server: SandboxServer, user: UserRecord) -> None:
    """PTB's own HTTP client and encodings, end to end."""
    world = server.world
    bot = Bot(world.token, base_url=server.api_base_url, base_file_url=server.file_base_url)
    async with bot:
        me = await bot.get_me()
        assert me.username == world.bot_user["username"]
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton("✅ Yes", callback_data="vote:yes")]]
        )
        sent = await bot.send_message(
            user.id, "<b>Vote</b> &amp; win", parse_mode=ParseMode.HTML, reply_markup=keyboard
        )
        assert sent.text == "Vote & win"
        assert sent.entities[0].type == "bold"
        assert sent.reply_markup == keyboard
        world.press(user.id, sent.message_id, text="✅ Yes")
        updates = await bot.get_updates(timeout=5)
        query = updates[-1].callback_query
        assert query is not None
        assert query.data == "vote:yes"
        assert query.message is not None
        assert query.message.message_id == sent.message_id
        assert await bot.answer_callback_query(query.id, text="Counted")
        edited = await bot.edit_message_text(
            "<i>Thanks</i>", chat_id=user.id, message_id=sent.message_id, parse_mode="HTML"
        )
        assert edited.text == "Thanks"
        assert edited.reply_markup is None
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await bot.edit_message_text(
                "<i>Thanks</i>", chat_id=user.id, message_id=sent.message_id, parse_mode="HTML"
            )
        document = await bot.send_document(
            user.id, document=b"col1,col2\n1,2\n", filename="export.csv", caption="Export"
        )
        assert document.document is not None
        assert document.document.file_name == "export.csv"
        file = await bot.get_file(document.document.file_id)
        assert bytes(await file.download_as_bytearray()) == b"col1,col2\n1,2\n"
        photo = await bot.send_photo(user.id, photo=png(4, 4))
        assert photo.photo[-1].width == 4
        uploaded = world.send_document(user.id, b"user file", "mine.txt")
        their_file = await bot.get_file(uploaded["document"]["file_id"])
        assert bytes(await their_file.download_as_bytearray()) == b"user file"
        await bot.send_chat_action(user.id, "typing")
        await bot.delete_message(user.id, sent.message_id)
        await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
        world.set_blocked(user.id, True)
        with pytest.raises(Forbidden, match="blocked"):
            await bot.send_message(user.id, "hello?")
    assert not world.unsupported


async def test_a_foreign_web_page_cannot_drive_the_control_api(
    api: Api, user: UserRecord, world: SandboxWorld
) -> None:
    """What a page on another site could send from the same browser: all refused, no effect."""
    before = len(world.history(user.id))
    form = aiohttp.FormData()
    form.add_field("text", "/deleteme")
    status, body = await api.control("POST", f"users/{user.id}/send", data=form)
    assert (status, body) == (415, {"error": "send JSON (application/json)"})
    status, _ = await api.control(
        "POST",
        f"users/{user.id}/send",
        data=b"text=hi",
        headers={"Content-Type": "text/plain"},
    )
    assert status == 415
    status, _ = await api.control(  # an HTML form without fields: an empty body
        "POST",
        f"users/{user.id}/block",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 415
    status, body = await api.control(
        "POST",
        f"users/{user.id}/send",
        json={"text": "hi"},
        headers={"Origin": "https://evil.example"},
    )
    assert (status, body) == (403, {"error": "cross-origin requests are refused"})
    status, _ = await api.control(
        "POST", f"users/{user.id}/block", headers={"Origin": "https://evil.example"}
    )
    assert status == 403
    status, _ = await api.control("GET", "users", headers={"Host": "evil.example:8080"})
    assert status == 403  # DNS rebinding: a foreign name resolving to 127.0.0.1
    assert len(world.history(user.id)) == before
    assert not world.user(user.id).blocked
    # The sandbox's own page (same origin) works.
    status, _ = await api.control(
        "POST",
        f"users/{user.id}/send",
        json={"text": "hi"},
        headers={"Origin": api.server.url},
    )
    assert status == 200
