"""The resolution as PDF, read back with pypdf: the recommendations in kk/ru/en, counts equal to
the votes, small stakeholder groups hidden, the same words as the DOCX, people's text drawn as
text, page numbers, and no heading left alone at the foot of a page."""

from __future__ import annotations

import functools
import io
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from pypdf import PdfReader

from bot.content import parse_content
from bot.i18n import I18n, Translator
from bot.resources import sample_content_path
from bot.services import resolution_pdf as layout
from bot.services.board_documents import resolution_docx
from bot.services.qa_export import PollResult, QuestionRow, QuestionsSummary
from bot.services.resolution import ResolutionContent, resolution_content
from bot.services.results import group_label
from storage.endorsements import Recommendation, Vote
from storage.proposals import Proposal

FORUM = parse_content(
    sample_content_path().read_text(encoding="utf-8"), source_path=sample_content_path()
)
I18N = I18n(ZoneInfo("Asia/Almaty"), "ru")
NOW = datetime(2026, 12, 3, 7, 0, tzinfo=UTC)
KAZAKH = "Азаматтық қоғамның әлеуетін арттыру үшін өңірлік кеңестер құру: ғ, ү, ұ, һ, і."
RUSSIAN = "Создать региональные советы для укрепления гражданского общества."
ENGLISH = "Publish every budget hearing's minutes within a week."
TOPIC = FORUM.proposal_topics[0].id
# Recommendation 1: 7 support, 4 object, 2 abstain in all; the NGOs are 8 people (shown), the
# two from business and the three who named no group are under the threshold of 5 (hidden; five
# together, so that the total minus the NGOs reveals no group of fewer than 5).
CAST = (
    [("support", "ngo")] * 5 + [("object", "ngo")] * 2 + [("abstain", "ngo")]
    + [("support", "business"), ("object", "business")]
    + [("support", None), ("abstain", None), ("object", None)]
)  # fmt: skip


def proposal(pid: int, org: str, status: str) -> Proposal:
    values: dict[str, object] = {
        "id": pid, "user_id": None, "language": "kk", "consent_version": "v", "consent_at": "x",
        "org_name": org, "org_type": "public_association", "bin": None, "region": "almaty_city",
        "contact_person": None, "phone": None, "email": None, "topic": TOPIC, "sdgs": (4,),
        "title": f"T{pid}", "summary": "S", "support": "H", "attachment_id": None,
        "attachment_name": None, "attachment_size": None, "status": status, "comment": None,
        "pending_status": None, "pending_comment": None, "submitted_at": "x", "updated_at": "x",
        "decided_at": None,
    }  # fmt: skip
    return Proposal(**values)


PROPOSALS = [
    proposal(1, "«Қамқор» қоғамдық бірлестігі", "accepted"),
    proposal(2, "Фонд «Развитие»", "accepted"),
    proposal(3, "Open Data Almaty", "rejected"),
    proposal(4, "Withdrawn NGO", "withdrawn"),
]
RECS = [
    Recommendation(1, None, TOPIC, {"kk": KAZAKH, "ru": RUSSIAN, "en": ENGLISH}, (1, 2), ()),
    Recommendation(2, None, TOPIC, {"ru": RUSSIAN + " Второй текст."}, (3,), ("Кто платит?",)),
]
VOTES = [Vote(1, uid, vote, None, group) for uid, (vote, group) in enumerate(CAST)]


# The dialogue in the halls: one session's Q&A (a rejected question and an open poll stay out).
ASKED = datetime(2026, 12, 3, 5, 0, tzinfo=UTC)
DIALOGUE = [
    QuestionsSummary(
        "opening", "Пленарлық отырыс",
        [
            QuestionRow("Кеңестер қалай қаржыландырылады?", 14, "answered", None, ASKED, None),
            QuestionRow("Кто выбирает членов советов?", 9, "approved", "Мария", ASKED, None),
            QuestionRow("An insult", 30, "rejected", None, ASKED, None),
        ],
        [
            PollResult("Келесі форум қашан?", [("Көктемде", 3), ("Күзде", 1)], "closed"),
            PollResult("Still running?", [("A", 1)], "open"),
        ],
    )
]  # fmt: skip


def content(tr: Translator, recs: list[Recommendation] = RECS) -> ResolutionContent:
    return resolution_content(
        tr, FORUM, participants=40, proposals=PROPOSALS, recs=recs, votes=VOTES, threshold=5,
        now=NOW, dialogue=DIALOGUE,
    )  # fmt: skip


