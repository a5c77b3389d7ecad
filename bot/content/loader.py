"""Reading a content file: bytes -> YAML -> validated :class:`Forum`, or :class:`ContentError`.

Validation runs in two passes: the structure of each item first (types, required fields, id
format, ``ends`` after ``starts`` ...), then, once the structure is sound, the checks across the
document (:mod:`bot.content.checks`); :mod:`bot.content.finish` fills missing translations.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, Final

import yaml
from pydantic import ValidationError

from bot.content.checks import cross_check
from bot.content.errors import FILE, ContentError, plural
from bot.content.finish import finish
from bot.content.models import Forum


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
        raise ContentError([(FILE, f"file not found: {path}")], path) from None
    except IsADirectoryError:
        raise ContentError([(FILE, f"{path} is a folder, not a file")], path) from None
    except OSError as exc:
        raise ContentError([(FILE, f"cannot read {path}: {exc.strerror or exc}")], path) from None
    return parse_content(data, source_path=path)


def parse_content(data: bytes | str, *, source_path: Path | None = None) -> Forum:
    """Validate YAML content given as bytes or text (photos are relative to ``source_path``)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ContentError(
            [(FILE, f"not UTF-8 text (byte {exc.start}); save the file as UTF-8")], source_path
        ) from None
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
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else FILE
        message = exc.problem or "invalid YAML"
        if exc.context:
            message = f"{message} ({exc.context})"
        for clue, hint in _YAML_HINTS.items():
            if clue in message:
                message = f"{message}; {hint}"
        raise ContentError([(where, f"YAML syntax: {message}")], source_path) from None
    except yaml.YAMLError as exc:
        raise ContentError([(FILE, f"YAML syntax: {exc}")], source_path) from None
    if document is None:
        raise ContentError([(FILE, "the file is empty")], source_path)
    if not isinstance(document, dict):
        raise ContentError(
            [
                (
                    FILE,
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
            message = f"needs at least {plural(least, 'item')}"
        elif kind == "literal_error":
            message = f"must be {err.get('ctx', {}).get('expected', '?')} (got {given!r})"
        elif not kind.startswith("content_") and isinstance(given, str | int | float | bool | date):
            message = f"{message} (got {given!r})"
        result.append((_path(err["loc"]), message))
    return result
