"""Survey and rating results for organizers: numbers, a text summary, charts, XLSX, CSV, text.

Everything here is pure: it takes the content and the exported rows and returns text or bytes.
Exports of anonymous surveys carry only the random respondent token (no user id, no names, no
times), so nothing in them leads back to a person; and a stakeholder group or language with
fewer than ``min_group`` respondents (ANONYMITY_MIN_GROUP) is not named on a row nor given
figures of its own, only "fewer than 5 responses" (with as many others as keep it from being
worked out by subtraction: bot/services/anonymity.py).
"""

from __future__ import annotations

import io
import statistics
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bot.content import Forum, Question, Survey
from bot.i18n import Translator
from bot.labels import STAKEHOLDER_LABELS
from bot.services import export_cells
from bot.services.anonymity import hidden_groups
from storage.ratings import Rating, RatingSummary
from storage.surveys import ExportRow

CHART_TYPES = ("single", "multi", "rating", "scale")
MESSAGE_LIMIT = 4000
MIN_GROUP = 5  # the default of Settings.anonymity_min_group


@dataclass
class QuestionStats:
    """One question's numbers: who answered, counts per option or value, the mean."""

    question: Question
    answered: int = 0  # responses with an answer (skips excluded)
    skipped: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # option id or str(value) -> count
    values: list[int] = field(default_factory=list)  # rating/scale values
    texts: list[str] = field(default_factory=list)

    @property
    def mean(self) -> float | None:
        """Average of a rating or scale (None without answers)."""
        return statistics.fmean(self.values) if self.values else None

    @property
    def median(self) -> float | None:
        """Median of a rating or scale."""
        return statistics.median(self.values) if self.values else None

    def share(self, key: str) -> float:
        """Fraction of the question's respondents who gave ``key``."""
        return self.counts.get(key, 0) / self.answered if self.answered else 0.0


def group_label(tr: Translator, group: str | None) -> str:
    """A stakeholder group's name, or "not specified"."""
    if group in STAKEHOLDER_LABELS:
        return tr._(STAKEHOLDER_LABELS[group])
    return tr._("Not specified")


def fewer_than(tr: Translator, min_group: int) -> str:
    """What stands for a group too small to show: "fewer than 5 responses"."""
    return tr.ngettext("fewer than {n} response", "fewer than {n} responses", min_group).format(
        n=min_group
    )


def small_groups(
    survey: Survey, rows: list[ExportRow], min_group: int, field: str = "stakeholder"
) -> set[str | None]:
    """Values of ``field`` (stakeholder, language) to hide: those shared by fewer than
    ``min_group`` rows, and as many more as keep them from being the total minus the others.

    Only anonymous surveys hide them: the organizers see the names of a named survey anyway.
    """
    if not survey.anonymous:
        return set()
    return hidden_groups(Counter(getattr(r.response, field) for r in rows), min_group)


def final_rows(rows: list[ExportRow]) -> list[ExportRow]:
    """Rows with their multiple-choice drafts removed (only given answers count)."""
    return [
        ExportRow(r.response, {q: a for q, a in r.answers.items() if a.final}, r.name, r.username)
        for r in rows
    ]


def question_stats(question: Question, rows: list[ExportRow]) -> QuestionStats:
    """Count the answers to one question."""
    stats = QuestionStats(question)
    if question.type in ("single", "multi"):
        stats.counts = {o.id: 0 for o in question.options}
    elif question.type in ("rating", "scale"):
        stats.counts = {str(v): 0 for v in question.scale}
    for row in rows:
        answer = row.answers.get(question.id)
        if answer is None or answer.draft:
            continue
        if answer.skipped or answer.value is None:
            stats.skipped += 1
            continue
        stats.answered += 1
        value = answer.value
        if question.type == "single":
            stats.counts[str(value)] = stats.counts.get(str(value), 0) + 1
        elif question.type == "multi":
            for item in value:
                stats.counts[str(item)] = stats.counts.get(str(item), 0) + 1
        elif question.type in ("rating", "scale"):
            stats.values.append(int(value))
            stats.counts[str(value)] = stats.counts.get(str(value), 0) + 1
        else:
            stats.texts.append(str(value))
    return stats


def key_label(tr: Translator, question: Question, key: str) -> str:
    """The localized label of an option id or a scale value."""
    if question.type in ("single", "multi"):
        option = question.option(key)
        return option.text.get(tr.language) if option else key
    return key


def _number(tr: Translator, value: float) -> str:
    return tr.number(round(value, 1))


