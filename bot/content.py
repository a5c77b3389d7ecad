"""The forum's content: agenda, speakers, surveys and proposal topics, loaded from one YAML file.

``load_content(path)`` reads the file, validates it with pydantic and returns an immutable
:class:`Forum`, or raises :class:`ContentError` listing every problem with its path in the file
(``sessions[3].starts: ...``). Validation runs in two passes: the structure of each item first
(types, required fields, id format, ``ends`` after ``starts`` ...), then, once the structure is
sound, the checks across the document (unique ids, known references, dates inside the forum,
photo files). The schema is documented for organizers in ``content/README.md``.

A localized text is one string (the same in every language) or a map with ``kk``, ``ru`` and
``en`` keys. After loading every :class:`LocalizedText` has all three languages; a missing one is
filled from the forum's default language (else from any language present) and reported in
:attr:`Forum.warnings`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from babel.dates import format_date
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainValidator,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

__all__ = [
    "DEFAULT_TIMEZONE",
    "ID_PATTERN",
    "LANGUAGES",
    "QUESTION_TYPES",
    "SESSION_KINDS",
    "TEXT_MAX_LENGTH",
    "ContentError",
    "Criterion",
    "Forum",
    "ForumMeta",
    "Link",
    "LocalizedText",
    "Option",
    "ProposalTopic",
    "ProposalsCall",
    "Question",
    "RecommendationItem",
    "ReviewPhase",
    "ReviewScale",
    "Session",
    "Speaker",
    "Survey",
    "Track",
    "load_content",
    "parse_content",
    "summarize",
]

LANGUAGES: Final = ("kk", "ru", "en")
DEFAULT_TIMEZONE: Final = "Asia/Almaty"
ID_PATTERN: Final = re.compile(r"[a-z0-9_-]{1,32}")
SESSION_KINDS: Final = ("registration", "plenary", "panel", "workshop", "break", "networking")
QUESTION_TYPES: Final = ("single", "multi", "rating", "scale", "text")
TEXT_MAX_LENGTH: Final = 2000  # default max_length of a text answer
TEXT_MAX_LENGTH_LIMIT: Final = 4000  # a Telegram message holds 4096 characters
SCALE_MAX_STEPS: Final = 10  # at most 11 buttons for a rating or scale
PHOTO_SUFFIXES: Final = (".jpg", ".jpeg", ".png")
PHOTO_MAX_BYTES: Final = 10 * 1024 * 1024  # Telegram's limit for photos

Language = Literal["kk", "ru", "en"]
SessionKind = Literal["registration", "plenary", "panel", "workshop", "break", "networking"]
QuestionType = Literal["single", "multi", "rating", "scale", "text"]

_FILE = "(file)"  # the path of errors about the file as a whole


# --------------------------------------------------------------------------------------------
# Errors


class ContentError(Exception):
    """The content file is unusable; ``errors`` lists each problem as ``(path, message)``."""

    def __init__(self, errors: Sequence[tuple[str, str]], source_path: Path | None = None) -> None:
        self.errors: list[tuple[str, str]] = list(errors)
        self.source_path = source_path
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(f"{path}: {message}" if path else message for path, message in self.errors)


def _error(code: str, message: str, /, **context: Any) -> PydanticCustomError:
    return PydanticCustomError(f"content_{code}", message, context or None)


# --------------------------------------------------------------------------------------------
# Localized text


class LocalizedText:
    """A text in kk, ru and en; ``get(lang)`` falls back to the default language.

    Built from one string (the same text in every language) or a mapping of language to text.
    Immutable and hashable; usable as a pydantic field type, where it accepts the same inputs.
    """

    __slots__ = ("_default", "_explicit", "_texts")

    _texts: dict[str, str]
    _explicit: frozenset[str]
    _default: str

    def __init__(self, texts: str | Mapping[str, str], default: str | None = None) -> None:
        if isinstance(texts, str):
            if not texts.strip():
                raise ValueError("a localized text must not be empty")
            values = dict.fromkeys(LANGUAGES, texts)
            explicit = frozenset(LANGUAGES)
        else:
            unknown = [lang for lang in texts if lang not in LANGUAGES]
            if unknown:
                raise ValueError(f"unknown languages {unknown}; use {', '.join(LANGUAGES)}")
            values = {lang: texts[lang] for lang in LANGUAGES if texts.get(lang)}
            if not values:
                raise ValueError("a localized text needs at least one language")
            explicit = frozenset(values)
        if default is not None and default not in LANGUAGES:
            raise ValueError(f"unknown default language {default!r}")
        if default is None or default not in values:
            default = next(lang for lang in LANGUAGES if lang in values)
        object.__setattr__(self, "_texts", values)
        object.__setattr__(self, "_explicit", explicit)
        object.__setattr__(self, "_default", default)

    def get(self, lang: str | None) -> str:
        """The text in ``lang``; an unknown or missing language gives the default one."""
        if lang is not None and lang in self._texts:
            return self._texts[lang]
        return self._texts[self._default]

    @property
    def default_language(self) -> str:
        """The language used when the asked one is missing."""
        return self._default

    @property
    def explicit_languages(self) -> frozenset[str]:
        """Languages written in the content (a plain string counts for all of them)."""
        return self._explicit

    @property
    def missing_languages(self) -> tuple[str, ...]:
        """Languages not written in the content (filled by fallback after loading)."""
        return tuple(lang for lang in LANGUAGES if lang not in self._explicit)

    def filled(self, default: str) -> LocalizedText:
        """A copy with every language present, gaps taken from ``default`` (else any language)."""
        source = default if default in self._texts else self._default
        result = LocalizedText.__new__(LocalizedText)
        texts = {lang: self._texts.get(lang, self._texts[source]) for lang in LANGUAGES}
        object.__setattr__(result, "_texts", texts)
        object.__setattr__(result, "_explicit", self._explicit)
        object.__setattr__(result, "_default", default if default in LANGUAGES else source)
        return result

    def fallback_source(self, default: str) -> str:
        """The language :meth:`filled` copies gaps from."""
        return default if default in self._explicit else self._default

    def as_dict(self) -> dict[str, str]:
        """Language -> text, for the languages present."""
        return dict(self._texts)

    def __str__(self) -> str:
        return self._texts[self._default]

    def __repr__(self) -> str:
        return f"LocalizedText({self._texts!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LocalizedText):
            return NotImplemented
        return self._texts == other._texts

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._texts.items())))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("LocalizedText is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("LocalizedText is immutable")

    @classmethod
    def _validate(cls, value: object) -> LocalizedText:
        if isinstance(value, LocalizedText):
            return value
        if isinstance(value, Mapping):
            texts: dict[str, str] = {}
            for lang, text in value.items():
                if lang not in LANGUAGES:
                    raise _error(
                        "language",
                        "unknown language '{lang}': use kk, ru or en",
                        lang=str(lang),
                    )
                if text is None or (isinstance(text, str) and not text.strip()):
                    continue  # an empty language counts as missing (a warning, not an error)
                texts[lang] = _scalar_text(text, f"the {lang} text")
            if not texts:
                raise _error("text_empty", "has no text in any language")
            return cls(texts)
        if value is None:
            raise _error("text_empty", "must not be empty")
        text = _scalar_text(value, "a text")
        if not text:
            raise _error("text_empty", "must not be empty")
        return cls(text)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls._validate,
            serialization=core_schema.plain_serializer_function_ser_schema(cls.as_dict),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        text = {"type": "string", "minLength": 1}
        return {
            "anyOf": [
                text,
                {
                    "type": "object",
                    "properties": dict.fromkeys(LANGUAGES, text),
                    "additionalProperties": False,
                    "minProperties": 1,
                },
            ]
        }


def _scalar_text(value: object, what: str) -> str:
    """A string from a YAML scalar; numbers become text, anything else is an error."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    kind = "a yes/no value" if isinstance(value, bool) else f"a {type(value).__name__}"
    raise _error(
        "text_type",
        "expected {what} or a map of kk/ru/en texts, got {kind} (put the text in quotes)",
        what=what,
        kind=kind,
    )


