"""Errors of the content file: :class:`ContentError` and :class:`Problem`, a message to translate.

A problem is kept as its English template (a gettext msgid) and its values, and is rendered when
someone reads it: in English at the terminal (``check-content``), in the organizer's language in
the bot. ``gettext(...)`` and ``ngettext(...)`` below build problems; they carry those names so
that Babel extracts their strings into the catalogs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

from pydantic_core import PydanticCustomError

# A value quoted in a message is cut to this many characters: a content file may hold a
# megabyte in one scalar, and an error message must stay readable (and small).
QUOTE_LIMIT = 60


class Translate(Protocol):
    """What rendering needs of a translator (``bot.i18n.Translator`` has both)."""

    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...


def shorten(value: object, limit: int = QUOTE_LIMIT) -> str:
    """``value`` as text of at most ``limit`` characters (an ellipsis marks a cut)."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Verbatim(str):
    """A value quoted in full: the operator's own path on the command line, not file content."""

    __slots__ = ()


class Problem:
    """One message: an English template with ``{name}`` placeholders, and their values."""

    __slots__ = ("count", "plural", "template", "values")

    def __init__(
        self,
        template: str,
        values: Mapping[str, object] | None = None,
        *,
        plural: str | None = None,
        count: int = 1,
    ) -> None:
        self.template = template
        self.plural = plural
        self.count = count
        # Numbers, nested problems and verbatim values stay; anything else is shortened.
        self.values: dict[str, object] = {
            k: v if isinstance(v, int | Problem | Verbatim) else shorten(v)
            for k, v in (values or {}).items()
        }

    def render(self, translate: Translate | None = None) -> str:
        """The message in the translator's language (English without one)."""
        if self.plural is not None:
            if translate is None:
                text = self.template if self.count == 1 else self.plural
            else:
                text = translate.ngettext(self.template, self.plural, self.count)
        else:
            text = self.template if translate is None else translate.gettext(self.template)
        if not self.values:
            return text
        values = {
            k: v.render(translate) if isinstance(v, Problem) else v for k, v in self.values.items()
        }
        return text.format(**values)

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"Problem({self.render()!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return self.render() == other
        if not isinstance(other, Problem):
            return NotImplemented
        return self.render() == other.render()

    def __hash__(self) -> int:
        return hash(self.render())


def gettext(template: str, /, **values: object) -> Problem:
    """A problem to translate when shown (Babel extracts ``template``)."""
    return Problem(template, values)


def ngettext(singular: str, plural: str, n: int, /, **values: object) -> Problem:
    """A problem with a count, translated with the language's plural rules when shown."""
    return Problem(singular, {"n": n, **values}, plural=plural, count=n)


# The location of problems about the file as a whole, and of YAML syntax errors.
FILE = gettext("(file)")


def line_column(line: int, column: int) -> Problem:
    """Where a YAML syntax error is."""
    return gettext("line {line}, column {column}", line=line, column=column)


Location = str | Problem
Errors = list[tuple[Location, Problem]]


class ContentError(Exception):
    """The content file is unusable; ``problems`` lists each one with where it is.

    ``errors`` gives them in English as ``(path, message)`` pairs; :meth:`localized` in a
    reader's language.
    """

    def __init__(
        self, problems: Sequence[tuple[Location, Problem]], source_path: Path | None = None
    ) -> None:
        self.problems: Errors = list(problems)
        self.source_path = source_path
        super().__init__(str(self))

    @property
    def errors(self) -> list[tuple[str, str]]:
        """``(path, message)`` in English."""
        return self.localized(None)

    def localized(self, translate: Translate | None) -> list[tuple[str, str]]:
        """``(path, message)`` in the translator's language."""
        return render_errors(self.problems, translate)

    def __str__(self) -> str:
        return "\n".join(f"{path}: {message}" if path else message for path, message in self.errors)


def render_errors(
    problems: Sequence[tuple[Location, Problem]], translate: Translate | None
) -> list[tuple[str, str]]:
    """``(path, message)`` pairs in the translator's language (English without one)."""
    return [
        (where.render(translate) if isinstance(where, Problem) else where, what.render(translate))
        for where, what in problems
    ]


def content_error(code: str, problem: Problem, /) -> PydanticCustomError:
    """A validation error of the models; the loader turns it back into ``problem``."""
    context: dict[str, object] = dict(problem.values)
    context["msgid"] = problem.template
    return PydanticCustomError(f"content_{code}", problem.template, context)


def plural(count: int, word: str) -> str:
    """``1 item``, ``2 items``: English counts in the terminal summary."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
