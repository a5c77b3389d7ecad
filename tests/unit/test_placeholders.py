"""Placeholders that cannot be declined stand after a colon, not inside a phrase.

A language's name («🇷🇺 Русский»), a Babel duration («1 минута») or a weekday and date come in
one fixed form. A sentence that puts them after a Russian preposition («на языке {language}»,
«около {left}») or before a Kazakh postposition or case ending («{time} дейін», «{language}
тілінде», «{time}-ге») breaks for some values. The test renders every kk and ru catalog entry
with real sample values and lists such phrases.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po

from bot.i18n import I18n, Translator
from handlers.keyboards import LANGUAGE_NAMES
from tools import po

# Placeholder names by what they hold.
KINDS = {
    "language": "language",
    "left": "duration",
    "relative": "duration",
    "time": "time",
    "moment": "time",
    "when": "time",
    "date": "time",
    "dates": "time",
    "day": "day",
}
# ru: prepositions that would need the placeholder in another case, and nouns before a
# language's name («на языке», «для читателей»).
RU_PREPOSITIONS = (
    r"на|в|во|для|о|об|по|с|со|к|у|от|из|до|при|про|около|через|за|после|спустя|более|менее"
)
RU_LANGUAGE_NOUNS = r"языке|языка|языку|языком|читателей|читателям"
RU_RULES = {
    "language": rf"(?:(?:{RU_PREPOSITIONS})\s+)?(?:{RU_LANGUAGE_NOUNS})|{RU_PREPOSITIONS}",
    "duration": RU_PREPOSITIONS,
    "day": RU_PREPOSITIONS,
}
# kk: postpositions that govern a case the placeholder cannot take, and «тілінде» & co.
KK_AFTER = (
    r"дейін|шейін|бастап|кейін|бұрын|дейінгі|бойы|ішінде|қалғанда|үшін|бойынша|арқылы"
    r"|тіл\w*"
)
KK_RULES = {
    "language": KK_AFTER,
    "duration": KK_AFTER,
    "time": KK_AFTER,
    "day": KK_AFTER,
}

MOMENT = datetime(2018, 11, 21, 5, 0, tzinfo=UTC)


def samples(tr: Translator) -> dict[str, str]:
    """A real value of each kind in ``tr``'s language."""
    return {
        "language": LANGUAGE_NAMES["ru" if tr.language == "kk" else "kk"],
        "duration": tr.duration(timedelta(minutes=1)),
        "time": tr.time(MOMENT),
        "day": tr.day(MOMENT),
    }


def render(text: str, values: dict[str, str]) -> str:
    """``text`` with each placeholder of a known kind replaced by its sample value."""

    def value(match: re.Match[str]) -> str:
        kind = KINDS.get(match.group(1))
        return values[kind] if kind else "X"

    return re.sub(r"\{(\w*)\}", value, text)


def broken_phrases(lang: str, text: str, values: dict[str, str]) -> list[str]:
    """The phrases of ``text`` (rendered) that decline an undeclinable value."""
    rendered = render(text, values)
    found = []
    for kind, words in (RU_RULES if lang == "ru" else KK_RULES).items():
        sample = re.escape(values[kind])
        if lang == "ru":
            pattern = rf"(?<!\w)(?:{words})\s+{sample}"
        else:
            pattern = rf"{sample}(?:-\w+|\s+(?:{words})(?!\w))"
        found += [m.group(0) for m in re.finditer(pattern, rendered, re.IGNORECASE)]
    return found


@pytest.fixture(scope="module")
def i18n() -> I18n:
    return I18n(ZoneInfo("Asia/Almaty"), "ru")


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("ru", "Пришлите текст для читателей на языке {language}.", ["на языке 🇰🇿 Қазақша"]),
        ("ru", "Предпросмотр для {language} ({n}):", ["для 🇰🇿 Қазақша"]),
        ("ru", "осталось около {left}", ["около 1 минута"]),
        ("ru", "Перерыв до {time}.", []),  # digits read well after «до»
        ("ru", "Пришлите текст на этом языке: {language}.", []),
        ("kk", "☕ Үзіліс {time} дейін.", ["11:00 дейін"]),
        ("kk", "{language} тілінде оқитындарға", ["🇷🇺 Русский тілінде"]),
        ("kk", "{time}-ге дейін", ["11:00-ге"]),
        ("kk", "☕ Үзіліс, аяқталуы: {time}.", []),
    ],
)
def test_the_check_finds_what_the_review_found(
    i18n: I18n, lang: str, text: str, expected: list[str]
) -> None:
    assert broken_phrases(lang, text, samples(i18n.get(lang))) == expected


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_no_catalog_entry_declines_an_undeclinable_placeholder(i18n: I18n, lang: str) -> None:
    values = samples(i18n.get(lang))
    with po.po_path(lang).open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    found = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            found += [
                f"{phrase!r} in {string!r}" for phrase in broken_phrases(lang, string, values)
            ]
    assert found == []
