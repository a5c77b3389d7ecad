"""Translations and locale-aware formatting for kk, ru and en.

Catalogs are the ``.po`` files under ``locales/``; they are compiled in memory at start-up, so
there is no stale ``.mo`` to forget. A :class:`Translator` bundles one language's gettext with
Babel's date, time and number formatting in the forum's time zone.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time, format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

from bot.resources import locales_dir

LANGUAGES: tuple[str, ...] = ("kk", "ru", "en")
# A day or a moment; named here because the Translator's own ``date`` method shadows ``date``.
DateLike = date | datetime
DOMAIN = "messages"


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


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

    @property
    def locale(self) -> Locale:
        """The Babel locale."""
        return Locale.parse(self.language)

    def _(self, message: str) -> str:
        """Translate ``message``."""
        return self.translations.gettext(message)

    gettext = _

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Translate with the language's plural rules (Russian has three forms)."""
        return self.translations.ngettext(singular, plural, n)

    def local(self, moment: datetime) -> datetime:
        """``moment`` in the forum's time zone."""
        return moment.astimezone(self.tz)

    def date(self, value: date | datetime, fmt: str = "long") -> str:
        """A date such as "14 November 2018" / "14 ноября 2018 г." / "2018 ж. 14 қараша"."""
        if isinstance(value, datetime):
            value = self.local(value).date()
        return format_date(value, format=fmt, locale=self.language)

    def day(self, value: DateLike) -> str:
        """Weekday and day, e.g. "Wednesday, 14 November"."""
        if isinstance(value, datetime):
            value = self.local(value).date()
        return format_date(value, format="EEEE, d MMMM", locale=self.language)

    def weekday(self, value: DateLike) -> str:
        """The weekday's name."""
        if isinstance(value, datetime):
            value = self.local(value).date()
        return format_date(value, format="EEEE", locale=self.language)

    def time(self, value: datetime | time) -> str:
        """A 24-hour time such as "10:30" in the forum's time zone."""
        if isinstance(value, datetime):
            value = self.local(value).time()
        return format_time(value, format="HH:mm", locale=self.language)

    def time_range(self, starts: datetime, ends: datetime) -> str:
        """ "10:00–11:30" in the forum's time zone."""
        return f"{self.time(starts)}–{self.time(ends)}"

    def datetime(self, value: datetime, fmt: str = "medium") -> str:
        """Date and time in the forum's time zone."""
        return format_datetime(value, format=fmt, tzinfo=self.tz, locale=self.language)

    def duration(self, delta: timedelta, *, threshold: float = 0.85) -> str:
        """A duration such as "15 minutes" / "15 минут" / "15 минут" (kk)."""
        return format_timedelta(delta, threshold=threshold, format="long", locale=self.language)

    def relative(self, delta: timedelta) -> str:
        """ "in 15 minutes" or "10 minutes ago" (negative delta) in the user's language."""
        return format_timedelta(
            delta, add_direction=True, threshold=0.85, format="long", locale=self.language
        )

    def number(self, value: float) -> str:
        """A number with the language's separators."""
        return format_decimal(value, locale=self.language)

    def percent(self, value: float) -> str:
        """A fraction (0..1) as a percentage."""
        return format_percent(value, locale=self.language)


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
