"""Message text and entities the way Telegram sees them.

Telegram measures text and entity offsets in UTF-16 code units, parses ``parse_mode=HTML`` with a
small strict parser (this one follows tdlib's ``parse_html``: the same tags, attributes, entity
references and error texts) and trims surrounding whitespace before it checks the length.
"""

from __future__ import annotations

import html
import re
from typing import Any

Entity = dict[str, Any]

_SUPPORTED_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins",
        "tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote",
    }
)  # fmt: skip
_SIMPLE_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "u": "underline", "ins": "underline", "tg-spoiler": "spoiler",
}  # fmt: skip
_SPACES = " \t\r\n\x0b\x0c"
_COMMAND_RE = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")
_TG_USER_RE = re.compile(r"^tg://user\?id=(\d+)$", re.IGNORECASE)


class EntityParseError(ValueError):
    """``parse_mode`` text that Telegram would refuse; ``str()`` is tdlib's message."""


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, as Telegram counts it."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _units(ch: str) -> int:
    return 2 if ord(ch) > 0xFFFF else 1


def utf16_slice(text: str, offset: int, length: int) -> str:
    """The part of ``text`` at UTF-16 ``offset`` with UTF-16 ``length``."""
    if text.isascii() or utf16_len(text) == len(text):
        return text[offset : offset + length]
    data = text.encode("utf-16-le")
    return data[offset * 2 : (offset + length) * 2].decode("utf-16-le", errors="replace")


def _decode_entity_ref(text: str, pos: int) -> tuple[str, int] | None:
    """Decode an HTML character reference at ``text[pos] == '&'`` like tdlib does."""
    end = pos + 1
    n = len(text)
    if end < n and text[end] == "#":
        end += 1
        value = 0
        if end < n and text[end] == "x":
            end += 1
            while end < n and text[end] in "0123456789abcdefABCDEF":
                value = value * 16 + int(text[end], 16)
                end += 1
        else:
            while end < n and text[end].isdigit() and text[end].isascii():
                value = value * 10 + int(text[end])
                end += 1
        if value == 0 or value >= 0x10FFFF or end - pos >= 10 or 0xD800 <= value <= 0xDFFF:
            return None
        char = chr(value)
    else:
        while end < n and text[end].isascii() and text[end].isalpha():
            end += 1
        named = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}.get(text[pos + 1 : end])
        if named is None:
            return None
        char = named
    if end < n and text[end] == ";":
        end += 1
    return char, end


def _byte_offset(text: str, pos: int) -> int:
    return len(text[:pos].encode("utf-8"))