# --------------------------------------------------------------------------------------------
# Field types


def _check_id(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise _error("id_type", "an id must be a short text like 'opening'")
    if not ID_PATTERN.fullmatch(value):
        raise _error(
            "id_format",
            "'{value}' is not a valid id: use 1-32 characters from a-z, 0-9, '_' and '-'",
            value=value,
        )
    return value


def _check_url(value: object) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"(https?|tg)://\S+", value.strip()):
        raise _error("url", "must be a link starting with https:// (got '{value}')", value=value)
    return value.strip()


def _check_local_datetime(value: object) -> datetime:
    # The Forum's before-validator has already turned every parseable value into an aware
    # datetime in the forum's time zone; anything else is a mistake in the file.
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value
    raise _error(
        "datetime",
        "expected a local date and time like '2018-11-14 10:00' (got '{value}')",
        value=str(value),
    )


Slug = Annotated[str, PlainValidator(_check_id, json_schema_input_type=str)]
Url = Annotated[str, PlainValidator(_check_url, json_schema_input_type=str)]
LocalDateTime = Annotated[
    datetime, PlainValidator(_check_local_datetime, json_schema_input_type=str)
]


def _local_text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


# --------------------------------------------------------------------------------------------
# Models


class _Model(BaseModel):
    """Frozen, strict about unknown keys; a ``null`` list in YAML means an empty list."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _null_lists(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            lists = [n for n, f in cls.model_fields.items() if f.default == ()]
            if any(data.get(n, ()) is None for n in lists):
                return {k: (() if k in lists and v is None else v) for k, v in data.items()}
        return data


class ForumMeta(_Model):
    """The forum itself: name, dates, place, time zone and default language."""

    id: Slug
    name: LocalizedText
    timezone: str = DEFAULT_TIMEZONE
    default_language: Language
    venue: LocalizedText
    address: LocalizedText | None = None
    website: Url | None = None
    starts: date
    ends: date
    description: LocalizedText
    organizers: LocalizedText | None = None

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        if _zone(value) is None:
            raise _error(
                "timezone",
                "unknown time zone '{value}': use an IANA name like Asia/Almaty",
                value=value,
            )
        return value

    @field_validator("ends")
    @classmethod
    def _ends_not_before_starts(cls, value: date, info: ValidationInfo) -> date:
        starts = info.data.get("starts")
        if starts is not None and value < starts:
            raise _error(
                "ends_before_starts",
                "the forum ends ({ends}) before it starts ({starts})",
                ends=value.isoformat(),
                starts=starts.isoformat(),
            )
        return value

    @property
    def tz(self) -> ZoneInfo:
        """The forum's time zone."""
        return ZoneInfo(self.timezone)

    def dates(self) -> list[date]:
        """Every date from ``starts`` to ``ends``."""
        return [self.starts + timedelta(days=i) for i in range((self.ends - self.starts).days + 1)]


