"""Reading a content file: bytes -> YAML -> validated :class:`Forum`, or :class:`ContentError`.

Validation runs in two passes: the structure of each item first (types, required fields, id
format, ``ends`` after ``starts`` ...), then, once the structure is sound, the checks across the
document (:mod:`bot.content.checks`); :mod:`bot.content.finish` fills missing translations.
"""

from __future__ import annotations

import hashlib
import reprlib
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, Final

import yaml
from pydantic import ValidationError

from bot.content.checks import cross_check
from bot.content.errors import (
    FILE,
    QUOTE_LIMIT,
    ContentError,
    Errors,
    Problem,
    Verbatim,
    gettext,
    line_column,
    ngettext,
    shorten,
)
from bot.content.finish import finish
from bot.content.models import Forum

# A content file is a few hundred kilobytes of YAML; these bounds are far above any real
# forum (the sample: about 1,300 nodes once its anchors are expanded, 5 aliases) and far
# below what exhausts the bot: a 40 KB "billion laughs" file expands to 10^10 nodes.
MAX_NODES: Final = 200_000  # nodes of the document with every alias expanded
MAX_ALIASES: Final = 2_000  # uses of an anchor (``*name`` and ``<<: *name``)


class _TooLarge(yaml.YAMLError):
    """The document exceeds :data:`MAX_NODES` or :data:`MAX_ALIASES`."""


class _Loader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys and bounds alias expansion.

    PyYAML keeps an alias as a second reference to the same node, so the document stays small
    in memory while it is composed; the cost comes later, when the tree is walked with every
    reference expanded (validation, error messages). The size of that expanded tree is counted
    on the node graph (each node once) before anything is constructed.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise _TooLarge(f"more than {MAX_ALIASES} aliases")
        return super().compose_node(parent, index)

    def construct_document(self, node: yaml.Node) -> Any:
        if _expanded_size(node) > MAX_NODES:
            raise _TooLarge(f"more than {MAX_NODES} values once aliases are expanded")
        return super().construct_document(node)


def _expanded_size(root: yaml.Node) -> int:
    """Nodes in the tree under ``root`` with every alias expanded (each node visited once)."""
    sizes: dict[int, int] = {}
    # Iterative post-order walk: a 10-deep alias chain must not cost recursion either.
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if children_done or not children:
            total = 1 + sum(sizes.get(id(child), 0) for child in children)
            sizes[id(node)] = total
            if total > MAX_NODES:
                return total
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


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
            raise _DuplicateKey(shorten(key), key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node)


class _DuplicateKey(yaml.MarkedYAMLError):
    def __init__(self, key: str, mark: yaml.Mark) -> None:
        super().__init__(None, None, f"duplicate key '{key}'", mark)
        self.key = key


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_content(path: Path) -> Forum:
    """Read, validate and return the forum content in ``path``; raise :class:`ContentError`."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ContentError(
            [(FILE, gettext("file not found: {path}", path=Verbatim(path)))], path
        ) from None
    except IsADirectoryError:
        raise ContentError(
            [(FILE, gettext("{path} is a folder, not a file", path=Verbatim(path)))], path
        ) from None
    except OSError as exc:
        raise ContentError(
            [
                (
                    FILE,
                    gettext(
                        "cannot read {path}: {reason}",
                        path=Verbatim(path),
                        reason=exc.strerror or exc,
                    ),
                )
            ],
            path,
        ) from None
    return parse_content(data, source_path=path)


def parse_content(data: bytes | str, *, source_path: Path | None = None) -> Forum:
    """Validate YAML content given as bytes or text (photos are relative to ``source_path``)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problem = gettext("not UTF-8 text (byte {byte}); save the file as UTF-8", byte=exc.start)
        raise ContentError([(FILE, problem)], source_path) from None
    document = _parse_yaml(text, source_path)
    try:
        forum = Forum.model_validate(document)
    except ValidationError as exc:
        raise ContentError(_pydantic_errors(exc), source_path) from None
    base = source_path.parent if source_path is not None else Path.cwd()
    errors = list(cross_check(forum, base))
    if errors:
        raise ContentError(errors, source_path)
    return finish(forum, base, source_path, hashlib.sha256(raw).hexdigest())