def parse_html(source: str) -> tuple[str, list[Entity]]:
    """Parse Telegram HTML into plain text and Bot API entities, or raise EntityParseError."""
    out: list[str] = []
    offset = 0  # UTF-16 offset in the output
    entities: list[Entity] = []
    stack: list[tuple[str, str, int, int]] = []  # tag, argument, utf16 offset, index in out
    i = 0
    n = len(source)

    def err(message: str) -> EntityParseError:
        return EntityParseError(message)

    while i < n:
        ch = source[i]
        if ch == "&":
            decoded = _decode_entity_ref(source, i)
            if decoded is not None:
                char, i = decoded
                out.append(char)
                offset += _units(char)
                continue
        if ch != "<":
            out.append(ch)
            offset += _units(ch)
            i += 1
            continue
        begin = i
        i += 1
        if i < n and source[i] == "/":
            if not stack:
                raise err(f"Unexpected end tag at byte offset {_byte_offset(source, begin)}")
            j = i + 1
            while j < n and source[j] not in _SPACES and source[j] != ">":
                j += 1
            end_name = source[i + 1 : j].lower()
            while j < n and source[j] in _SPACES:
                j += 1
            if j >= n or source[j] != ">":
                raise err(f"Unclosed end tag at byte offset {_byte_offset(source, begin)}")
            tag, argument, start, out_index = stack.pop()
            if end_name and end_name != tag:
                raise err(
                    f"Unmatched end tag at byte offset {_byte_offset(source, begin)}, "
                    f'expected "</{tag}>", found "</{end_name}>"'
                )
            if offset > start:
                entity = _make_entity(tag, argument, start, offset - start, out, out_index)
                if entity is not None:
                    _add_entity(entities, entity, tag, argument)
            i = j + 1
            continue
        j = i
        while j < n and source[j] not in _SPACES and source[j] != ">":
            j += 1
        if j >= n:
            raise err(f"Unclosed start tag at byte offset {_byte_offset(source, begin)}")
        tag = source[i:j].lower()
        if tag not in _SUPPORTED_TAGS:
            raise err(f'Unsupported start tag "{tag}" at byte offset {_byte_offset(source, begin)}')
        argument = ""
        while j < n and source[j] != ">":
            while j < n and source[j] in _SPACES:
                j += 1
            if j < n and source[j] == ">":
                break
            attr_begin = j
            while j < n and source[j] not in _SPACES and source[j] not in "=>":
                j += 1
            attr_name = source[attr_begin:j]
            if not attr_name:
                raise err(
                    f'Empty attribute name in the tag "{tag}" at byte offset '
                    f"{_byte_offset(source, begin)}"
                )
            while j < n and source[j] in _SPACES:
                j += 1
            if j >= n or source[j] != "=":
                if j < n and source[j] == ">" and tag == "blockquote":
                    # <blockquote expandable> is valid Telegram HTML.
                    if attr_name.lower() == "expandable":
                        argument = "expandable"
                    break
                raise err(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {_byte_offset(source, begin)}'
                )
            j += 1
            while j < n and source[j] in _SPACES:
                j += 1
            if j >= n:
                raise err(
                    f'Unclosed start tag "{tag}" at byte offset {_byte_offset(source, begin)}'
                )
            if source[j] not in "'\"":
                token_begin = j
                while j < n and (
                    source[j].isascii() and (source[j].isalnum() or source[j] in ".-")
                ):
                    j += 1
                value = source[token_begin:j].lower()
                if j >= n or (source[j] not in _SPACES and source[j] != ">"):
                    raise err(
                        f"Unexpected end of name token at byte offset "
                        f"{_byte_offset(source, token_begin)}"
                    )
            else:
                quote = source[j]
                j += 1
                parts: list[str] = []
                while j < n and source[j] != quote:
                    if source[j] == "&":
                        decoded = _decode_entity_ref(source, j)
                        if decoded is not None:
                            parts.append(decoded[0])
                            j = decoded[1]
                            continue
                    parts.append(source[j])
                    j += 1
                if j < n:
                    j += 1
                value = "".join(parts)
            if j >= n:
                raise err(f"Unclosed start tag at byte offset {_byte_offset(source, begin)}")
            attr = attr_name.lower()
            if tag == "a" and attr == "href":
                argument = value
            elif tag == "code" and attr == "class" and value.startswith("language-"):
                argument = value[9:]
            elif tag == "span" and attr == "class" and value.startswith("tg-"):
                argument = value[3:]
            elif tag == "tg-emoji" and attr == "emoji-id":
                argument = value
        if tag == "span" and argument != "spoiler":
            raise err(
                f'Tag "span" must have class "tg-spoiler" at byte offset '
                f"{_byte_offset(source, begin)}"
            )
        stack.append((tag, argument, offset, len(out)))
        i = j + 1
    if stack:
        raise err(f"Can't find end tag corresponding to start tag {stack[-1][0]}")
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _make_entity(
    tag: str, argument: str, offset: int, length: int, out: list[str], out_index: int
) -> Entity | None:
    base: Entity = {"offset": offset, "length": length}
    if tag in _SIMPLE_TYPES:
        return {"type": _SIMPLE_TYPES[tag], **base}
    if tag == "span":
        return {"type": "spoiler", **base}
    if tag == "blockquote":
        kind = "expandable_blockquote" if argument == "expandable" else "blockquote"
        return {"type": kind, **base}
    if tag == "tg-emoji":
        if not argument.isdigit() or int(argument) == 0:
            raise EntityParseError("Invalid custom emoji identifier specified")
        return {"type": "custom_emoji", **base, "custom_emoji_id": argument}
    if tag == "a":
        url = argument or "".join(out[out_index:])
        match = _TG_USER_RE.match(url.strip())
        if match:
            return {"type": "text_mention", **base, "user": {"id": int(match.group(1))}}
        url = _checked_link(url)
        if not url:
            return None
        return {"type": "text_link", **base, "url": url}
    if tag == "pre":
        return {"type": "pre", **base}
    if tag == "code":
        return {"type": "code", **base, "language": argument}
    return None


def _add_entity(entities: list[Entity], entity: Entity, tag: str, argument: str) -> None:
    last = entities[-1] if entities else None
    same_span = (
        last is not None
        and last["offset"] == entity["offset"]
        and last["length"] == entity["length"]
    )
    if (
        tag == "pre"
        and same_span
        and last is not None
        and last["type"] == "code"
        and last.get("language")
    ):
        last["type"] = "pre"
        return
    if tag == "code" and same_span and last is not None and last["type"] == "pre" and argument:
        last["language"] = argument
        return
    entities.append(entity)