class Track(_Model):
    """A thematic track that sessions may belong to."""

    id: Slug
    title: LocalizedText
    description: LocalizedText | None = None


class ProposalTopic(_Model):
    """One of the forum's own categories for NGO proposals."""

    id: Slug
    title: LocalizedText
    description: LocalizedText | None = None


class Link(_Model):
    """A titled web link."""

    title: LocalizedText
    url: Url


class Speaker(_Model):
    """A speaker or moderator. ``photo`` is an absolute path after loading."""

    id: Slug
    name: LocalizedText
    position: LocalizedText
    bio: LocalizedText
    photo: Path | None = None
    links: tuple[Link, ...] = ()

    @field_validator("photo", mode="before")
    @classmethod
    def _photo_path(cls, value: object) -> object:
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise _error("photo", "expected a file path relative to the content file")
        return value.strip()


class Session(_Model):
    """One item of the agenda; times are aware datetimes in the forum's time zone."""

    id: Slug
    title: LocalizedText
    starts: LocalDateTime
    ends: LocalDateTime
    room: LocalizedText
    kind: SessionKind
    track: Slug | None = None
    description: LocalizedText | None = None
    speakers: tuple[Slug, ...] = ()
    moderators: tuple[Slug, ...] = ()

    @field_validator("ends")
    @classmethod
    def _ends_after_starts(cls, value: datetime, info: ValidationInfo) -> datetime:
        starts = info.data.get("starts")
        if starts is not None and value <= starts:
            raise _error(
                "ends_before_starts",
                "ends ({ends}) must be after starts ({starts})",
                ends=_local_text(value),
                starts=_local_text(starts),
            )
        return value

    @property
    def starts_utc(self) -> datetime:
        """Start in UTC."""
        return self.starts.astimezone(UTC)

    @property
    def ends_utc(self) -> datetime:
        """End in UTC."""
        return self.ends.astimezone(UTC)

    @property
    def duration(self) -> timedelta:
        """How long the session lasts."""
        return self.ends - self.starts

    @property
    def day(self) -> date:
        """The forum-local date the session starts on."""
        return self.starts.date()

    @property
    def people(self) -> tuple[str, ...]:
        """Moderator and speaker ids, each once, moderators first."""
        return tuple(dict.fromkeys((*self.moderators, *self.speakers)))

    def is_running(self, moment: datetime) -> bool:
        """Whether ``moment`` (aware) falls within the session."""
        return self.starts <= moment < self.ends


class Option(_Model):
    """An answer choice of a single or multi question."""

    id: Slug
    text: LocalizedText


class Question(_Model):
    """A survey question.

    ``options`` only for single/multi (at least two); ``min``/``max`` (and labels) only for
    rating (default 1-5) and scale (default 0-10); ``max_length`` only for text (default 2000).
    """

    id: Slug
    type: QuestionType
    text: LocalizedText
    required: bool = True
    options: tuple[Option, ...] = Field(default=(), validate_default=True)
    min: int | None = Field(default=None, validate_default=True)
    max: int | None = Field(default=None, validate_default=True)
    min_label: LocalizedText | None = None
    max_label: LocalizedText | None = None
    max_length: int | None = Field(default=None, validate_default=True)

    @field_validator("options")
    @classmethod
    def _options_for_choices(cls, value: tuple[Option, ...], info: ValidationInfo) -> object:
        kind = info.data.get("type")
        if kind in ("single", "multi") and len(value) < 2:
            raise _error("options_missing", "a {kind} question needs at least 2 options", kind=kind)
        if kind not in ("single", "multi", None) and value:
            raise _error("options_forbidden", "options are only for single and multi questions")
        return value

    @field_validator("min")
    @classmethod
    def _min_for_scales(cls, value: int | None, info: ValidationInfo) -> int | None:
        kind = info.data.get("type")
        if kind in ("rating", "scale"):
            if value is None:
                return 1 if kind == "rating" else 0
            if value < 0:
                raise _error("scale", "min must be 0 or more")
            return value
        if value is not None and kind is not None:
            raise _error("scale_forbidden", "min is only for rating and scale questions")
        return value

    @field_validator("max")
    @classmethod
    def _max_for_scales(cls, value: int | None, info: ValidationInfo) -> int | None:
        kind = info.data.get("type")
        if kind in ("rating", "scale"):
            low = info.data.get("min")
            if value is None:
                value = 5 if kind == "rating" else 10
            if low is not None and not low < value <= low + SCALE_MAX_STEPS:
                raise _error(
                    "scale",
                    "max must be above min ({low}) and at most min + {steps}",
                    low=low,
                    steps=SCALE_MAX_STEPS,
                )
            return value
        if value is not None and kind is not None:
            raise _error("scale_forbidden", "max is only for rating and scale questions")
        return value

    @field_validator("min_label", "max_label")
    @classmethod
    def _labels_for_scales(
        cls, value: LocalizedText | None, info: ValidationInfo
    ) -> LocalizedText | None:
        kind = info.data.get("type")
        if value is not None and kind is not None and kind not in ("rating", "scale"):
            raise _error("scale_forbidden", "labels are only for rating and scale questions")
        return value

    @field_validator("max_length")
    @classmethod
    def _max_length_for_text(cls, value: int | None, info: ValidationInfo) -> int | None:
        kind = info.data.get("type")
        if kind == "text":
            if value is None:
                return TEXT_MAX_LENGTH
            if not 1 <= value <= TEXT_MAX_LENGTH_LIMIT:
                raise _error(
                    "max_length",
                    "max_length must be between 1 and {limit}",
                    limit=TEXT_MAX_LENGTH_LIMIT,
                )
            return value
        if value is not None and kind is not None:
            raise _error("max_length_forbidden", "max_length is only for text questions")
        return value

    def option(self, option_id: str) -> Option | None:
        """The option with this id."""
        return next((o for o in self.options if o.id == option_id), None)

    @property
    def scale(self) -> range:
        """The values of a rating or scale question (empty for other types)."""
        if self.min is None or self.max is None:
            return range(0)
        return range(self.min, self.max + 1)