def summary_text(tr: Translator, survey: Survey, rows: list[ExportRow]) -> str:
    """A short text summary: responses, then each question's main figures."""
    lang = tr.language
    complete = sum(1 for r in rows if r.response.completed)
    lines = [
        f"📊 {survey.title.get(lang)}",
        tr.ngettext("{n} response", "{n} responses", len(rows)).format(n=len(rows))
        + ", "
        + tr.ngettext("{n} complete", "{n} complete", complete).format(n=complete),
        tr._("Anonymous survey.") if survey.anonymous else tr._("Named survey."),
    ]
    for number, question in enumerate(survey.questions, 1):
        stats = question_stats(question, rows)
        lines += ["", f"{number}. {question.text.get(lang)}"]
        answered = tr.ngettext("{n} answer", "{n} answers", stats.answered).format(n=stats.answered)
        if question.type in ("rating", "scale"):
            if stats.mean is None:
                lines.append(answered)
            else:
                lines.append(
                    tr._("Average {mean} of {max} (median {median}); {answered}").format(
                        mean=_number(tr, stats.mean),
                        max=question.max,
                        median=_number(tr, stats.median or 0),
                        answered=answered,
                    )
                )
        elif question.type in ("single", "multi"):
            lines.append(answered)
            ranked = sorted(stats.counts.items(), key=lambda kv: -kv[1])
            for key, count in ranked:
                lines.append(
                    f"  • {key_label(tr, question, key)}: {count} ({tr.percent(stats.share(key))})"
                )
        else:
            lines.append(answered)
        if stats.skipped:
            lines.append(
                tr.ngettext("{n} skipped", "{n} skipped", stats.skipped).format(n=stats.skipped)
            )
    return "\n".join(lines)