def _checked_link(url: str) -> str:
    url = url.strip()
    if not url or any(ch in url for ch in " \n\t"):
        return ""
    if "://" not in url and not url.lower().startswith(("mailto:", "tg:")):
        url = "http://" + url
    if url.lower().startswith(("http://", "https://")) and "/" not in url.split("://", 1)[1]:
        url += "/"
    return url


def trim(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Strip surrounding whitespace as Telegram does, keeping entities aligned."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = len(text) - len(text.lstrip())  # whitespace is BMP: one UTF-16 unit each
    total = utf16_len(stripped)
    fixed: list[Entity] = []
    for entity in entities:
        start = max(0, entity["offset"] - lead)
        end = min(total, entity["offset"] + entity["length"] - lead)
        if end > start:
            fixed.append({**entity, "offset": start, "length": end - start})
    return stripped, fixed


def validate_entities(text: str, entities: Any) -> list[Entity]:
    """Check explicit ``entities`` given with a message; return them cleaned."""
    if entities is None:
        return []
    if not isinstance(entities, list):
        raise EntityParseError("entities must be an array")
    total = utf16_len(text)
    result: list[Entity] = []
    for raw in entities:
        if not isinstance(raw, dict) or "type" not in raw:
            raise EntityParseError("entity must be an object with a type")
        try:
            offset, length = int(raw["offset"]), int(raw["length"])
        except (KeyError, TypeError, ValueError) as exc:
            raise EntityParseError("entity offset and length must be numbers") from exc
        if offset < 0 or length < 0:
            raise EntityParseError("entity offset and length must be non-negative")
        if offset + length > total:
            raise EntityParseError("entity ends after the end of the text")
        if length:
            result.append(dict(raw))
    result.sort(key=lambda e: (e["offset"], -e["length"]))
    return result


def detect_user_entities(text: str) -> list[Entity]:
    """Entities a Telegram client would attach to a user's text: bot commands."""
    if "/" not in text:
        return []
    entities: list[Entity] = []
    for match in _COMMAND_RE.finditer(text):
        entities.append(
            {
                "type": "bot_command",
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match.group(0)),
            }
        )
    return entities


def to_html(text: str, entities: list[Entity] | None) -> str:
    """Render text with formatting entities back to Telegram-style HTML (escaped)."""
    if not entities:
        return html.escape(text, quote=False)
    tags = {
        "bold": "b", "italic": "i", "underline": "u", "strikethrough": "s",
        "spoiler": "tg-spoiler", "code": "code", "pre": "pre", "blockquote": "blockquote",
        "expandable_blockquote": "blockquote",
    }  # fmt: skip
    spans: list[tuple[int, int, str, str]] = []
    for entity in entities:
        kind = entity["type"]
        if kind == "text_link":
            open_tag, close_tag = f'<a href="{html.escape(entity.get("url", ""))}">', "</a>"
        elif kind in tags:
            open_tag, close_tag = f"<{tags[kind]}>", f"</{tags[kind]}>"
        else:
            continue
        spans.append((entity["offset"], entity["offset"] + entity["length"], open_tag, close_tag))
    spans.sort(key=lambda s: (s[0], -s[1]))
    units = text.encode("utf-16-le")
    total = len(units) // 2
    points = sorted({0, total} | {s[0] for s in spans} | {s[1] for s in spans})
    pieces: list[str] = []
    stack: list[tuple[int, int, str, str]] = []
    next_span = 0
    for index, pos in enumerate(points):
        # Close what ends here; reopen spans that were closed only to keep the nesting right.
        if any(span[1] <= pos for span in stack):
            reopen = []
            while stack:
                span = stack.pop()
                pieces.append(span[3])
                if span[1] > pos:
                    reopen.append(span)
                elif all(s[1] <= pos for s in stack):
                    break
            for span in reversed(reopen):
                pieces.append(span[2])
                stack.append(span)
        while next_span < len(spans) and spans[next_span][0] == pos:
            span = spans[next_span]
            next_span += 1
            if span[1] > span[0]:
                pieces.append(span[2])
                stack.append(span)
        if index + 1 < len(points):
            end = min(points[index + 1], total)
            if end > pos:
                chunk = units[pos * 2 : end * 2].decode("utf-16-le", errors="replace")
                pieces.append(html.escape(chunk, quote=False))
    while stack:
        pieces.append(stack.pop()[3])
    return "".join(pieces)