class Survey(_Model):
    """A survey: open between ``opens`` and ``closes``, or after a session ends."""

    id: Slug
    title: LocalizedText
    intro: LocalizedText
    anonymous: bool
    opens: LocalDateTime | None = None
    closes: LocalDateTime | None = None
    after_session: Slug | None = None
    questions: tuple[Question, ...] = Field(min_length=1)

    @field_validator("closes")
    @classmethod
    def _closes_after_opens(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        opens = info.data.get("opens")
        if value is not None and opens is not None and value <= opens:
            raise _error(
                "closes_before_opens",
                "closes ({closes}) must be after opens ({opens})",
                closes=_local_text(value),
                opens=_local_text(opens),
            )
        return value

    @field_validator("after_session")
    @classmethod
    def _not_both_openings(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and info.data.get("opens") is not None:
            raise _error("opening", "give either opens or after_session, not both")
        return value

    def question(self, question_id: str) -> Question | None:
        """The question with this id."""
        return next((q for q in self.questions if q.id == question_id), None)


# -- phases of the call for proposals, the review and the recommendations ----------------------


class ProposalsCall(_Model):
    """When the call for proposals accepts submissions (forum time; ``None``: no limit)."""

    opens: LocalDateTime | None = None
    closes: LocalDateTime | None = None

    @field_validator("closes")
    @classmethod
    def _closes_after_opens(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        opens = info.data.get("opens")
        if value is not None and opens is not None and value <= opens:
            raise _error(
                "closes_before_opens",
                "closes ({closes}) must be after opens ({opens})",
                closes=_local_text(value),
                opens=_local_text(opens),
            )
        return value


class ReviewScale(_Model):
    """A criterion's scale: whole numbers from ``min`` to ``max`` with labelled ends."""

    min: int = Field(default=1, ge=0)
    max: int = 5
    min_label: LocalizedText
    max_label: LocalizedText

    @field_validator("max")
    @classmethod
    def _max_above_min(cls, value: int, info: ValidationInfo) -> int:
        low = info.data.get("min")
        if low is not None and not low < value <= low + SCALE_MAX_STEPS:
            raise _error(
                "scale",
                "max must be above min ({low}) and at most min + {steps}",
                low=low,
                steps=SCALE_MAX_STEPS,
            )
        return value

    @property
    def values(self) -> range:
        """Every score a reviewer may give."""
        return range(self.min, self.max + 1)


class Criterion(_Model):
    """One criterion of the review rubric; its weight counts in the weighted mean score."""

    id: Slug
    title: LocalizedText
    description: LocalizedText | None = None
    weight: float = Field(default=1.0, gt=0, le=100)
    scale: ReviewScale


class ReviewPhase(_Model):
    """How proposals are reviewed: the rubric, reviewers per proposal, blindness, the deadline."""

    criteria: tuple[Criterion, ...] = Field(min_length=1)
    reviewers_per_proposal: int = Field(default=3, ge=1, le=10)
    blind: bool = True
    closes: LocalDateTime | None = None

    def criterion(self, criterion_id: str) -> Criterion | None:
        """The criterion with this id."""
        return next((c for c in self.criteria if c.id == criterion_id), None)


class RecommendationItem(_Model):
    """A recommendation written in the content file (organizers may also write them in chat)."""

    id: Slug
    topic: Slug
    text: LocalizedText
    proposals: tuple[Annotated[str, Field(pattern=r"^P-\d{4,}$")], ...] = ()


class Forum(_Model):
    """The loaded content. Immutable; sessions are sorted by start time.

    Build it with :func:`load_content` or :func:`parse_content`: only they run the checks across
    the document and fill in missing translations.
    """

    forum: ForumMeta
    tracks: tuple[Track, ...] = ()
    speakers: tuple[Speaker, ...] = ()
    sessions: tuple[Session, ...] = ()
    surveys: tuple[Survey, ...] = ()
    proposal_topics: tuple[ProposalTopic, ...] = ()
    proposals: ProposalsCall = Field(default_factory=ProposalsCall)
    review: ReviewPhase | None = None
    recommendations: tuple[RecommendationItem, ...] = ()

    _warnings: tuple[str, ...] = PrivateAttr(default=())
    _gaps: dict[str, int] = PrivateAttr(default_factory=dict)
    _source_path: Path | None = PrivateAttr(default=None)
    _fingerprint: str = PrivateAttr(default="")
    _index: _Index | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _localize_times(cls, data: Any) -> Any:
        """Turn the sessions' and surveys' local date-times into aware forum-time datetimes."""
        if not isinstance(data, Mapping):
            return data
        meta = data.get("forum")
        name = meta.get("timezone", DEFAULT_TIMEZONE) if isinstance(meta, Mapping) else None
        tz = _zone(name) or ZoneInfo(DEFAULT_TIMEZONE)  # a bad zone is reported on its field
        data = dict(data)
        for section, keys in (("sessions", ("starts", "ends")), ("surveys", ("opens", "closes"))):
            items = data.get(section)
            if isinstance(items, list | tuple):
                data[section] = [
                    {k: (_localize(v, tz) if k in keys else v) for k, v in item.items()}
                    if isinstance(item, Mapping)
                    else item
                    for item in items
                ]
        phases: tuple[tuple[str, tuple[str, ...]], ...] = (
            ("proposals", ("opens", "closes")),
            ("review", ("closes",)),
        )
        for section, names in phases:
            phase = data.get(section)
            if isinstance(phase, Mapping):
                data[section] = {
                    k: (_localize(v, tz) if k in names else v) for k, v in phase.items()
                }
        return data

    # -- loading results ---------------------------------------------------------------------

    @property
    def warnings(self) -> list[str]:
        """Problems that do not stop the bot: each missing translation, overlaps."""
        return list(self._warnings)

    @property
    def translation_gaps(self) -> dict[str, int]:
        """Language -> how many texts lack it (and use a fallback)."""
        return dict(self._gaps)

    @property
    def languages_covered(self) -> tuple[str, ...]:
        """Languages in which every text of the content is written (no fallback needed)."""
        return tuple(lang for lang in LANGUAGES if not self._gaps.get(lang))

    @property
    def source_path(self) -> Path | None:
        """The file the content was loaded from."""
        return self._source_path

    @property
    def fingerprint(self) -> str:
        """sha256 (hex) of the content file's bytes: changes whenever the file does."""
        return self._fingerprint

    # -- lookups -----------------------------------------------------------------------------

    def _idx(self) -> _Index:
        if self._index is None:
            self._index = _Index(self)
        return self._index

    def session(self, session_id: str) -> Session | None:
        """The session with this id."""
        return self._idx().sessions.get(session_id)

    def speaker(self, speaker_id: str) -> Speaker | None:
        """The speaker with this id."""
        return self._idx().speakers.get(speaker_id)

    def survey(self, survey_id: str) -> Survey | None:
        """The survey with this id."""
        return self._idx().surveys.get(survey_id)

    def track(self, track_id: str) -> Track | None:
        """The track with this id."""
        return self._idx().tracks.get(track_id)

    def proposal_topic(self, topic_id: str) -> ProposalTopic | None:
        """The proposal topic with this id."""
        return self._idx().topics.get(topic_id)

    def sessions_of_speaker(self, speaker_id: str) -> list[Session]:
        """Sessions where the person speaks or moderates, by start time."""
        return list(self._idx().by_speaker.get(speaker_id, ()))

    def days(self) -> list[date]:
        """Forum-local dates that have sessions; the forum's date range if there are none."""
        days = sorted(self._idx().by_day)
        return days or self.forum.dates()

    def sessions_on(self, day: date) -> list[Session]:
        """Sessions starting on this forum-local date, by start time."""
        return list(self._idx().by_day.get(day, ()))

    def sessions_at(self, moment: datetime) -> list[Session]:
        """Sessions running at ``moment`` (aware)."""
        return [s for s in self.sessions if s.is_running(moment)]

    def next_sessions(self, moment: datetime, limit: int = 5) -> list[Session]:
        """The next sessions to start after ``moment`` (aware), parallel ones together."""
        upcoming = [s for s in self.sessions if s.starts > moment]
        if not upcoming or limit <= 0:
            return []
        last_start = upcoming[min(limit, len(upcoming)) - 1].starts
        return [s for s in upcoming if s.starts <= last_start]

    def survey_window(self, survey: Survey) -> tuple[datetime | None, datetime | None]:
        """When the survey opens and closes (forum time); ``None`` means no limit."""
        opens = survey.opens
        if survey.after_session is not None:
            session = self.session(survey.after_session)
            opens = session.ends if session is not None else None
        return opens, survey.closes

    def survey_is_open(self, survey: Survey, moment: datetime) -> bool:
        """Whether answers to ``survey`` are accepted at ``moment`` (aware)."""
        opens, closes = self.survey_window(survey)
        return (opens is None or opens <= moment) and (closes is None or moment < closes)


class _Index:
    """Lookup tables of a Forum, built on first use."""

    def __init__(self, forum: Forum) -> None:
        self.sessions = {s.id: s for s in forum.sessions}
        self.speakers = {s.id: s for s in forum.speakers}
        self.surveys = {s.id: s for s in forum.surveys}
        self.tracks = {t.id: t for t in forum.tracks}
        self.topics = {t.id: t for t in forum.proposal_topics}
        self.by_speaker: dict[str, list[Session]] = {}
        self.by_day: dict[date, list[Session]] = {}
        for item in forum.sessions:  # already sorted by start
            for person in item.people:
                self.by_speaker.setdefault(person, []).append(item)
            self.by_day.setdefault(item.day, []).append(item)


def _zone(name: object) -> ZoneInfo | None:
    if not isinstance(name, str) or not name.strip():
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _localize(value: object, tz: ZoneInfo) -> object:
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


# --------------------------------------------------------------------------------------------
# Loading


class _Loader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys (PyYAML silently keeps the last one)."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        try:
            duplicate = key in seen
        except TypeError:
            continue  # unhashable key: construct_mapping reports it
        if duplicate:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}'", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_content(path: Path) -> Forum:
    """Read, validate and return the forum content in ``path``; raise :class:`ContentError`."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ContentError([(_FILE, f"file not found: {path}")], path) from None
    except IsADirectoryError:
        raise ContentError([(_FILE, f"{path} is a folder, not a file")], path) from None
    except OSError as exc:
        raise ContentError([(_FILE, f"cannot read {path}: {exc.strerror or exc}")], path) from None
    return parse_content(data, source_path=path)


def parse_content(data: bytes | str, *, source_path: Path | None = None) -> Forum:
    """Validate YAML content given as bytes or text (photos are relative to ``source_path``)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ContentError(
            [(_FILE, f"not UTF-8 text (byte {exc.start}); save the file as UTF-8")], source_path
        ) from None
    document = _parse_yaml(text, source_path)
    try:
        forum = Forum.model_validate(document)
    except ValidationError as exc:
        raise ContentError(_pydantic_errors(exc), source_path) from None
    base = source_path.parent if source_path is not None else Path.cwd()
    errors = list(_cross_check(forum, base))
    if errors:
        raise ContentError(errors, source_path)
    return _finish(forum, base, source_path, hashlib.sha256(raw).hexdigest())


_YAML_HINTS: Final = {
    "mapping values are not allowed": "a text containing ': ' must be in quotes",
    "'\\t'": "indent with spaces, not tabs",
    "could not find expected ':'": "check the indentation and the quotes of the lines above",
}


def _parse_yaml(text: str, source_path: Path | None) -> dict[str, Any]:
    try:
        document = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else _FILE
        message = exc.problem or "invalid YAML"
        if exc.context:
            message = f"{message} ({exc.context})"
        for clue, hint in _YAML_HINTS.items():
            if clue in message:
                message = f"{message}; {hint}"
        raise ContentError([(where, f"YAML syntax: {message}")], source_path) from None
    except yaml.YAMLError as exc:
        raise ContentError([(_FILE, f"YAML syntax: {exc}")], source_path) from None
    if document is None:
        raise ContentError([(_FILE, "the file is empty")], source_path)
    if not isinstance(document, dict):
        raise ContentError(
            [
                (
                    _FILE,
                    "the top level must be a mapping with forum, speakers, sessions, surveys, "
                    f"... (found {_kind_of(document)})",
                )
            ],
            source_path,
        )
    return document


def _kind_of(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        return "a text"
    return f"a {type(value).__name__}"


def _path(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _pydantic_errors(exc: ValidationError) -> list[tuple[str, str]]:
    result = []
    for err in exc.errors(include_url=False):
        kind, message, given = err["type"], err["msg"], err.get("input")
        if kind == "missing":
            message = "required field is missing"
        elif kind == "extra_forbidden":
            message = "unknown field (check the spelling; see content/README.md)"
        elif kind in ("model_type", "model_attributes_type", "dict_type"):
            message = f"expected a mapping of fields, got {_kind_of(given)}"
        elif kind in ("tuple_type", "list_type"):
            message = f"expected a list ('- ' items), got {_kind_of(given)}"
        elif kind == "too_short":
            least = err.get("ctx", {}).get("min_length", 1)
            message = f"needs at least {_plural(least, 'item')}"
        elif kind == "literal_error":
            message = f"must be {err.get('ctx', {}).get('expected', '?')} (got {given!r})"
        elif not kind.startswith("content_") and isinstance(given, str | int | float | bool | date):
            message = f"{message} (got {given!r})"
        result.append((_path(err["loc"]), message))
    return result


# --------------------------------------------------------------------------------------------
# Checks across the document


def _cross_check(forum: Forum, base: Path) -> Iterator[tuple[str, str]]:
    """Unique ids, known references, sessions within the forum dates, photo files."""
    sections: list[tuple[str, Sequence[Any]]] = [
        ("tracks", forum.tracks),
        ("speakers", forum.speakers),
        ("sessions", forum.sessions),
        ("surveys", forum.surveys),
        ("proposal_topics", forum.proposal_topics),
        ("recommendations", forum.recommendations),
    ]
    for name, items in sections:
        yield from _unique(name, items)
    for i, survey in enumerate(forum.surveys):
        yield from _unique(f"surveys[{i}].questions", survey.questions)
        for j, question in enumerate(survey.questions):
            yield from _unique(f"surveys[{i}].questions[{j}].options", question.options)

    speakers = {s.id for s in forum.speakers}
    tracks = {t.id for t in forum.tracks}
    sessions = {s.id for s in forum.sessions}
    meta = forum.forum
    for i, item in enumerate(forum.sessions):
        where = f"sessions[{i}]"
        if item.track is not None and item.track not in tracks:
            yield f"{where}.track", _unknown("track", item.track, tracks)
        for field in ("speakers", "moderators"):
            for j, person in enumerate(getattr(item, field)):
                if person not in speakers:
                    yield f"{where}.{field}[{j}]", _unknown("speaker", person, speakers)
        span = f"{meta.starts.isoformat()} – {meta.ends.isoformat()}"
        if not meta.starts <= item.starts.date() <= meta.ends:
            yield (
                f"{where}.starts",
                f"{_local_text(item.starts)} is outside the forum dates ({span})",
            )
        elif (item.ends - timedelta(microseconds=1)).date() > meta.ends:
            yield f"{where}.ends", f"{_local_text(item.ends)} is after the forum ends ({span})"
    for i, survey in enumerate(forum.surveys):
        if survey.after_session is not None and survey.after_session not in sessions:
            yield (
                f"surveys[{i}].after_session",
                _unknown("session", survey.after_session, sessions),
            )
    yield from _phase_checks(forum)
    for i, speaker in enumerate(forum.speakers):
        if speaker.photo is not None:
            problem = _photo_problem(base, speaker.photo)
            if problem:
                yield f"speakers[{i}].photo", problem


def _phase_checks(forum: Forum) -> Iterator[tuple[str, str]]:
    """The review after the call, unique criteria, recommendations on known topics."""
    call, review = forum.proposals, forum.review
    if review is not None:
        yield from _unique("review.criteria", review.criteria)
        if review.closes is not None and call.closes is not None and review.closes <= call.closes:
            yield (
                "review.closes",
                f"{_local_text(review.closes)} must be after proposals.closes"
                f" ({_local_text(call.closes)})",
            )
    topics = {t.id for t in forum.proposal_topics}
    for i, item in enumerate(forum.recommendations):
        if item.topic not in topics:
            yield f"recommendations[{i}].topic", _unknown("proposal topic", item.topic, topics)


def _unique(where: str, items: Sequence[Any]) -> Iterator[tuple[str, str]]:
    first: dict[str, int] = {}
    for i, item in enumerate(items):
        if item.id in first:
            yield (
                f"{where}[{i}].id",
                f"duplicate id '{item.id}' (already used by {where}[{first[item.id]}])",
            )
        else:
            first[item.id] = i


def _unknown(what: str, value: str, known: set[str]) -> str:
    listed = ", ".join(sorted(known)) if known else "none defined"
    if len(known) > 12:
        listed = ", ".join(sorted(known)[:12]) + ", ..."
    return f"unknown {what} '{value}' (known: {listed})"


def _photo_problem(base: Path, photo: Path) -> str | None:
    if photo.is_absolute():
        return f"'{photo}' must be a path relative to the content file"
    file = (base / photo).resolve()
    if not file.is_file():
        return f"file not found: {photo} (looked for {file})"
    if file.suffix.lower() not in PHOTO_SUFFIXES:
        return f"{photo}: use a JPEG or PNG file"
    if file.stat().st_size > PHOTO_MAX_BYTES:
        return f"{photo} is larger than 10 MB (Telegram's limit for photos)"
    return None


# --------------------------------------------------------------------------------------------
# Finishing: translations, sorting, warnings


def _finish(forum: Forum, base: Path, source_path: Path | None, fingerprint: str) -> Forum:
    default = forum.forum.default_language
    gaps: list[tuple[str, str, str]] = []  # (path, missing language, language used)
    filled = _fill(forum, "", default, gaps)
    assert isinstance(filled, Forum)
    speakers = tuple(
        s.model_copy(update={"photo": (base / s.photo).resolve()}) if s.photo else s
        for s in filled.speakers
    )
    order = sorted(range(len(filled.sessions)), key=lambda i: (filled.sessions[i].starts, i))
    sessions = tuple(filled.sessions[i] for i in order)
    result = filled.model_copy(update={"speakers": speakers, "sessions": sessions})

    warnings = [f"{path}: no {lang} text, using {used}" for path, lang, used in gaps]
    warnings += _overlap_warnings(filled.sessions)
    counts = {lang: 0 for lang in LANGUAGES}
    for _, lang, _ in gaps:
        counts[lang] += 1
    result._warnings = tuple(warnings)
    result._gaps = counts
    result._source_path = source_path
    result._fingerprint = fingerprint
    result._index = None
    return result


def _fill(value: Any, path: str, default: str, gaps: list[tuple[str, str, str]]) -> Any:
    """``value`` with every LocalizedText inside filled; records each gap with its path."""
    if isinstance(value, LocalizedText):
        source = value.fallback_source(default)
        gaps.extend((path, lang, source) for lang in value.missing_languages)
        return value.filled(default)
    if isinstance(value, BaseModel):
        updates = {}
        for name in type(value).model_fields:
            old = getattr(value, name)
            new = _fill(old, f"{path}.{name}" if path else name, default, gaps)
            if new is not old:
                updates[name] = new
        return value.model_copy(update=updates) if updates else value
    if isinstance(value, tuple):
        items = tuple(_fill(v, f"{path}[{i}]", default, gaps) for i, v in enumerate(value))
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    return value


def _overlap_warnings(sessions: Sequence[Session]) -> list[str]:
    """Sessions sharing a room or a person at the same time (paths in file order)."""
    warnings = []
    for i, a in enumerate(sessions):
        for j in range(i):
            b = sessions[j]
            if not (a.starts < b.ends and b.starts < a.ends):
                continue
            if a.room == b.room:
                warnings.append(
                    f"sessions[{i}]: overlaps sessions[{j}] ('{b.id}') in the same room"
                    f" '{a.room.get('en')}'"
                )
            for person in sorted(set(a.people) & set(b.people)):
                warnings.append(
                    f"sessions[{i}]: '{person}' is also in sessions[{j}] ('{b.id}') at that time"
                )
    return warnings


# --------------------------------------------------------------------------------------------
# Summary for check-content


def _date(day: date) -> str:
    return format_date(day, "EEE d MMM y", locale="en")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def summarize(forum: Forum) -> str:
    """A plain-English overview of the content for organizers at a terminal."""
    meta = forum.forum
    days = forum.days()
    first = datetime.combine(meta.starts, datetime.min.time(), meta.tz)
    offset = first.strftime("%z")
    dates = (
        _date(meta.starts)
        if meta.starts == meta.ends
        else (f"{_date(meta.starts)} – {_date(meta.ends)}")
    )
    questions = sum(len(s.questions) for s in forum.surveys)
    lines = [
        f"Forum:      {meta.name.get('en')} [{meta.id}]",
        f"Dates:      {dates}, time zone {meta.timezone} (UTC{offset[:3]}:{offset[3:]})",
        f"Venue:      {meta.venue.get('en')}",
    ]
    if meta.address is not None:
        lines.append(f"Address:    {meta.address.get('en')}")
    lines.append(
        f"Programme:  {_plural(len(days), 'day')}, {_plural(len(forum.sessions), 'session')}"
    )
    for day in days:
        items = forum.sessions_on(day)
        if items:
            rooms = len({s.room for s in items})
            start = min(s.starts for s in items).strftime("%H:%M")
            end = max(s.ends for s in items).strftime("%H:%M")
            lines.append(
                f"  {_date(day)}: {_plural(len(items), 'session')}, {start}–{end}, "
                f"{_plural(rooms, 'room')}"
            )
    photos = sum(1 for s in forum.speakers if s.photo is not None)
    lines.append(f"Speakers:   {len(forum.speakers)} ({photos} with a photo)")
    if forum.tracks:
        counts = {t.id: 0 for t in forum.tracks}
        for s in forum.sessions:
            if s.track is not None:
                counts[s.track] += 1
        lines.append(f"Tracks:     {len(forum.tracks)}")
        lines += [
            f"  {t.id}: {t.title.get('en')} ({_plural(counts[t.id], 'session')})"
            for t in forum.tracks
        ]
    else:
        lines.append("Tracks:     none")
    lines.append(f"Surveys:    {len(forum.surveys)} with {_plural(questions, 'question')} in all")
    for survey in forum.surveys:
        if survey.after_session is not None:
            when = f"after session {survey.after_session}"
        else:
            opens, closes = survey.opens, survey.closes
            when = (
                f"{_local_text(opens) if opens else 'open'} – "
                f"{_local_text(closes) if closes else 'no end'}"
            )
        privacy = "anonymous" if survey.anonymous else "not anonymous"
        lines.append(
            f"  {survey.id}: {_plural(len(survey.questions), 'question')}, {privacy}, {when}"
        )
    lines.append(f"Topics:     {len(forum.proposal_topics)} proposal topics")
    if forum.review is not None:
        review = forum.review
        deadline = f", closes {_local_text(review.closes)}" if review.closes else ""
        lines.append(
            f"Review:     {len(review.criteria)} criteria,"
            f" {review.reviewers_per_proposal} reviewers per proposal,"
            f" {'blind' if review.blind else 'not blind'}{deadline}"
        )
    if forum.recommendations:
        lines.append(f"Recommendations: {len(forum.recommendations)} in the file")
    covered = forum.languages_covered
    gaps = forum.translation_gaps
    language_line = ", ".join(covered) + " complete" if covered else "none complete"
    partial = [f"{lang} ({_plural(n, 'gap')})" for lang, n in gaps.items() if n]
    if partial:
        language_line += "; falling back: " + ", ".join(partial)
    lines.append(f"Languages:  {language_line}; default {meta.default_language}")
    lines.append(f"Fingerprint: sha256:{forum.fingerprint[:16]}")
    warnings = forum.warnings
    if warnings:
        lines.append(f"{_plural(len(warnings), 'warning')}:")
        lines += [f"  {w}" for w in warnings]
    else:
        lines.append("No warnings.")
    return "\n".join(lines)
