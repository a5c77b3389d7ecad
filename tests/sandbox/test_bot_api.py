"""The sandbox speaks the Bot API: shapes, encodings, Telegram's limits and error texts."""

from __future__ import annotations

import asyncio
import json
import struct
import zlib

import pytest

from bot.sandbox import SandboxWorld
from bot.sandbox.world import UserRecord
from tests.sandbox.conftest import Api

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


def png(width: int = 3, height: int = 2) -> bytes:
    """A tiny valid PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


# ------------------------------------------------------------------------ basics
async def test_wrong_token_is_unauthorized(api: Api) -> None:
    async with api.session.post(f"{api.server.api_base_url}1:WRONG/getMe") as response:
        assert response.status == 401
        assert await response.json() == {
            "ok": False,
            "error_code": 401,
            "description": "Unauthorized",
        }


async def test_get_me_describes_the_bot(api: Api, world: SandboxWorld) -> None:
    me = await api.ok("getMe")
    assert me["is_bot"] is True
    assert me["id"] == int(world.token.split(":")[0])
    assert me["username"].endswith("bot")


async def test_method_names_are_case_insensitive(api: Api) -> None:
    assert (await api.ok("getme"))["is_bot"] is True


async def test_unknown_method_is_a_clear_400_and_recorded(api: Api, world: SandboxWorld) -> None:
    code, description = await api.error("sendDice", chat_id=1)
    assert code == 400
    assert "sendDice" in description
    assert "not supported" in description
    assert world.unsupported[-1]["method"] == "sendDice"
    status, body = await api.control("GET", "calls?errors=1")
    assert status == 200
    assert body["unsupported"][-1]["method"] == "sendDice"
    assert body["calls"][-1]["description"] == description


async def test_send_message_has_telegram_shape(api: Api, user: UserRecord) -> None:
    message = await api.ok("sendMessage", chat_id=user.id, text="Hello")
    assert message["text"] == "Hello"
    assert message["chat"] == {
        "id": user.id,
        "type": "private",
        "first_name": "Aigerim",
        "last_name": "S",
        "username": "aigerim",
    }
    assert message["from"]["is_bot"] is True
    assert isinstance(message["date"], int)
    assert message["date"] > 1_600_000_000
    assert isinstance(message["message_id"], int)


async def test_json_form_and_multipart_bodies_are_accepted(api: Api, user: UserRecord) -> None:
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    _, by_json = await api.call("sendMessage", chat_id=user.id, text="1", reply_markup=markup)
    _, by_form = await api.form(
        "sendMessage", chat_id=user.id, text="2", reply_markup=json.dumps(markup)
    )
    _, by_multipart = await api.multipart(
        "sendMessage",
        {"unused": ("x.txt", b"x", "text/plain")},
        chat_id=user.id,
        text="3",
        reply_markup=json.dumps(markup),
        protect_content="true",
        link_preview_options=json.dumps({"is_disabled": True}),
    )
    results = [by_json["result"], by_form["result"], by_multipart["result"]]
    assert [m["text"] for m in results] == ["1", "2", "3"]
    assert all(m["reply_markup"] == markup for m in results)
    ids = [m["message_id"] for m in results]
    assert ids == sorted(ids)
    assert len(set(ids)) == 3


async def test_query_string_parameters_work(api: Api, user: UserRecord) -> None:
    url = f"{api.base}/sendMessage?chat_id={user.id}&text=hi"
    async with api.session.get(url) as response:
        assert (await response.json())["result"]["text"] == "hi"


async def test_unknown_chat_and_missing_chat_id(api: Api) -> None:
    assert await api.error("sendMessage", chat_id=42, text="x") == (
        400,
        "Bad Request: chat not found",
    )
    assert (await api.error("sendMessage", text="x"))[1] == "Bad Request: chat_id is empty"


async def test_message_ids_grow_per_chat_and_update_ids_globally(
    api: Api, world: SandboxWorld
) -> None:
    a = world.add_user("A")
    b = world.add_user("B")
    first_a = await api.ok("sendMessage", chat_id=a.id, text="x")
    first_b = await api.ok("sendMessage", chat_id=b.id, text="x")
    user_message = world.send_text(a.id, "hi")
    assert first_a["message_id"] == first_b["message_id"] == 1
    assert user_message["message_id"] == 2  # both sides share the chat's counter
    world.send_text(b.id, "hey")
    updates = await api.ok("getUpdates")
    update_ids = [u["update_id"] for u in updates]
    assert update_ids == sorted(update_ids)
    assert len(set(update_ids)) == 2


# ------------------------------------------------------------------------ text limits
@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("a" * 4096, True),
        ("a" * 4097, False),
        ("😀" * 2048, True),  # 2 UTF-16 code units each: 4096
        ("😀" * 2048 + "a", False),
        ("я" * 4096, True),  # one code unit each, though two bytes in UTF-8
        ("  " + "a" * 4096 + "\n\n", True),  # surrounding whitespace is trimmed first
    ],
)
async def test_text_length_is_counted_in_utf16_units(
    api: Api, user: UserRecord, text: str, ok: bool
) -> None:
    status, body = await api.call("sendMessage", chat_id=user.id, text=text)
    if ok:
        assert status == 200, body
    else:
        assert (status, body["description"]) == (400, "Bad Request: message is too long")


async def test_markup_does_not_count_towards_the_length(api: Api, user: UserRecord) -> None:
    text = "<b>" + "a" * 4000 + "</b><i>" + "b" * 96 + "</i>"
    message = await api.ok("sendMessage", chat_id=user.id, text=text, parse_mode="HTML")
    assert len(message["text"]) == 4096


@pytest.mark.parametrize("text", ["", "   \n ", "<b> </b>"])
async def test_empty_text_is_refused(api: Api, user: UserRecord, text: str) -> None:
    code, description = await api.error(
        "sendMessage", chat_id=user.id, text=text, parse_mode="HTML"
    )
    assert (code, description) == (400, "Bad Request: message text is empty")


async def test_caption_limit_is_1024(api: Api, user: UserRecord) -> None:
    files = {"document": ("a.txt", b"data", "text/plain")}
    status, _ = await api.multipart("sendDocument", files, chat_id=user.id, caption="c" * 1024)
    assert status == 200
    status, body = await api.multipart("sendDocument", files, chat_id=user.id, caption="c" * 1025)
    assert (status, body["description"]) == (400, "Bad Request: message caption is too long")


# ------------------------------------------------------------------------ HTML
@pytest.mark.parametrize(
    ("source", "text", "entities"),
    [
        ("<b>bold</b> plain", "bold plain", [("bold", 0, 4)]),
        ("<strong>a</strong><em>b</em><ins>c</ins><del>d</del>", "abcd", None),
        ("<i>x</i> &lt;tag&gt; &amp; &quot;q&quot;", 'x <tag> & "q"', [("italic", 0, 1)]),
        ('<a href="https://example.org/x">link</a>', "link", [("text_link", 0, 4)]),
        ("<tg-spoiler>s</tg-spoiler>", "s", [("spoiler", 0, 1)]),
        ('<span class="tg-spoiler">s</span>', "s", [("spoiler", 0, 1)]),
        ("<blockquote>q</blockquote>", "q", [("blockquote", 0, 1)]),
        ('<pre><code class="language-python">x = 1</code></pre>', "x = 1", [("pre", 0, 5)]),
        ("<code>c</code>", "c", [("code", 0, 1)]),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍", None),
        ("😀<b>é😀</b>", "😀é😀", [("bold", 2, 3)]),
        ("<B>upper</B>", "upper", [("bold", 0, 5)]),
        ("AT&T &#33; &#x41;", "AT&T ! A", []),
        ("<b>a<i>b</i></b>", "ab", [("bold", 0, 2), ("italic", 1, 1)]),
    ],
)
async def test_valid_html_becomes_entities(
    api: Api,
    user: UserRecord,
    source: str,
    text: str,
    entities: list[tuple[str, int, int]] | None,
) -> None:
    message = await api.ok("sendMessage", chat_id=user.id, text=source, parse_mode="HTML")
    assert message["text"] == text
    if entities is not None:
        got = [(e["type"], e["offset"], e["length"]) for e in message.get("entities", [])]
        assert got == entities


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("<script>alert(1)</script>", 'Unsupported start tag "script" at byte offset 0'),
        ("line<br>break", 'Unsupported start tag "br" at byte offset 4'),
        ("<b>open", "Can't find end tag corresponding to start tag b"),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("ends with <", "Unclosed start tag at byte offset 10"),
        ("Ү <p>x</p>", 'Unsupported start tag "p" at byte offset 3'),  # offsets in bytes
    ],
)
async def test_html_telegram_would_refuse_is_refused(
    api: Api, user: UserRecord, source: str, reason: str
) -> None:
    code, description = await api.error(
        "sendMessage", chat_id=user.id, text=source, parse_mode="HTML"
    )
    assert code == 400
    assert description == f"Bad Request: can't parse entities: {reason}"


async def test_unknown_parse_mode_is_refused(api: Api, user: UserRecord) -> None:
    _, description = await api.error("sendMessage", chat_id=user.id, text="x", parse_mode="BB")
    assert description == "Bad Request: unsupported parse_mode"


async def test_explicit_entities_are_kept(api: Api, user: UserRecord) -> None:
    entities = [{"type": "bold", "offset": 0, "length": 2}]
    message = await api.ok("sendMessage", chat_id=user.id, text="hi you", entities=entities)
    assert message["entities"] == entities


# ------------------------------------------------------------------------ keyboards
@pytest.mark.parametrize(
    ("data", "ok"),
    [("x" * 64, True), ("x" * 65, False), ("д" * 32, True), ("д" * 33, False), ("", False)],
)
async def test_callback_data_is_1_to_64_bytes(
    api: Api, user: UserRecord, data: str, ok: bool
) -> None:
    markup = {"inline_keyboard": [[{"text": "b", "callback_data": data}]]}
    status, body = await api.call("sendMessage", chat_id=user.id, text="t", reply_markup=markup)
    if ok:
        assert status == 200
    else:
        assert (status, body["description"]) == (400, "Bad Request: BUTTON_DATA_INVALID")


async def test_inline_button_needs_an_action(api: Api, user: UserRecord) -> None:
    markup = {"inline_keyboard": [[{"text": "no action"}]]}
    _, description = await api.error("sendMessage", chat_id=user.id, text="t", reply_markup=markup)
    assert "Text buttons are unallowed in the inline keyboard" in description


async def test_reply_keyboard_and_remove_keyboard(
    api: Api, user: UserRecord, world: SandboxWorld
) -> None:
    keyboard = {"keyboard": [["A", {"text": "B"}]], "resize_keyboard": True}
    message = await api.ok("sendMessage", chat_id=user.id, text="menu", reply_markup=keyboard)
    assert "reply_markup" not in message  # Message.reply_markup is inline only
    chat = world.chats[user.id]
    assert chat.reply_keyboard is not None
    assert chat.reply_keyboard["keyboard"] == [[{"text": "A"}, {"text": "B"}]]
    await api.ok("sendMessage", chat_id=user.id, text="bye", reply_markup={"remove_keyboard": True})
    assert chat.reply_keyboard is None


async def test_broken_reply_markup_json_is_a_400(api: Api, user: UserRecord) -> None:
    status, body = await api.form("sendMessage", chat_id=user.id, text="t", reply_markup="{oops")
    assert status == 400
    assert body["description"] == "Bad Request: can't parse reply_markup JSON object"


# ------------------------------------------------------------------------ edits
async def test_edit_text_and_not_modified(api: Api, user: UserRecord, world: SandboxWorld) -> None:
    markup = {"inline_keyboard": [[{"text": "b", "callback_data": "d"}]]}
    sent = await api.ok("sendMessage", chat_id=user.id, text="<b>v1</b>", parse_mode="HTML")
    mid = sent["message_id"]
    code, description = await api.error(
        "editMessageText", chat_id=user.id, message_id=mid, text="<b>v1</b>", parse_mode="HTML"
    )
    assert (code, description) == (400, NOT_MODIFIED)
    # Same text, other formatting: modified.
    edited = await api.ok("editMessageText", chat_id=user.id, message_id=mid, text="v1")
    assert edited["text"] == "v1"
    assert "entities" not in edited
    assert "edit_date" in edited
    # Same text, a keyboard added: modified.
    await api.ok("editMessageText", chat_id=user.id, message_id=mid, text="v1", reply_markup=markup)
    code, description = await api.error(
        "editMessageReplyMarkup", chat_id=user.id, message_id=mid, reply_markup=markup
    )
    assert description == NOT_MODIFIED
    removed = await api.ok("editMessageReplyMarkup", chat_id=user.id, message_id=mid)
    assert "reply_markup" not in removed
    history = world.history(user.id)
    assert [m.data["text"] for m in history] == ["v1"]
    assert history[0].edits == 3


async def test_edit_text_without_markup_removes_the_keyboard(api: Api, user: UserRecord) -> None:
    markup = {"inline_keyboard": [[{"text": "b", "callback_data": "d"}]]}
    sent = await api.ok("sendMessage", chat_id=user.id, text="a", reply_markup=markup)
    edited = await api.ok(
        "editMessageText", chat_id=user.id, message_id=sent["message_id"], text="b"
    )
    assert "reply_markup" not in edited


async def test_edit_errors(api: Api, user: UserRecord, world: SandboxWorld) -> None:
    assert (await api.error("editMessageText", chat_id=user.id, message_id=99, text="x"))[
        1
    ] == "Bad Request: message to edit not found"
    incoming = world.send_text(user.id, "mine")
    assert (
        await api.error(
            "editMessageText", chat_id=user.id, message_id=incoming["message_id"], text="x"
        )
    )[1] == "Bad Request: message can't be edited"
    files = {"document": ("a.txt", b"data", "text/plain")}
    _, doc = await api.multipart("sendDocument", files, chat_id=user.id, caption="c1")
    mid = doc["result"]["message_id"]
    assert (await api.error("editMessageText", chat_id=user.id, message_id=mid, text="x"))[
        1
    ] == "Bad Request: there is no text in the message to edit"
    edited = await api.ok("editMessageCaption", chat_id=user.id, message_id=mid, caption="c2")
    assert edited["caption"] == "c2"
    assert edited["document"]["file_name"] == "a.txt"
    assert (await api.error("editMessageCaption", chat_id=user.id, message_id=mid, caption="c2"))[
        1
    ] == NOT_MODIFIED


async def test_delete_message(api: Api, user: UserRecord, world: SandboxWorld) -> None:
    sent = await api.ok("sendMessage", chat_id=user.id, text="bye")
    assert await api.ok("deleteMessage", chat_id=user.id, message_id=sent["message_id"]) is True
    assert world.history(user.id) == []
    assert len(world.history(user.id, include_deleted=True)) == 1
    assert (await api.error("deleteMessage", chat_id=user.id, message_id=sent["message_id"]))[
        1
    ] == "Bad Request: message to delete not found"


async def test_reply_to_message(api: Api, user: UserRecord, world: SandboxWorld) -> None:
    incoming = world.send_text(user.id, "question")
    reply = await api.ok(
        "sendMessage",
        chat_id=user.id,
        text="answer",
        reply_parameters={"message_id": incoming["message_id"]},
    )
    assert reply["reply_to_message"]["text"] == "question"
    _, description = await api.error(
        "sendMessage", chat_id=user.id, text="x", reply_to_message_id=999
    )
    assert description == "Bad Request: message to be replied not found"


# ------------------------------------------------------------------------ users
async def test_blocked_user_gives_403_and_a_chat_member_update(
    api: Api, user: UserRecord, world: SandboxWorld
) -> None:
    world.set_blocked(user.id, True)
    assert await api.error("sendMessage", chat_id=user.id, text="x") == (
        403,
        "Forbidden: bot was blocked by the user",
    )
    assert (await api.error("sendChatAction", chat_id=user.id, action="typing"))[0] == 403
    updates = await api.ok("getUpdates")
    member = updates[-1]["my_chat_member"]
    assert member["new_chat_member"]["status"] == "kicked"
    assert member["old_chat_member"]["status"] == "member"
    world.set_blocked(user.id, False)
    assert (await api.ok("sendMessage", chat_id=user.id, text="back"))["text"] == "back"


async def test_chat_action(api: Api, user: UserRecord, world: SandboxWorld) -> None:
    assert await api.ok("sendChatAction", chat_id=user.id, action="typing") is True
    assert world.chats[user.id].events[-1]["kind"] == "chat_action"
    _, description = await api.error("sendChatAction", chat_id=user.id, action="dancing")
    assert description == "Bad Request: wrong parameter action in request"


async def test_answer_callback_query_once(api: Api, user: UserRecord, world: SandboxWorld) -> None:
    markup = {"inline_keyboard": [[{"text": "Yes", "callback_data": "q:yes"}]]}
    sent = await api.ok("sendMessage", chat_id=user.id, text="?", reply_markup=markup)
    press = world.press(user.id, sent["message_id"], text="Yes")
    update = (await api.ok("getUpdates"))[-1]["callback_query"]
    assert update["id"] == press.id
    assert update["data"] == "q:yes"
    assert update["message"]["message_id"] == sent["message_id"]
    assert update["chat_instance"]
    assert update["from"]["id"] == user.id
    _, description = await api.error(
        "answerCallbackQuery", callback_query_id=press.id, text="x" * 201
    )
    assert description == "Bad Request: MESSAGE_TOO_LONG"
    assert await api.ok("answerCallbackQuery", callback_query_id=press.id, text="Saved") is True
    assert press.answer is not None
    assert press.answer["text"] == "Saved"
    for query_id in (press.id, "12345"):
        _, description = await api.error("answerCallbackQuery", callback_query_id=query_id)
        assert description == (
            "Bad Request: query is too old and response timeout expired or query ID is invalid"
        )


# ------------------------------------------------------------------------ commands
async def test_commands_per_scope_and_language(api: Api, world: SandboxWorld) -> None:
    everyone = [{"command": "start", "description": "Start"}]
    kazakh = [{"command": "start", "description": "Бастау"}]
    organizer = [*everyone, {"command": "broadcast", "description": "Send to all"}]
    admin = world.add_user("Org", organizer=True, language_code="kk")
    plain = world.add_user("Plain", language_code="kk")
    english = world.add_user("En", language_code="en")
    await api.ok("setMyCommands", commands=everyone)
    await api.ok("setMyCommands", commands=kazakh, language_code="kk")
    await api.ok("setMyCommands", commands=organizer, scope={"type": "chat", "chat_id": admin.id})
    assert await api.ok("getMyCommands") == everyone
    assert await api.ok("getMyCommands", language_code="kk") == kazakh
    assert await api.ok("getMyCommands", language_code="ru") == []
    assert world.resolve_commands(plain.id) == kazakh
    assert world.resolve_commands(english.id) == everyone
    assert world.resolve_commands(admin.id) == organizer
    status, body = await api.control("GET", f"users/{admin.id}/commands")
    assert status == 200
    assert body["commands"] == organizer
    await api.ok("deleteMyCommands", language_code="kk")
    assert world.resolve_commands(plain.id) == everyone


async def test_invalid_commands_are_refused(api: Api) -> None:
    _, description = await api.error(
        "setMyCommands", commands=[{"command": "Bad-Name", "description": "x"}]
    )
    assert description == "Bad Request: BOT_COMMAND_INVALID"
    _, description = await api.error(
        "setMyCommands", commands=[{"command": "ok", "description": ""}]
    )
    assert description == "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"


async def test_bot_descriptions(api: Api) -> None:
    await api.ok("setMyDescription", description="Forum bot", language_code="en")
    assert await api.ok("getMyDescription", language_code="en") == {"description": "Forum bot"}
    assert await api.ok("getMyShortDescription") == {"short_description": ""}


# ------------------------------------------------------------------------ webhook
async def test_webhook_blocks_get_updates_until_deleted(
    api: Api, user: UserRecord, world: SandboxWorld
) -> None:
    world.send_text(user.id, "hi")
    await api.ok("setWebhook", url="https://example.org/hook")
    info = await api.ok("getWebhookInfo")
    assert info["url"] == "https://example.org/hook"
    assert info["pending_update_count"] == 1
    code, description = await api.error("getUpdates")
    assert code == 409
    assert "webhook is active" in description
    await api.ok("deleteWebhook", drop_pending_updates=True)
    assert (await api.ok("getWebhookInfo"))["pending_update_count"] == 0
    assert await api.ok("getUpdates") == []


# ------------------------------------------------------------------------ files
async def test_document_upload_get_file_and_download(api: Api, user: UserRecord) -> None:
    payload = bytes(range(256)) * 10
    status, body = await api.multipart(
        "sendDocument",
        {"document": ("agenda.pdf", payload, "application/pdf")},
        chat_id=user.id,
        caption="<b>Agenda</b>",
        parse_mode="HTML",
    )
    assert status == 200, body
    message = body["result"]
    document = message["document"]
    assert document["file_name"] == "agenda.pdf"
    assert document["mime_type"] == "application/pdf"
    assert document["file_size"] == len(payload)
    assert message["caption"] == "Agenda"
    assert message["caption_entities"] == [{"type": "bold", "offset": 0, "length": 6}]
    file = await api.ok("getFile", file_id=document["file_id"])
    assert file["file_size"] == len(payload)
    url = f"{api.server.file_base_url}{api.server.world.token}/{file['file_path']}"
    async with api.session.get(url) as response:
        assert response.status == 200
        assert await response.read() == payload
    # Re-sending by file_id reuses the file.
    again = await api.ok("sendDocument", chat_id=user.id, document=document["file_id"])
    assert again["document"]["file_id"] == document["file_id"]


async def test_attach_uri_upload(api: Api, user: UserRecord) -> None:
    status, body = await api.multipart(
        "sendDocument",
        {"upload1": ("notes.txt", b"notes", "text/plain")},
        chat_id=user.id,
        document="attach://upload1",
    )
    assert status == 200
    assert body["result"]["document"]["file_name"] == "notes.txt"


async def test_photo_upload_has_sizes_and_must_be_an_image(api: Api, user: UserRecord) -> None:
    status, body = await api.multipart(
        "sendPhoto", {"photo": ("p.png", png(3, 2), "image/png")}, chat_id=user.id
    )
    assert status == 200, body
    size = body["result"]["photo"][-1]
    assert (size["width"], size["height"]) == (3, 2)
    status, body = await api.multipart(
        "sendPhoto", {"photo": ("p.png", b"not an image", "image/png")}, chat_id=user.id
    )
    assert (status, body["description"]) == (400, "Bad Request: IMAGE_PROCESS_FAILED")


async def test_unknown_file_id_and_urls(api: Api, user: UserRecord) -> None:
    _, description = await api.error("sendDocument", chat_id=user.id, document="nope")
    assert description == "Bad Request: wrong file identifier/HTTP URL specified"
    _, description = await api.error("getFile", file_id="nope")
    assert description == "Bad Request: invalid file_id"
    async with api.session.get(f"{api.server.file_base_url}{api.server.world.token}/x/y") as r:
        assert r.status == 404


async def test_user_upload_can_be_fetched_by_the_bot(
    api: Api, user: UserRecord, world: SandboxWorld
) -> None:
    message = world.send_document(user.id, b"%PDF-1.4 proposal", "proposal.pdf")
    assert message["document"]["mime_type"] == "application/pdf"
    file = await api.ok("getFile", file_id=message["document"]["file_id"])
    url = f"{api.server.file_base_url}{world.token}/{file['file_path']}"
    async with api.session.get(url) as response:
        assert await response.read() == b"%PDF-1.4 proposal"
    photo = world.send_photo(user.id, png(5, 4), caption="me")
    assert photo["photo"][-1]["width"] == 5


async def test_media_group(api: Api, user: UserRecord) -> None:
    media = [
        {"type": "photo", "media": "attach://a", "caption": "<b>one</b>", "parse_mode": "HTML"},
        {"type": "photo", "media": "attach://b"},
    ]
    status, body = await api.multipart(
        "sendMediaGroup",
        {"a": ("a.png", png(), "image/png"), "b": ("b.png", png(), "image/png")},
        chat_id=user.id,
        media=json.dumps(media),
    )
    assert status == 200, body
    first, second = body["result"]
    assert first["media_group_id"] == second["media_group_id"]
    assert first["caption"] == "one"


# ------------------------------------------------------------------------ concurrency
async def test_parallel_sends_get_distinct_increasing_ids(api: Api, user: UserRecord) -> None:
    results = await asyncio.gather(
        *(api.ok("sendMessage", chat_id=user.id, text=f"m{i}") for i in range(50))
    )
    ids = sorted(m["message_id"] for m in results)
    assert ids == list(range(ids[0], ids[0] + 50))
