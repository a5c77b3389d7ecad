"""Keep the kk/ru/en catalogs in sync with the code, and fill translations.

    python -m tools.po update           extract strings from the code into every .po
    python -m tools.po set FILE.json    add translations (see below), then update
    python -m tools.po check            list missing translations; exit 1 if any

FILE.json maps a msgid to its translations:
    {"Hello {name}": {"kk": "Сәлем, {name}", "ru": "Здравствуйте, {name}"},
     "{n} session": {"plural": "{n} sessions",
                     "kk": ["{n} сессия", "{n} сессия"],
                     "ru": ["{n} сессия", "{n} сессии", "{n} сессий"]},
     "Summary|proposal field": {"msgid": "Summary", "context": "proposal field",
                                "kk": "Қысқаша сипаттама", "ru": "Краткое описание"}}
An entry with "context" (pgettext, pN_) names its msgid in "msgid"; its key is only a label.
English is the source language: its msgstr is the msgid, filled in automatically.
Every command holds a lock on the catalogs, so several people may run it at once.
"""

from __future__ import annotations

import fcntl
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
SOURCE_DIRS = ("bot", "handlers", "storage")
# DEFAULT_KEYWORDS has pgettext and npgettext with their contexts; pN_ marks a msgid with a
# context where it is defined (bot.i18n.pN_), and the context is kept in the catalogs.
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "pN_": ((1, "c"), 2)}
_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def po_path(lang: str) -> Path:
    """The catalog file of ``lang``."""
    return LOCALES / lang / "LC_MESSAGES" / "messages.po"


def extract() -> Catalog:
    """Every translatable string in the code, as a template catalog."""
    template = Catalog(project="civic-forum-bot", charset="utf-8")
    for source in SOURCE_DIRS:
        for filename, lineno, message, comments, context in extract_from_dir(
            ROOT / source,
            method_map=[("**.py", "python")],
            keywords=KEYWORDS,
            comment_tags=("TRANSLATORS:",),
            strip_comment_tags=True,
        ):
            if isinstance(message, tuple) and len(message) == 1:
                message = message[0]
            template.add(
                message,
                None,
                [(f"{source}/{filename}", lineno)],
                auto_comments=comments,
                context=context,
            )
    return template


@contextmanager
def locked() -> Iterator[None]:
    """Hold the catalogs' lock."""
    LOCALES.mkdir(exist_ok=True)
    with (LOCALES / ".lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def read(lang: str) -> Catalog:
    """Read ``lang``'s catalog (an empty one if it does not exist yet)."""
    path = po_path(lang)
    if not path.exists():
        return Catalog(locale=lang, project="civic-forum-bot", charset="utf-8")
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


def write(lang: str, catalog: Catalog) -> None:
    """Write ``lang``'s catalog."""
    path = po_path(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    catalog.fuzzy = False
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100, ignore_obsolete=True, include_lineno=False)


def _sync(lang: str, template: Catalog, old: Catalog) -> Catalog:
    new = Catalog(
        locale=lang,
        project="civic-forum-bot",
        version="1",
        charset="utf-8",
        fuzzy=False,
        header_comment=f"# {lang} translations of Civic Forum Bot.",
        # Fixed dates keep the headers out of every diff.
        creation_date=_EPOCH,
        revision_date=_EPOCH,
        msgid_bugs_address="",
        last_translator="Civic Forum Bot team",
        language_team=lang,
    )
    for message in template:
        if not message.id:
            continue
        previous = old.get(message.id, context=message.context)
        string = previous.string if previous is not None else None
        if lang == "en":
            string = message.id
        elif previous is not None and isinstance(message.id, tuple) != isinstance(
            previous.id, tuple
        ):
            string = None
        new.add(
            message.id,
            string,
            message.locations,
            auto_comments=message.auto_comments,
            context=message.context,
        )
    return new


def update() -> dict[str, int]:
    """Bring every catalog in line with the code; return how many strings are missing."""
    template = extract()
    missing = {}
    for lang in LANGUAGES:
        catalog = _sync(lang, template, read(lang))
        write(lang, catalog)
        missing[lang] = len(untranslated(catalog))
    return missing


def untranslated(catalog: Catalog) -> list[str]:
    """The msgids of ``catalog`` that have no (complete) translation."""
    gaps = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) or message.fuzzy:
            gaps.append(message.id if isinstance(message.id, str) else message.id[0])
    return gaps


def apply(translations: dict[str, dict[str, object]]) -> None:
    """Set the given translations in the kk and ru catalogs (strings must exist in code)."""
    for lang in ("kk", "ru"):
        catalog = read(lang)
        for label, entry in translations.items():
            value = entry.get(lang)
            if value is None:
                continue
            msgid = str(entry.get("msgid", label))
            context = entry.get("context")
            context = None if context is None else str(context)
            key: str | tuple[str, str] = msgid
            if "plural" in entry:
                key = (msgid, str(entry["plural"]))
                value = tuple(value)
            message = catalog.get(msgid, context=context)
            if message is None:
                catalog.add(key, value, context=context)
            else:
                message.string = value
                message.flags.discard("fuzzy")
        write(lang, catalog)


def main(argv: list[str]) -> int:
    """Command line entry."""
    if not argv or argv[0] not in {"update", "set", "check"}:
        print(__doc__)
        return 2
    with locked():
        if argv[0] == "set":
            for name in argv[1:]:
                apply(json.loads(Path(name).read_text(encoding="utf-8")))
        missing = update()
    for lang, count in missing.items():
        print(f"{lang}: {count} missing")
    if argv[0] == "check":
        for lang in LANGUAGES:
            for msgid in untranslated(read(lang)):
                print(f"  {lang}: {msgid!r}")
        return 1 if any(missing.values()) else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