def pages_of(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


@functools.cache
def built(lang: str) -> tuple[str, ...]:
    """The PDF's pages as text in ``lang`` (built once per language: a build takes a moment)."""
    tr = I18N.get(lang)
    return tuple(pages_of(layout.resolution_pdf(tr, content(tr))))


def squeeze(text: str) -> str:
    """Text without whitespace, so that where a line wraps does not matter."""
    return "".join(text.split())


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_recommendations_in_the_organizers_language(lang: str) -> None:
    tr = I18N.get(lang)
    whole = "\n".join(built(lang))
    assert squeeze(RECS[0].text[lang]) in squeeze(whole)
    assert squeeze(RUSSIAN + " Второй текст.") in squeeze(whole)  # written in Russian only
    assert tr._("Resolution of the forum") in whole
    assert FORUM.forum.name.get(lang) in whole
    assert tr.date_range(FORUM.forum.starts, FORUM.forum.ends) in whole
    assert squeeze(FORUM.forum.venue.get(lang)) in squeeze(whole)
    for reference, org in (("P-0001", PROPOSALS[0].org_name), ("P-0003", "Open Data Almaty")):
        assert f"{reference} — {org}" in whole
    assert "Кто платит?" in whole


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_counts_equal_the_votes_and_small_groups_are_hidden(lang: str) -> None:
    tr = I18N.get(lang)
    lines = "\n".join(built(lang)).splitlines()

    def row(label: str) -> str:
        return next(line for line in lines if line.startswith(label + " "))

    numbers = {
        tr._("Participants"): "40",
        tr._("Proposals received"): "3",  # the withdrawn one is not counted
        tr._("Proposals accepted"): "2",
        tr._("Recommendations"): "2",
    }
    for label, value in numbers.items():
        assert row(label) == f"{label} {value}"
    everyone = [line for line in lines if line.startswith(tr._("Everyone") + " ")]
    assert everyone == [f"{tr._('Everyone')} 7 4 2", f"{tr._('Everyone')} 0 0 0"]
    assert row(group_label(tr, "ngo")) == f"{group_label(tr, 'ngo')} 5 2 1"
    hidden = tr._("fewer than {n}").format(n=5)
    for group in ("business", None):
        label = group_label(tr, group)
        assert row(label) == f"{label} {hidden} {hidden} {hidden}"


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_dialogue_in_the_halls_keeps_what_the_hall_took_up(lang: str) -> None:
    tr = I18N.get(lang)
    whole = squeeze("\n".join(built(lang)))
    assert squeeze(tr._("Dialogue in the halls: live Q&A and polls")) in whole
    votes = tr.ngettext("{n} vote", "{n} votes", 14).format(n=14)
    assert squeeze(f"Кеңестер қалай қаржыландырылады? — {votes}") in whole
    assert whole.index("Кеңестерқалай") < whole.index("Ктовыбирает")  # most votes first
    assert "Мария" not in whole  # no asker's name in a public document
    assert "Aninsult" not in whole and "Stillrunning" not in whole
    assert squeeze(f"Көктемде 3 {tr.percent(0.75)}") in whole


def test_kazakh_letters_survive() -> None:
    whole = "\n".join(built("kk"))
    assert set("әғқңөұүһі") <= set(whole)
    assert "Форумның қарары" in whole  # "Resolution of the forum" in Kazakh


@pytest.mark.parametrize("lang", ["kk", "en"])
def test_the_pdf_says_what_the_docx_says(lang: str) -> None:
    """Both are laid out from one gathered content: every paragraph and cell of the DOCX is in
    the PDF, in the same order."""
    docx = Document(io.BytesIO(resolution_docx(content(I18N.get(lang)))))
    words = [p.text for p in docx.paragraphs]
    words += [cell.text for table in docx.tables for row in table.rows for cell in row.cells]
    pdf = squeeze("\n".join(built(lang)))
    for text in words:
        assert squeeze(text) in pdf, text
    position = 0
    for paragraph in docx.paragraphs:  # each found after the one before it
        position = pdf.index(squeeze(paragraph.text), position)


def test_peoples_text_is_text_and_long_text_wraps_onto_numbered_pages() -> None:
    tr = I18N.get("en")
    tricky = "{nb} <b>bold</b> **not bold** --strike-- \\(x\\) %PDF-1.4 endobj 🎉"
    long_word = "x" * 400
    text = f"{tricky} {long_word} " + "A sentence that goes on. " * 400
    recs = [Recommendation(1, None, TOPIC, {"en": text}, (), ())]
    pages = pages_of(layout.resolution_pdf(tr, content(tr, recs)))
    whole = squeeze("\n".join(pages))
    assert squeeze(tricky.replace(" 🎉", "")) in whole  # as written; DejaVu has no emoji
    assert long_word in whole
    assert len(pages) >= 3
    for number, page in enumerate(pages, 1):
        footer = page.strip().splitlines()[-1]
        assert footer == tr._("Page {page} of {pages}").format(page=number, pages=len(pages))


def test_a_heading_never_ends_a_page() -> None:
    """Recommendations of many lengths put their headings at every height of a page: none is
    the last line of its page (above the page number)."""
    tr = I18N.get("en")
    recs = [
        Recommendation(n, None, TOPIC, {"en": "Words of the recommendation. " * (n * 7 % 40)},
                       (), ())
        for n in range(1, 25)
    ]  # fmt: skip
    data = layout.resolution_pdf(tr, content(tr, recs))
    pages = pages_of(data)
    heading = re.compile(r"^\d+\. " + re.escape(FORUM.proposal_topics[0].title.get("en")))
    ends = [page.strip().splitlines()[-2] for page in pages[:-1]]
    assert len(pages) > 4
    assert not [line for line in ends if heading.match(line) or line == tr._("Recommendations")]
