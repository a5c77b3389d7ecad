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

from bot.content.errors import ContentError
from bot.content.fields import DEFAULT_TIMEZONE, ID_PATTERN
from bot.content.loader import load_content, parse_content
from bot.content.models import (
    QUESTION_TYPES,
    SESSION_KINDS,
    TEXT_MAX_LENGTH,
    Forum,
    ForumMeta,
    Link,
    Option,
    ProposalTopic,
    Question,
    Session,
    Speaker,
    Survey,
    Track,
)
from bot.content.summary import summarize
from bot.content.text import LocalizedText
from bot.i18n import LANGUAGES

__all__ = [
    "DEFAULT_TIMEZONE",
    "ID_PATTERN",
    "LANGUAGES",
    "QUESTION_TYPES",
    "SESSION_KINDS",
    "TEXT_MAX_LENGTH",
    "ContentError",
    "Forum",
    "ForumMeta",
    "Link",
    "LocalizedText",
    "Option",
    "ProposalTopic",
    "Question",
    "Session",
    "Speaker",
    "Survey",
    "Track",
    "load_content",
    "parse_content",
    "summarize",
]