# PyYAML's own messages stay in English; a hint in the reader's language says what to do.
_YAML_HINTS: Final = {
    "mapping values are not allowed": gettext("a text containing ': ' must be in quotes"),
    "'\\t'": gettext("indent with spaces, not tabs"),
    "could not find expected ':'": gettext(
        "check the indentation and the quotes of the lines above"
    ),
}


def _parse_yaml(text: str, source_path: Path | None) -> dict[str, Any]:
    try:
        document = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except _TooLarge:
        problem = gettext(
            "the file has too many values once its aliases (*name) are expanded: "
            "at most {nodes} values and {aliases} aliases",
            nodes=MAX_NODES,
            aliases=MAX_ALIASES,
        )
        raise ContentError([(FILE, problem)], source_path) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = line_column(mark.line + 1, mark.column + 1) if mark else FILE
        if isinstance(exc, _DuplicateKey):
            problem = gettext("YAML syntax: duplicate key '{key}'", key=exc.key)
        else:
            message = exc.problem or "invalid YAML"
            if exc.context:
                message = f"{message} ({exc.context})"
            problem = gettext("YAML syntax: {message}", message=shorten(message, 200))
            for clue, hint in _YAML_HINTS.items():
                if clue in message:
                    problem = gettext(
                        "YAML syntax: {message}; {hint}", message=shorten(message, 200), hint=hint
                    )
        raise ContentError([(where, problem)], source_path) from None
    except yaml.YAMLError as exc:
        problem = gettext("YAML syntax: {message}", message=shorten(exc, 200))
        raise ContentError([(FILE, problem)], source_path) from None
    if document is None:
        raise ContentError([(FILE, gettext("the file is empty"))], source_path)
    if not isinstance(document, dict):
        problem = gettext(
            "the top level must be a mapping with forum, speakers, sessions, surveys, "
            "... (found {kind})",
            kind=_kind_of(document),
        )
        raise ContentError([(FILE, problem)], source_path)
    return document


def _kind_of(value: object) -> Problem:
    if isinstance(value, list):
        return gettext("a list")
    if isinstance(value, dict):
        return gettext("a mapping")
    if isinstance(value, str):
        return gettext("a text")
    return gettext("a value of type {type}", type=type(value).__name__)


def _path(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else shorten(part)
    return out


def _pydantic_errors(exc: ValidationError) -> Errors:
    result: Errors = []
    for err in exc.errors(include_url=False):
        kind, given = err["type"], err.get("input")
        context = dict(err.get("ctx") or {})
        problem: Problem
        if kind.startswith("content_"):
            template = str(context.pop("msgid", err["msg"]))
            problem = Problem(template, context)
        elif kind == "missing":
            problem = gettext("required field is missing")
        elif kind == "extra_forbidden":
            problem = gettext("unknown field (check the spelling; see content/README.md)")
        elif kind in ("model_type", "model_attributes_type", "dict_type"):
            problem = gettext("expected a mapping of fields, got {kind}", kind=_kind_of(given))
        elif kind in ("tuple_type", "list_type"):
            problem = gettext("expected a list ('- ' items), got {kind}", kind=_kind_of(given))
        elif kind == "too_short":
            least = int(context.get("min_length", 1))
            problem = ngettext("needs at least {n} item", "needs at least {n} items", least)
        elif kind == "literal_error":
            # pydantic lists the schema's choices as "'a', 'b' or 'c'": the "or" is translated.
            first, _, last = str(context.get("expected", "?")).rpartition(" or ")
            expected: Problem | Verbatim = (
                gettext("{first} or {last}", first=Verbatim(first), last=Verbatim(last))
                if first
                else Verbatim(last)
            )
            problem = gettext(
                "must be {expected} (got {value})", expected=expected, value=_quoted(given)
            )
        elif isinstance(given, str | int | float | bool | date):
            # pydantic's own message, in English: rare in a hand-written file.
            problem = gettext("{message} (got {value})", message=err["msg"], value=_quoted(given))
        else:
            problem = Problem(err["msg"])  # pydantic's English, not in the catalogs
        result.append((_path(err["loc"]), problem))
    return result


_REPR = reprlib.Repr()  # Python 3.11's Repr takes no arguments
_REPR.maxlevel, _REPR.maxlist, _REPR.maxdict = 2, 4, 4
_REPR.maxstring = _REPR.maxother = QUOTE_LIMIT


def _quoted(value: object) -> str:
    """A wrong value for a message: short however large it is (reprlib never expands it all)."""
    return shorten(_REPR.repr(value))
