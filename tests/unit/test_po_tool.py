"""tools/po.py: translations with a context are set on the entry of that context only."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from tools import po


def test_set_fills_each_context_separately(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(po, "LOCALES", tmp_path)
    for lang in ("kk", "ru"):
        catalog = Catalog(locale=lang)
        catalog.add("Summary", None, context="proposal field")
        catalog.add("Summary", None, context="results sheet")
        po.write(lang, catalog)
    po.apply(
        {
            "Summary|proposal field": {
                "msgid": "Summary",
                "context": "proposal field",
                "kk": "Қысқаша сипаттама",
                "ru": "Краткое описание",
            },
            "Summary|results sheet": {
                "msgid": "Summary",
                "context": "results sheet",
                "kk": "Жиынтық",
                "ru": "Сводка",
            },
        }
    )
    ru = po.read("ru")
    assert ru.get("Summary", context="proposal field").string == "Краткое описание"
    assert ru.get("Summary", context="results sheet").string == "Сводка"
    assert ru.get("Summary") is None  # no entry without a context was made up
    assert po.read("kk").get("Summary", context="results sheet").string == "Жиынтық"