def breakdown_text(
    tr: Translator, survey: Survey, rows: list[ExportRow], min_group: int = MIN_GROUP
) -> str:
    """Responses per stakeholder group, with each rating/scale average per group."""
    groups = Counter(r.response.stakeholder for r in rows)
    hidden = small_groups(survey, rows, min_group)
    lines = [tr._("By stakeholder group:")]
    scored = [q for q in survey.questions if q.type in ("rating", "scale")]
    for group, count in sorted(groups.items(), key=lambda kv: (-kv[1], kv[0] or "")):
        if group in hidden:
            lines.append(f"• {group_label(tr, group)}: {fewer_than(tr, min_group)}")
            continue
        members = [r for r in rows if r.response.stakeholder == group]
        line = "• {group}: {responses}".format(
            group=group_label(tr, group),
            responses=tr.ngettext("{n} response", "{n} responses", count).format(n=count),
        )
        means = []
        for question in scored:
            mean = question_stats(question, members).mean
            if mean is not None:
                means.append(f"{question.id} {_number(tr, mean)}")
        if means:
            line += " — " + tr._("averages: {values}").format(values=", ".join(means))
        lines.append(line)
    if not groups:
        lines.append(tr._("No responses yet."))
    return "\n".join(lines)


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Cut a long text into messages at line breaks."""
    chunks, current = [], ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks


# ---------------------------------------------------------------------------------------------
# Charts


def chart_png(tr: Translator, question: Question, stats: QuestionStats) -> bytes:
    """A horizontal bar chart with counts and percentages, sized for a phone screen."""
    # Imported here, not at the top: matplotlib costs ~30 MiB and ~0.6 s at start-up, and
    # only organizers asking for charts need it (see benchmarks/README.md).
    import matplotlib

    matplotlib.use("Agg")  # headless: no display on the server
    import matplotlib.ticker
    from matplotlib.figure import Figure

    keys = list(stats.counts)
    labels = [textwrap.fill(key_label(tr, question, k), 28) for k in keys]
    counts = [stats.counts[k] for k in keys]
    if question.type == "rating":
        labels = [f"{k} ★" for k in keys]
    if question.type in ("rating", "scale") and keys:
        if question.min_label is not None:
            labels[0] += "\n" + textwrap.fill(question.min_label.get(tr.language), 20)
        if question.max_label is not None:
            labels[-1] += "\n" + textwrap.fill(question.max_label.get(tr.language), 20)
    height = max(3.2, 0.55 * len(keys) + 1.8)
    figure = Figure(figsize=(7.2, height), dpi=150)
    axes = figure.subplots()
    positions = list(range(len(keys)))
    bars = axes.barh(positions, counts, color="#2f6db5")
    axes.set_yticks(positions, labels, fontsize=11)
    axes.invert_yaxis()  # first option on top
    top = max(counts, default=0) or 1
    axes.set_xlim(0, top * 1.35)
    for bar, key in zip(bars, keys, strict=True):
        count = stats.counts[key]
        axes.text(
            bar.get_width() + top * 0.02,
            bar.get_y() + bar.get_height() / 2,
            f"{count} ({tr.percent(stats.share(key))})",
            va="center",
            fontsize=11,
        )
    title = textwrap.fill(question.text.get(tr.language), 60)
    figure.suptitle(title, x=0.02, ha="left", fontsize=13)
    footer = tr.ngettext("{n} answer", "{n} answers", stats.answered).format(n=stats.answered)
    if stats.mean is not None:
        footer += " · " + tr._("average {mean}").format(mean=_number(tr, stats.mean))
    if question.type == "multi":
        footer += " · " + tr._("several answers possible")
    axes.set_xlabel(footer, fontsize=11)
    axes.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")  # a bare Figure: no pyplot state, thread-safe
    return buffer.getvalue()


def charts(tr: Translator, survey: Survey, rows: list[ExportRow]) -> list[tuple[Question, bytes]]:
    """One chart per choice, rating and scale question."""
    return [
        (q, chart_png(tr, q, question_stats(q, rows)))
        for q in survey.questions
        if q.type in CHART_TYPES
    ]


# ---------------------------------------------------------------------------------------------
# Tables: raw answers, summaries, CSV, free text


def cell(tr: Translator, question: Question, rows_answer: Any) -> str | int | None:
    """One answer as a spreadsheet cell (localized option texts, numbers as numbers)."""
    answer = rows_answer
    if answer is None or answer.draft:
        return None
    if answer.skipped:
        return tr._("(skipped)")
    value = answer.value
    if question.type == "single":
        return key_label(tr, question, str(value))
    if question.type == "multi":
        return "; ".join(key_label(tr, question, str(v)) for v in value)
    if question.type in ("rating", "scale"):
        return int(value)
    return str(value)


def raw_table(
    tr: Translator, survey: Survey, rows: list[ExportRow], min_group: int = MIN_GROUP
) -> list[list[Any]]:
    """Header and one row per response; anonymous: respondent token only, small groups hidden."""
    hidden_groups = small_groups(survey, rows, min_group)
    hidden_languages = small_groups(survey, rows, min_group, "language")
    header: list[Any] = [tr._("Respondent")]
    if not survey.anonymous:
        header += [
            tr._("User id"),
            tr._("Name"),
            tr._("Username"),
            tr.pgettext("date column", "Started"),
            tr.pgettext("date column", "Updated"),
        ]
    header += [tr._("Stakeholder group"), tr._("Language"), tr._("Complete")]
    header += [q.text.get(tr.language) for q in survey.questions]
    table = [header]
    for row in rows:
        response = row.response
        line: list[Any] = [response.respondent]
        if not survey.anonymous:
            line += [
                response.user_id,
                row.name,
                f"@{row.username}" if row.username else None,
                export_cells.moment_cell(tr, response.started_at),
                export_cells.moment_cell(tr, response.updated_at),
            ]
        line += [
            fewer_than(tr, min_group)
            if response.stakeholder in hidden_groups
            else group_label(tr, response.stakeholder),
            fewer_than(tr, min_group)
            if response.language in hidden_languages
            else response.language,
            tr._("yes") if response.completed else tr._("no"),
        ]
        line += [cell(tr, q, row.answers.get(q.id)) for q in survey.questions]
        table.append(line)
    return table


def summary_table(
    tr: Translator, survey: Survey, rows: list[ExportRow], min_group: int = MIN_GROUP
) -> list[list[Any]]:
    """Question, answer, count, share: one line per option or value, means for scales."""
    table: list[list[Any]] = [[tr._("Question"), tr._("Answer"), tr._("Count"), tr._("Share")]]
    for question in survey.questions:
        stats = question_stats(question, rows)
        text = question.text.get(tr.language)
        for key, count in stats.counts.items():
            table.append([text, key_label(tr, question, key), count, round(stats.share(key), 4)])
        if stats.mean is not None:
            table.append([text, tr._("Average"), round(stats.mean, 2), None])
        table.append([text, tr._("Answered"), stats.answered, None])
        if stats.skipped:
            table.append([text, tr._("Skipped"), stats.skipped, None])
    table.append([])
    table.append([tr._("By stakeholder group"), tr._("Group"), tr._("Count"), tr._("Share")])
    groups = Counter(r.response.stakeholder for r in rows)
    hidden = small_groups(survey, rows, min_group)
    for group, count in sorted(groups.items(), key=lambda kv: -kv[1]):
        if group in hidden:
            table.append(["", group_label(tr, group), fewer_than(tr, min_group), None])
            continue
        table.append(
            ["", group_label(tr, group), count, round(count / len(rows), 4) if rows else 0]
        )
    return table


def xlsx_bytes(
    tr: Translator, survey: Survey, rows: list[ExportRow], min_group: int = MIN_GROUP
) -> bytes:
    """A workbook with the raw answers, the summary and the free-text answers."""
    from openpyxl import Workbook  # imported on use: heavy, and only exports need it
    from openpyxl.styles import Font

    workbook = Workbook()
    raw = workbook.active
    raw.title = tr._("Answers")[:31]
    for line in raw_table(tr, survey, rows, min_group):
        raw.append(line)
    summary = workbook.create_sheet(tr.pgettext("results sheet", "Summary")[:31])
    for line in summary_table(tr, survey, rows, min_group):
        summary.append(line)
    for r, line in enumerate(summary.iter_rows(min_row=2), start=2):
        if isinstance(line[3].value, float):
            summary.cell(r, 4).number_format = "0.0%"
    texts = workbook.create_sheet(tr._("Free text")[:31])
    texts.append([tr._("Question"), tr._("Respondent"), tr._("Answer")])
    for question in survey.questions:
        if question.type != "text":
            continue
        for row in rows:
            answer = row.answers.get(question.id)
            if answer is not None and not answer.skipped and answer.value:
                texts.append(
                    [question.text.get(tr.language), row.response.respondent, answer.value]
                )
    for sheet in workbook.worksheets:
        for header_cell in sheet[1]:
            header_cell.font = Font(bold=True)
        for column in sheet.columns:
            width = max((len(str(c.value)) for c in column if c.value is not None), default=8)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width, 8), 60)
        sheet.freeze_panes = "A2"
    return export_cells.xlsx_bytes(workbook)


def csv_bytes(
    tr: Translator, survey: Survey, rows: list[ExportRow], min_group: int = MIN_GROUP
) -> bytes:
    """The raw answers as CSV (UTF-8 with a BOM so Excel reads Cyrillic)."""
    return export_cells.csv_bytes(raw_table(tr, survey, rows, min_group))


def free_text(tr: Translator, survey: Survey, rows: list[ExportRow]) -> str | None:
    """Every free-text answer grouped by question, or None if there are none."""
    parts = []
    for question in survey.questions:
        if question.type != "text":
            continue
        answers = [
            str(a.value)
            for r in rows
            if (a := r.answers.get(question.id)) is not None and not a.skipped and a.value
        ]
        if answers:
            parts.append(question.text.get(tr.language))
            parts.append("")
            parts += [f"— {text}" for text in answers]
            parts.append("")
    if not parts:
        return None
    return f"{survey.title.get(tr.language)}\n\n" + "\n".join(parts)


# ---------------------------------------------------------------------------------------------
# Session ratings


def ratings_text(tr: Translator, forum: Forum, summaries: list[RatingSummary]) -> str:
    """Rated sessions in programme order with count and average."""
    if not summaries:
        return tr._("No session has been rated yet.")
    by_id = {s.session_id: s for s in summaries}
    lines = [tr._("⭐ Session ratings:")]
    order = [s.id for s in forum.sessions if s.id in by_id] + [
        i for i in by_id if forum.session(i) is None
    ]
    for session_id in order:
        item = by_id[session_id]
        session = forum.session(session_id)
        title = session.title.get(tr.language) if session else session_id
        lines.append(
            "• {title}: {average} ★ — {ratings}".format(
                title=title,
                average=_number(tr, item.average),
                ratings=tr.ngettext("{n} rating", "{n} ratings", item.count).format(n=item.count),
            )
            + (
                ", "
                + tr.ngettext("{n} comment", "{n} comments", item.comments).format(n=item.comments)
                if item.comments
                else ""
            )
        )
    return "\n".join(lines)


def ratings_csv(
    tr: Translator, forum: Forum, ratings: list[Rating], min_group: int = MIN_GROUP
) -> bytes:
    """Every rating (no user ids): session, stars, comment, group (small groups not named)."""
    hidden = hidden_groups(Counter(rating.stakeholder for rating in ratings), min_group)
    table: list[list[Any]] = [
        [tr._("Session"), tr._("Title"), tr._("Stars"), tr._("Comment"), tr._("Stakeholder group")]
    ]
    for rating in ratings:
        session = forum.session(rating.session_id)
        table.append(
            [
                rating.session_id,
                session.title.get(tr.language) if session else "",
                rating.stars,
                rating.comment or "",
                fewer_than(tr, min_group)
                if rating.stakeholder in hidden
                else group_label(tr, rating.stakeholder),
            ]
        )
    return export_cells.csv_bytes(table)
