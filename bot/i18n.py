"""Translations and locale-aware formatting for kk, ru and en.

Catalogs are the ``.po`` files under ``locales/``; they are compiled in memory at start-up, so
there is no stale ``.mo`` to forget. A :class:`Translator` bundles one language's gettext with
Babel's date, time and number formatting in the forum's time zone.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import (
    format_date,
    format_datetime,
    format_interval,
    format_time,
    format_timedelta,
)
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

from bot.resources import locales_dir

# Translator has methods named date, time and datetime; inside the class these names are taken.
_Date = date

LANGUAGES: tuple[str, ...] = ("kk", "ru", "en")
DOMAIN = "messages"

# Babel's locale for each language. British English writes "14 November 2018", day before
# month as Kazakh and Russian do; American "November 14, 2018" would be the odd one out.
BABEL_LOCALES: dict[str, str] = {"kk": "kk", "ru": "ru", "en": "en_GB"}
# Weekday and day. Kazakh puts the weekday last («14 қараша, сәрсенбі», CLDR's kk full date).
DAY_PATTERNS: dict[str, str] = {"kk": "d MMMM, EEEE", "ru": "EEEE, d MMMM", "en": "EEEE, d MMMM"}
# A year added after (ru, en) or before (kk) a day and month, as each language's long date has it.
YEAR_PATTERNS: dict[str, str] = {"kk": "{year}\u202fж. {dates}", "ru": "{dates} {year}\u202fг."}


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


class Msgid(str):
    """A msgid that carries its gettext context to the place where it is translated."""

    context: str


def pN_(context: str, message: str) -> str:
    """Mark ``message`` for extraction with a ``context``: one English word in two roles.

    ``tr._()`` of the result looks the string up under its context, so tables of labels keep
    working unchanged.
    """
    marked = Msgid(message)
    marked.context = context
    return marked


def resolve_language(stored: str | None, telegram_code: str | None, default: str) -> str:
    """The user's language: their stored choice, else Telegram's if we speak it, else default."""
    if stored in LANGUAGES:
        return stored
    if telegram_code:
        base = telegram_code.replace("_", "-").split("-")[0].lower()
        if base in LANGUAGES:
            return base
    return default if default in LANGUAGES else "ru"


def load_catalog(path: Path) -> Translations:
    """Compile one ``.po`` file in memory into gettext translations."""
    with path.open("rb") as fh:
        catalog = read_po(fh, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


@dataclass(frozen=True)
class Translator:
    """One language: gettext plus Babel formatting in the forum's time zone."""

    language: str
    translations: Translations
    tz: ZoneInfo
    # "HH:mm" by hour and minute (at most 1,440 entries): an agenda page formats dozens of
    # times, and Babel's format_time was the bot's largest own cost in the update profile.
    _times: dict[tuple[int, int], str] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def locale(self) -> Locale:
        """The Babel locale."""
        return Locale.parse(BABEL_LOCALES.get(self.language, self.language))

    def _(self, message: str) -> str:
        """Translate ``message`` (under its context if it was marked with :func:`pN_`)."""
        context = getattr(message, "context", None)
        if context is not None:
            return self.pgettext(context, message)
        return self.translations.gettext(message)

    gettext = _

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Translate with the language's plural rules (Russian has three forms)."""
        return self.translations.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        """Translate ``message`` in ``context`` ("proposal field", "date column", ...)."""
        return str(self.translations.pgettext(context, str(message)))

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        """:meth:`ngettext` in ``context``."""
        return str(self.translations.npgettext(context, singular, plural, n))

    @property
    def _babel(self) -> str:
        return BABEL_LOCALES.get(self.language, self.language)

    def local(self, moment: datetime) -> datetime:
        """``moment`` in the forum's time zone."""
        return moment.astimezone(self.tz)

    def date(self, value: date | datetime, fmt: str = "long") -> str:
        """A date such as "14 November 2018" / "14 ноября 2018 г." / "2018 ж. 14 қараша"."""
        if isinstance(value, datetime):
            value = self.local(value).date()
        return format_date(value, format=fmt, locale=self._babel)

    def day(self, value: _Date | datetime, *, capital: bool = True) -> str:
        """Weekday and day: "Wednesday, 14 November" / «Среда, 14 ноября» / «14 қараша, сәрсенбі».

        Capitalised for the start of a heading, a line or a button; ``capital=False`` inside
        a sentence («…откроется через 2 дня: среда, 14 ноября»).
        """
        if isinstance(value, datetime):
            value = self.local(value).date()
        pattern = DAY_PATTERNS.get(self.language, "EEEE, d MMMM")
        text = format_date(value, format=pattern, locale=self._babel)
        return text[:1].upper() + text[1:] if capital else text

    def moment(self, value: datetime, *, year: int | None = None) -> str:
        """A deadline or opening: «21 ноября, 18:00» / «21 қараша, 18:00» / "21 November, 18:00".

        The month in full and no year when it is ``year`` (the forum's); another year shows.
        """
        local = self.local(value)
        if year is not None and local.year != year:
            day = format_date(local.date(), format="long", locale=self._babel)
        else:
            day = format_date(local.date(), format="d MMMM", locale=self._babel)
        return f"{day}, {self.time(local)}"

    def date_range(self, first: _Date, last: _Date) -> str:
        """A forum's days: «27–28 ноября 2018 г.», «2018 ж. 27–28 қараша», "27–28 November 2018".

        Babel's ``format_interval`` gives the language's own range («30 ноября — 1 декабря»);
        its patterns with a year abbreviate the month, so the year is added here.
        """
        if first == last:
            return self.date(first)
        if first.year != last.year:
            return f"{self.date(first)} – {self.date(last)}"
        dates = format_interval(first, last, skeleton="MMMMd", locale=self._babel)
        # One dash for every language: an en dash, closed up between two days of one month
        # («27–28»), spaced between two months. (CLDR's ru has an em dash, en thin spaces.)
        dates = re.sub(r"\s*[–—]\s*", " – ", dates)
        dates = re.sub(r"(\d) – (\d)", r"\1–\2", dates)
        pattern = YEAR_PATTERNS.get(self.language, "{dates} {year}")
        return pattern.format(dates=dates, year=first.year)

    def weekday(self, value: _Date | datetime) -> str:
        """The weekday's name."""
        if isinstance(value, datetime):
            value = self.local(value).date()
        return format_date(value, format="EEEE", locale=self._babel)

    def time(self, value: datetime | time) -> str:
        """A 24-hour time such as "10:30" in the forum's time zone."""
        if isinstance(value, datetime):
            value = self.local(value).time()
        key = (value.hour, value.minute)
        text = self._times.get(key)
        if text is None:
            text = self._times[key] = format_time(value, format="HH:mm", locale=self._babel)
        return text

    def time_range(self, starts: datetime, ends: datetime) -> str:
        """ "10:00–11:30" in the forum's time zone."""
        return f"{self.time(starts)}–{self.time(ends)}"

    def datetime(self, value: datetime, fmt: str = "medium") -> str:
        """Date and time in the forum's time zone."""
        return format_datetime(value, format=fmt, tzinfo=self.tz, locale=self._babel)

    def duration(self, delta: timedelta, *, threshold: float = 0.85) -> str:
        """A duration such as "15 minutes" / "15 минут" / "15 минут" (kk)."""
        return format_timedelta(delta, threshold=threshold, format="long", locale=self._babel)

    def relative(self, delta: timedelta) -> str:
        """ "in 15 minutes" or "10 minutes ago" (negative delta) in the user's language."""
        return format_timedelta(
            delta, add_direction=True, threshold=0.85, format="long", locale=self._babel
        )

    def number(self, value: float) -> str:
        """A number with the language's separators."""
        return format_decimal(value, locale=self._babel)

    def percent(self, value: float) -> str:
        """A fraction (0..1) as a percentage."""
        return format_percent(value, locale=self._babel)


class I18n:
    """All three catalogs, loaded once."""

    def __init__(self, tz: ZoneInfo, default_language: str = "ru", root: Path | None = None):
        root = root or locales_dir()
        self.default_language = default_language
        self.tz = tz
        self._translators = {
            lang: Translator(lang, load_catalog(root / lang / "LC_MESSAGES" / f"{DOMAIN}.po"), tz)
            for lang in LANGUAGES
        }

    def get(self, language: str | None) -> Translator:
        """The translator for ``language`` (unknown: the default language)."""
        return self._translators.get(language or "", self._translators[self.default_language])

    def all(self) -> dict[str, Translator]:
        """Every language's translator."""
        return dict(self._translators)
