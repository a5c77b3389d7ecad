"""Shortening text sent with ``parse_mode=HTML`` without ever breaking its markup.

Telegram rejects a message whose HTML is cut inside a tag (``<b`` ...) or an entity
(``&am``), or leaves a tag open. Two tools:

* :func:`shorten_escaped` cuts *plain* text first and escapes it after, so a title or a
  description full of ``&``, ``<`` and ``>`` fits a budget counted in escaped characters.
* :func:`truncate` shortens a finished HTML text only between tags and entities, and closes
  the tags left open; every last-resort length cap of a message goes through it.
"""

from __future__ import annotations

import html
import re

ELLIPSIS = "…"
# Our own markup: tags and character references; everything else is a plain character.
_TOKEN = re.compile(r"<[^<>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);|[^<&]+|[<&]")
_TAG_NAME = re.compile(r"^</?\s*([a-zA-Z0-9-]+)")


def esc(text: str) -> str:
    """HTML-escape plain text (``&``, ``<``, ``>``)."""
    return html.escape(text, quote=False)


def shorten_escaped(text: str, limit: int) -> str:
    """Plain ``text`` cut so that, once escaped, it has at most ``limit`` characters."""
    escaped = esc(text)
    if len(escaped) <= limit:
        return escaped
    budget = limit - len(ELLIPSIS)
    used, cut = 0, 0
    for index, char in enumerate(text):
        size = len(esc(char))
        if used + size > budget:
            break
        used += size
        cut = index + 1
    return esc(text[:cut].rstrip()) + ELLIPSIS if budget >= 0 else ""


def truncate(markup: str, limit: int) -> str:
    """HTML of at most ``limit`` characters, cut between tags and entities, tags closed."""
    if len(markup) <= limit:
        return markup
    out: list[str] = []
    length = 0
    open_tags: list[str] = []

    def closing(tags: list[str]) -> int:
        return sum(len(f"</{t}>") for t in tags)

    for match in _TOKEN.finditer(markup):
        token = match.group(0)
        if token.startswith("<") and len(token) > 1:
            name_match = _TAG_NAME.match(token)
            name = name_match.group(1).lower() if name_match else ""
            if token.startswith("</"):
                if open_tags and open_tags[-1] == name:
                    open_tags.pop()
                out.append(token)
                length += len(token)
                continue
            would_open = [*open_tags, name]
            if length + len(token) + len(ELLIPSIS) + closing(would_open) > limit:
                break
            open_tags.append(name)
            out.append(token)
            length += len(token)
            continue
        # A character reference is one character: whole or not at all.
        pieces = [token] if token.startswith("&") and len(token) > 1 else list(token)
        stop = False
        for piece in pieces:
            if length + len(piece) + len(ELLIPSIS) + closing(open_tags) > limit:
                stop = True
                break
            out.append(piece)
            length += len(piece)
        if stop:
            break
    text = "".join(out).rstrip()
    return text + ELLIPSIS + "".join(f"</{t}>" for t in reversed(open_tags))
