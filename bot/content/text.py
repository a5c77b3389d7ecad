"""Localized text: one string for every language, or a map of kk/ru/en texts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from bot.content.errors import content_error, gettext
from bot.i18n import LANGUAGES


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
                    raise content_error(
                        "language",
                        gettext("unknown language '{lang}': use kk, ru or en", lang=str(lang)),
                    )
                if text is None or (isinstance(text, str) and not text.strip()):
                    continue  # an empty language counts as missing (a warning, not an error)
                texts[lang] = _scalar_text(text, str(lang))
            if not texts:
                raise content_error("text_empty", gettext("has no text in any language"))
            return cls(texts)
        if value is None:
            raise content_error("text_empty", gettext("must not be empty"))
        text = _scalar_text(value, None)
        if not text:
            raise content_error("text_empty", gettext("must not be empty"))
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


def _scalar_text(value: object, lang: str | None) -> str:
    """A string from a YAML scalar; numbers become text, anything else is an error."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    # Whole sentences per case, so that each language can word them its own way.
    if isinstance(value, bool):
        problem = (
            gettext(
                "expected a text or a map of kk/ru/en texts, got a yes/no value "
                "(put the text in quotes)"
            )
            if lang is None
            else gettext(
                "expected the {lang} text, got a yes/no value (put the text in quotes)", lang=lang
            )
        )
    elif lang is None:
        problem = gettext(
            "expected a text or a map of kk/ru/en texts, got: {kind}", kind=type(value).__name__
        )
    else:
        problem = gettext(
            "expected the {lang} text, got: {kind}", lang=lang, kind=type(value).__name__
        )
    raise content_error("text_type", problem)
