"""The content models, from :class:`ForumMeta` to :class:`Forum` with its lookups."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bot.content.errors import content_error, gettext
from bot.content.fields import (
    DEFAULT_TIMEZONE,
    LocalDateTime,
    Slug,
    Url,
    local_text,
    localize,
    zone,
)
from bot.content.text import LocalizedText
from bot.i18n import LANGUAGES

SESSION_KINDS: Final = ("registration", "plenary", "panel", "workshop", "break", "networking")
QUESTION_TYPES: Final = ("single", "multi", "rating", "scale", "text")
TEXT_MAX_LENGTH: Final = 2000  # default max_length of a text answer
TEXT_MAX_LENGTH_LIMIT: Final = 4000  # a Telegram message holds 4096 characters
SCALE_MAX_STEPS: Final = 10  # at most 11 buttons for a rating or scale

Language = Literal["kk", "ru", "en"]
SessionKind = Literal["registration", "plenary", "panel", "workshop", "break", "networking"]
QuestionType = Literal["single", "multi", "rating", "scale", "text"]


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
        if zone(value) is None:
            raise content_error(
                "timezone",
                gettext(
                    "unknown time zone '{value}': use an IANA name like Asia/Almaty", value=value
                ),
            )
        return value

    @field_validator("ends")
    @classmethod
    def _ends_not_before_starts(cls, value: date, info: ValidationInfo) -> date:
        starts = info.data.get("starts")
        if starts is not None and value < starts:
            raise content_error(
                "ends_before_starts",
                gettext(
                    "the forum ends ({ends}) before it starts ({starts})",
                    ends=value.isoformat(),
                    starts=starts.isoformat(),
                ),
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
            raise content_error(
                "photo", gettext("expected a file path relative to the content file")
            )
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
            raise content_error(
                "ends_before_starts",
                gettext(
                    "ends ({ends}) must be after starts ({starts})",
                    ends=local_text(value),
                    starts=local_text(starts),
                ),
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
            raise content_error(
                "options_missing", gettext("a {kind} question needs at least 2 options", kind=kind)
            )
        if kind not in ("single", "multi", None) and value:
            raise content_error(
                "options_forbidden", gettext("options are only for single and multi questions")
            )
        return value

    @field_validator("min")
    @classmethod
    def _min_for_scales(cls, value: int | None, info: ValidationInfo) -> int | None:
        kind = info.data.get("type")
        if kind in ("rating", "scale"):
            if value is None:
                return 1 if kind == "rating" else 0
            if value < 0:
                raise content_error("scale", gettext("min must be 0 or more"))
            return value
        if value is not None and kind is not None:
            raise content_error(
                "scale_forbidden", gettext("min is only for rating and scale questions")
            )
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
                raise content_error(
                    "scale",
                    gettext(
                        "max must be above min ({low}) and at most min + {steps}",
                        low=low,
                        steps=SCALE_MAX_STEPS,
                    ),
                )
            return value
        if value is not None and kind is not None:
            raise content_error(
                "scale_forbidden", gettext("max is only for rating and scale questions")
            )
        return value

    @field_validator("min_label", "max_label")
    @classmethod
    def _labels_for_scales(
        cls, value: LocalizedText | None, info: ValidationInfo
    ) -> LocalizedText | None:
        kind = info.data.get("type")
        if value is not None and kind is not None and kind not in ("rating", "scale"):
            raise content_error(
                "scale_forbidden", gettext("labels are only for rating and scale questions")
            )
        return value

    @field_validator("max_length")
    @classmethod
    def _max_length_for_text(cls, value: int | None, info: ValidationInfo) -> int | None:
        kind = info.data.get("type")
        if kind == "text":
            if value is None:
                return TEXT_MAX_LENGTH
            if not 1 <= value <= TEXT_MAX_LENGTH_LIMIT:
                raise content_error(
                    "max_length",
                    gettext(
                        "max_length must be between 1 and {limit}", limit=TEXT_MAX_LENGTH_LIMIT
                    ),
                )
            return value
        if value is not None and kind is not None:
            raise content_error(
                "max_length_forbidden", gettext("max_length is only for text questions")
            )
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
            raise content_error(
                "closes_before_opens",
                gettext(
                    "closes ({closes}) must be after opens ({opens})",
                    closes=local_text(value),
                    opens=local_text(opens),
                ),
            )
        return value

    @field_validator("after_session")
    @classmethod
    def _not_both_openings(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and info.data.get("opens") is not None:
            raise content_error("opening", gettext("give either opens or after_session, not both"))
        return value

    def question(self, question_id: str) -> Question | None:
        """The question with this id."""
        return next((q for q in self.questions if q.id == question_id), None)


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
        tz = zone(name) or ZoneInfo(DEFAULT_TIMEZONE)  # a bad zone is reported on its field
        data = dict(data)
        for section, keys in (("sessions", ("starts", "ends")), ("surveys", ("opens", "closes"))):
            items = data.get(section)
            if isinstance(items, list | tuple):
                data[section] = [
                    {k: (localize(v, tz) if k in keys else v) for k, v in item.items()}
                    if isinstance(item, Mapping)
                    else item
                    for item in items
                ]
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
