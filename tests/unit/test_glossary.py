"""The glossary (locales/GLOSSARY.md): one word for each thing in every kk and ru string.

The test reads the glossary's tables and fails when a catalog entry, or a kk/ru field of the
sample content, uses a variant the glossary says to avoid.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from babel.messages.pofile import read_po

from bot.resources import sample_content_path
from tools import po

GLOSSARY = po.LOCALES / "GLOSSARY.md"
# Terms other features rely on: each must have its row.
REQUIRED_TERMS = (
    "agenda", "my agenda", "session", "speaker", "survey", "proposal", "withdraw", "draft",
    "reminder", "broadcast", "organizer", "moderator", "reviewer", "question", "vote", "poll",
    "recommendation", "endorse", "object", "abstain", "resolution", "button", "skip",
    "workshop", "cancelled", "thank you", "characters", "review", "criterion",
    "conflict of interest", "revisions requested", "hall screen", "team", "invite", "role",
)  # fmt: skip


def _cells(line: str) -> list[str]:
    """A Markdown table row's cells; ``\\|`` inside a cell is a literal bar."""
    parts = re.split(r"(?<!\\)\|", line.strip().strip("|"))
    return [part.strip().replace("\\|", "|") for part in parts]


def glossary() -> list[dict[str, str]]:
    """Every row of the glossary's tables, by column name."""
    rows: list[dict[str, str]] = []
    header: list[str] | None = None
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            header = None
            continue
        cells = _cells(line)
        if header is None:
            header = cells
        elif not set("".join(cells)) <= set("-: "):
            rows.append(dict(zip(header, cells, strict=True)))
    return rows


def avoided(cell: str) -> list[re.Pattern[str]]:
    """The patterns of an "avoid" cell: «phrase» at a word's start, or `regex`."""
    patterns = [
        re.compile(r"(?<!\w)" + re.escape(phrase), re.IGNORECASE)
        for phrase in re.findall(r"«([^»]+)»", cell)
    ]
    patterns += [re.compile(rx, re.IGNORECASE) for rx in re.findall(r"`([^`]+)`", cell)]
    return patterns


def catalog_strings(lang: str) -> Iterator[tuple[str, str]]:
    """(msgid, translation) of every entry, each plural form separately."""
    with po.po_path(lang).open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            yield msgid, string


def content_strings(lang: str) -> Iterator[tuple[str, str]]:
    """(path, text) of every ``lang`` field of the sample content."""

    def walk(node: Any, path: str) -> Iterator[tuple[str, str]]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == lang and isinstance(value, str):
                    yield path, value
                else:
                    yield from walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, item in enumerate(node):
                yield from walk(item, f"{path}[{i}]")

    yield from walk(yaml.safe_load(sample_content_path().read_text(encoding="utf-8")), "")


def test_the_glossary_has_every_term_in_three_languages() -> None:
    rows = glossary()
    terms = {part.strip() for row in rows for part in re.split(r"[,(]", row["en"])}
    assert [t for t in REQUIRED_TERMS if t not in terms] == []
    for row in rows:
        assert row["kk"] and row["ru"], f"{row['en']}: a rendering in each language"
        for column in ("avoid in kk", "avoid in ru"):
            left = re.sub(r"«[^»]+»|`[^`]+`|[,\s]", "", row[column])
            assert left == "", f"{row['en']}: write avoided variants as «phrase» or `regex`"


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_no_catalog_or_content_uses_an_avoided_variant(lang: str) -> None:
    rules = [(row["en"], p) for row in glossary() for p in avoided(row[f"avoid in {lang}"])]
    assert len(rules) > 10
    texts = [*catalog_strings(lang), *content_strings(lang)]
    found = [
        f"{term}: {pattern.pattern!r} in {where!r}: {text!r}"
        for term, pattern in rules
        for where, text in texts
        if pattern.search(text)
    ]
    assert found == []
