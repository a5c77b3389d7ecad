"""Field types of the content models: ids, links, local date-times in the forum's time zone."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import PlainValidator

from bot.content.errors import content_error, gettext

DEFAULT_TIMEZONE: Final = "Asia/Almaty"
ID_PATTERN: Final = re.compile(r"[a-z0-9_-]{1,32}")


def _check_id(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise content_error("id_type", gettext("an id must be a short text like 'opening'"))
    if not ID_PATTERN.fullmatch(value):
        raise content_error(
            "id_format",
            gettext(
                "'{value}' is not a valid id: use 1-32 characters from a-z, 0-9, '_' and '-'",
                value=value,
            ),
        )
    return value


def _check_url(value: object) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"(https?|tg)://\S+", value.strip()):
        raise content_error(
            "url", gettext("must be a link starting with https:// (got '{value}')", value=value)
        )
    return value.strip()


def _check_local_datetime(value: object) -> datetime:
    # The Forum's before-validator has already turned every parseable value into an aware
    # datetime in the forum's time zone; anything else is a mistake in the file.
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value
    raise content_error(
        "datetime",
        gettext(
            "expected a local date and time like '2018-11-14 10:00' (got '{value}')",
            value=str(value),
        ),
    )


Slug = Annotated[str, PlainValidator(_check_id, json_schema_input_type=str)]
Url = Annotated[str, PlainValidator(_check_url, json_schema_input_type=str)]
LocalDateTime = Annotated[
    datetime, PlainValidator(_check_local_datetime, json_schema_input_type=str)
]


def local_text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def zone(name: object) -> ZoneInfo | None:
    if not isinstance(name, str) or not name.strip():
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def localize(value: object, tz: ZoneInfo) -> object:
    """An aware datetime in ``tz`` from a local date-time; unparseable values pass unchanged."""
    moment: datetime | None = None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and re.fullmatch(
        r"\d{4}-\d\d-\d\d[ T]\d\d?:\d\d(:\d\d)?([+-]\d\d:\d\d|Z)?", value.strip()
    ):
        text = value.strip()
        if re.match(r"\d{4}-\d\d-\d\d[ T]\d:", text):  # allow "2018-11-14 9:00"
            text = f"{text[:11]}0{text[11:]}"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return value
    if moment is None:
        return value
    if moment.tzinfo is None:
        return moment.replace(tzinfo=tz)
    return moment.astimezone(tz)
