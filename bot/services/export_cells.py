"""Exports safe to open: user text never becomes a spreadsheet formula (CSV and XLSX).

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by Excel and LibreOffice ("CSV injection"); a name like ``=HYPERLINK(...)`` would then
send the neighbouring cells (phones, e-mails) to a stranger's server when an organizer opens the
file. Every CSV and XLSX the bot writes goes through this module: CSV cells get a leading ``'``,
XLSX cells are typed as strings explicitly (openpyxl otherwise stores them as formulas).
Moments go in as forum-time datetimes: they sort, and Excel has no time zones.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.i18n import Translator

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# How every date-and-time cell reads: to the minute, as the bot's messages give times (openpyxl's
# default shows seconds). Day first and the year, which a spreadsheet reader sorts and filters by.
MOMENT_FORMAT = "dd.mm.yyyy hh:mm"


def moment_cell(tr: Translator, iso: str | None) -> datetime | None:
    """A stored moment (ISO text with its offset) as a naive forum-time datetime: a date cell
    in XLSX, "2018-11-14 10:30:00" in CSV; both sort as they read."""
    if not iso:
        return None
    return tr.local(datetime.fromisoformat(iso)).replace(tzinfo=None)


def csv_cell(value: Any) -> Any:
    """A CSV cell: None as empty, text that a spreadsheet would evaluate prefixed with ``'``."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(rows: Iterable[Iterable[Any]]) -> bytes:
    """Rows as CSV, every cell neutralized, UTF-8 with a BOM so that Excel reads Cyrillic."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def neutralize_workbook(workbook: Any) -> None:
    """Type every text cell of an openpyxl workbook as a string: no cell is a formula (and give
    every date-and-time cell :data:`MOMENT_FORMAT`).

    The bot never writes formulas on purpose, so every formula cell came from user text.
    """
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
                elif isinstance(cell.value, datetime):
                    cell.number_format = MOMENT_FORMAT


def xlsx_bytes(workbook: Any) -> bytes:
    """The workbook, neutralized, as the bytes of an .xlsx file."""
    neutralize_workbook(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
