"""The forum's resolution as PDF: lays out the content that bot/services/resolution.py gathered
(the same words and figures as the DOCX) on A4 pages with fpdf2 and the DejaVu Sans fonts that
matplotlib ships (they cover Kazakh and Russian letters)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bot.i18n import Translator
from bot.services.resolution import RecommendationPart, ResolutionContent, SessionDialogue

if TYPE_CHECKING:
    from fpdf import FPDF

FONT = "DejaVu"
BODY = 10.5  # pt
LINE = 5.5  # mm between two lines of body text
GAP = 3.0  # mm between blocks
# A heading moves to the next page unless this much of what follows it fits below it.
KEEP_WITH_NEXT = 30.0  # mm
# Widths (in %) of the endorsement table: the stakeholder group, then support, object, abstain.
COUNT_WIDTHS = (40, 20, 20, 20)
POLL_WIDTHS = (60, 20, 20)  # option, answers, share


def _font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def _document(tr: Translator, content: ResolutionContent) -> FPDF:
    from fpdf import FPDF

    footer_text = tr._("Page {page} of {pages}")

    class ResolutionPDF(FPDF):
        """A4 pages with "Page 2 of 5" centred at the foot."""

        def header(self) -> None:
            # "{nb}" stands for the number of pages only in the footer: people's text in the
            # body stays as written even if it contains "{nb}". The footer turns it on (the
            # last footer is drawn as the document closes, when the pages are counted).
            self.alias_nb_pages("")

        def footer(self) -> None:
            self.alias_nb_pages("{nb}")
            self.set_y(-15)
            self.set_font(FONT, "", 8)
            self.set_text_color(110)
            self.cell(0, 10, footer_text.format(page=self.page_no(), pages="{nb}"), align="C")
            self.set_text_color(0)

    pdf = ResolutionPDF(format="A4")
    fonts = _font_dir()
    pdf.add_font(FONT, "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=22)
    pdf.set_title(f"{content.title} · {content.forum_name}")
    pdf.set_lang(tr.language)
    pdf.set_creator("Civic Forum Bot")
    return pdf


class _Writer:
    """Writes blocks of text on the document; every text is drawn as it is, never as markup."""

    def __init__(self, pdf: FPDF) -> None:
        from fpdf.fonts import TTFFont

        self.pdf = pdf
        # Characters the fonts have no glyph for (emoji, mostly) are left out rather than drawn
        # as empty boxes (and logged by fpdf2 as missing); the DOCX keeps them.
        fonts = [pdf.fonts[key] for key in (FONT.lower(), FONT.lower() + "B")]
        cmaps = [set(font.cmap) for font in fonts if isinstance(font, TTFFont)]
        self.covered = frozenset(set.intersection(*cmaps)) if cmaps else None

    def clean(self, text: str) -> str:
        """``text`` without the characters the fonts cannot draw."""
        if self.covered is None:
            return text
        return "".join(c for c in text if ord(c) in self.covered or c in "\n\t")

    def text(self, text: str, *, size: float = BODY, bold: bool = False, align: str = "L") -> None:
        """A paragraph that wraps (a word longer than the line is broken too)."""
        self.pdf.set_font(FONT, "B" if bold else "", size)
        self.pdf.multi_cell(
            0, size * 0.5 + 0.3, self.clean(text), align=align, new_x="LMARGIN", new_y="NEXT"
        )

    def heading(self, text: str, size: float) -> None:
        """A heading that does not end a page alone: it goes to the next page with what follows."""
        self.pdf.ln(GAP)
        if self.pdf.will_page_break(KEEP_WITH_NEXT):
            self.pdf.add_page()
        self.text(text, size=size, bold=True)
        self.pdf.ln(1.5)

    def bullets(self, label: str, lines: tuple[str, ...]) -> None:
        """A label and its list; the label keeps at least one item below it on its page."""
        pdf = self.pdf
        pdf.ln(GAP)
        if pdf.will_page_break(LINE * 2.5):
            pdf.add_page()
        self.text(label, bold=True)
        pdf.set_font(FONT, "", BODY)
        for line in lines:
            pdf.set_x(pdf.l_margin + 3)
            pdf.cell(5, LINE, "•")
            pdf.multi_cell(0, LINE, self.clean(line), new_x="LMARGIN", new_y="NEXT")

    def table(
        self, header: tuple[str, ...], rows: tuple[tuple[str, ...], ...], widths: tuple[int, ...]
    ) -> None:
        """A grid whose cells wrap; its header row repeats when it runs onto the next page."""
        from fpdf.fonts import FontFace

        self.pdf.set_font(FONT, "", BODY - 1)
        with self.pdf.table(
            col_widths=widths,
            text_align=("LEFT", *("CENTER" for _ in widths[1:])),
            headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
            line_height=LINE,
            padding=1.2,
            first_row_as_headings=bool(header),
            repeat_headings=1,
        ) as table:
            for values in (header, *rows) if header else rows:
                row = table.row()
                for value in values:
                    row.cell(self.clean(value))

    def recommendation(self, content: ResolutionContent, rec: RecommendationPart) -> None:
        """Heading, text, endorsement table, the proposals behind it and the questions."""
        self.heading(rec.heading, 12)
        self.text(rec.text)
        self.pdf.ln(GAP)
        self.table(content.table_header, rec.rows, COUNT_WIDTHS)
        if rec.proposals:
            self.bullets(content.proposals_label, rec.proposals)
        if rec.questions:
            self.bullets(content.questions_label, rec.questions)

    def dialogue(self, content: ResolutionContent, session: SessionDialogue) -> None:
        """A session's Q&A: its figures, the most supported questions, each closed poll."""
        self.heading(session.heading, 12)
        self.text(session.summary)
        for q in session.questions:
            self.pdf.set_x(self.pdf.l_margin + 3)
            self.pdf.cell(5, LINE, "•")
            self.pdf.multi_cell(0, LINE, self.clean(q), new_x="LMARGIN", new_y="NEXT")
        for poll in session.polls:
            self.pdf.ln(GAP)
            if self.pdf.will_page_break(LINE * 4):  # the question keeps its table's first rows
                self.pdf.add_page()
            self.text(poll.question, bold=True)
            self.table(content.poll_header, poll.rows, POLL_WIDTHS)


def resolution_pdf(tr: Translator, content: ResolutionContent) -> bytes:
    """The resolution as PDF, in ``tr``'s language (the content is already in it)."""
    pdf = _document(tr, content)
    out = _Writer(pdf)
    pdf.add_page()
    # The title block: what the document is, of which forum, when and where.
    out.text(content.title, size=20, bold=True, align="C")
    pdf.ln(2)
    out.text(content.forum_name, size=14, bold=True, align="C")
    pdf.ln(1)
    out.text(content.dates, align="C")
    out.text(content.place, align="C")
    pdf.ln(2)
    out.text(content.prepared, size=9, align="C")
    pdf.ln(3)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(2)
    out.heading(content.numbers_heading, 14)
    out.table((), content.numbers, (70, 30))
    out.heading(content.recommendations_heading, 14)
    for rec in content.recommendations:
        out.recommendation(content, rec)
    if content.dialogue:
        out.heading(content.dialogue_heading, 14)
    for session in content.dialogue:
        out.dialogue(content, session)
    return bytes(pdf.output())
