"""The review board's rules: the content phases, balanced conflict-free assignment, weighted
scores and disagreement, shuffled endorsement orders, safe exports."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from bot.content import ContentError, parse_content
from bot.i18n import I18n
from bot.resources import sample_content_path
from bot.services.board_documents import decisions_xlsx, reviews_xlsx
from bot.services.endorsement import shuffled
from bot.services.review_board import (
    call_closed_notice,
    has_conflict,
    plan_assignments,
    ranked,
    standing,
    when,
)
from storage.proposals import Proposal
from storage.reviews import Assignment, Decision, Review, Reviewer

TZ = ZoneInfo("Asia/Almaty")
I18N = I18n(TZ, "ru")
EN = I18N.get("en")
SAMPLE = sample_content_path().read_text(encoding="utf-8")
FORUM = parse_content(SAMPLE, source_path=sample_content_path())
PHASE = FORUM.review
assert PHASE is not None


def proposal(pid: int, org: str = "Org", topic: str = "institutions", **kw: object) -> Proposal:
    values: dict[str, object] = {
        "id": pid, "user_id": None, "language": "en", "consent_version": "v", "consent_at": "x",
        "org_name": org, "org_type": "public_association", "bin": None, "region": "almaty_city",
        "contact_person": None, "phone": None, "email": None, "topic": topic, "sdgs": (4,),
        "title": f"T{pid}", "summary": "S", "support": "H", "attachment_id": None,
        "attachment_name": None, "attachment_size": None, "status": "submitted", "comment": None,
        "pending_status": None, "pending_comment": None, "submitted_at": "x", "updated_at": "x",
        "decided_at": None,
    }  # fmt: skip
    values.update(kw)
    return Proposal(**values)


def content_with(**sections: object) -> str:
    data = yaml.safe_load(SAMPLE)
    data.update(sections)
    return yaml.safe_dump(data, allow_unicode=True)


# -- content ---------------------------------------------------------------------------------


def test_sample_has_a_blind_weighted_review() -> None:
    assert PHASE.blind and PHASE.reviewers_per_proposal == 3
    assert [c.weight for c in PHASE.criteria] == [2, 1, 1]
    assert PHASE.criteria[0].scale.min_label.get("kk") == "Сәйкес емес"
    assert FORUM.proposals.opens == datetime(2018, 10, 1, 9, 0, tzinfo=TZ)


@pytest.mark.parametrize(
    ("sections", "path", "fragment"),
    [
        (
            {"proposals": {"opens": "2018-11-10 09:00", "closes": "2018-11-01 09:00"}},
            "proposals.closes",
            "must be after opens",
        ),
        (
            {
                "proposals": {"closes": "2018-11-10 18:00"},
                "review": {**yaml.safe_load(SAMPLE)["review"], "closes": "2018-11-09 18:00"},
            },
            "review.closes",
            "must be after proposals.closes",
        ),
        (
            {"review": {**yaml.safe_load(SAMPLE)["review"], "reviewers_per_proposal": 0}},
            "review.reviewers_per_proposal",
            "",
        ),
        (
            {"review": {"criteria": []}},
            "review.criteria",
            "",
        ),
        (
            {"recommendations": [{"id": "r1", "topic": "nowhere", "text": "Do it"}]},
            "recommendations[0].topic",
            "unknown proposal topic 'nowhere'",
        ),
        (
            {"recommendations": [{"id": "r1", "topic": "sdg", "text": "x", "proposals": ["42"]}]},
            "recommendations[0].proposals[0]",
            "",
        ),
    ],
)
def test_phase_errors_name_their_place(sections: dict, path: str, fragment: str) -> None:
    with pytest.raises(ContentError) as caught:
        parse_content(content_with(**sections), source_path=sample_content_path())
    found = [(p, m) for p, m in caught.value.errors if p.startswith(path)]
    assert found, caught.value.errors
    assert fragment in found[0][1]


def test_duplicate_criteria_and_bad_scale() -> None:
    review = yaml.safe_load(SAMPLE)["review"]
    review["criteria"][1]["id"] = review["criteria"][0]["id"]
    review["criteria"][2]["scale"]["max"] = 1
    with pytest.raises(ContentError) as caught:
        parse_content(content_with(review=review), source_path=sample_content_path())
    paths = [p for p, _ in caught.value.errors]
    assert "review.criteria[2].scale.max" in paths


def test_call_window() -> None:
    forum = parse_content(
        content_with(proposals={"opens": "2018-10-01 09:00", "closes": "2018-11-10 18:00"}),
        source_path=sample_content_path(),
    )
    assert call_closed_notice(EN, forum, datetime(2018, 9, 1, tzinfo=TZ)) is not None
    assert call_closed_notice(EN, forum, datetime(2018, 10, 5, tzinfo=TZ)) is None
    closed = call_closed_notice(EN, forum, datetime(2018, 11, 10, 18, 0, tzinfo=TZ))
    assert closed == (
        "The call for proposals closed on 10 November, 18:00. Your draft, if you have one, is kept."
    )


CALL = parse_content(
    content_with(proposals={"opens": "2018-10-01 09:00", "closes": "2019-01-10 18:00"}),
    source_path=sample_content_path(),
)


@pytest.mark.parametrize(
    ("lang", "opens", "closed", "submitted"),
    [
        (
            "kk",
            "Ұсыныстарды қабылдау басталатын уақыт: 1 қазан, 09:00.",
            "Ұсыныстарды қабылдау аяқталды: 2019\u202fж. 10 қаңтар, 18:00.",
            "21 қараша, 18:00",
        ),
        (
            "ru",
            "Приём предложений откроется 1 октября, 09:00.",
            "Приём предложений закрыт 10 января 2019\u202fг., 18:00.",
            "21 ноября, 18:00",
        ),
        (
            "en",
            "The call for proposals opens on 1 October, 09:00.",
            "The call for proposals closed on 10 January 2019, 18:00.",
            "21 November, 18:00",
        ),
    ],
    ids=["kk", "ru", "en"],
)
def test_board_dates_spell_the_month_without_seconds_or_the_forums_year(
    lang: str, opens: str, closed: str, submitted: str
) -> None:
    """Issue 13 item 5 on the board: «21 ноября, 18:00», the year only when not the forum's."""
    tr = I18N.get(lang)
    assert call_closed_notice(tr, CALL, datetime(2018, 9, 1, tzinfo=TZ)) == opens
    after = call_closed_notice(tr, CALL, datetime(2019, 1, 11, tzinfo=TZ))
    assert after is not None and after.startswith(closed)
    assert when(tr, FORUM, "2018-11-21T12:00:00+00:00") == submitted


def test_export_moments_are_forum_time_to_the_minute() -> None:
    """The reviews' and decisions' XLSX give when a review was submitted and a decision
    released as date cells in the forum's time, shown without seconds."""
    p = proposal(1)
    data = reviews_xlsx(EN, FORUM, {1: p}, [review(1, 10, (5, 4, 3))], None)
    row = next(load_workbook(io.BytesIO(data)).active.iter_rows(min_row=2))
    cell = row[-1]
    assert cell.value == datetime(2018, 11, 20, 18, 0)  # 12:00 UTC in Almaty
    assert cell.number_format == "dd.mm.yyyy hh:mm"
    released = Decision(1, "accept", None, (), False, "2018-11-21T12:00:00+00:00")
    pending = Decision(2, "reject", None, (), False, None)
    data = decisions_xlsx(EN, {1: p, 2: proposal(2)}, [released, pending])
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(min_row=2))
    assert rows[0][5].value == datetime(2018, 11, 21, 18, 0)
    assert rows[0][5].number_format == "dd.mm.yyyy hh:mm"
    assert rows[1][5].value == "pending release"


# -- assignment ------------------------------------------------------------------------------


def test_conflict_by_declared_organization_ignores_case_quotes_and_spaces() -> None:
    reviewer = Reviewer(1, "«Eco  Almaty»", ())
    assert has_conflict(reviewer, proposal(1, "eco almaty"))
    assert not has_conflict(reviewer, proposal(2, "Eco Astana"))
    assert not has_conflict(Reviewer(2, None, ()), proposal(1, "eco almaty"))


def test_six_proposals_three_reviewers_one_conflicted() -> None:
    proposals = [proposal(i, "Eco" if i <= 2 else f"Org {i}") for i in range(1, 7)]
    reviewers = [Reviewer(10, "Eco", ()), Reviewer(11, None, ()), Reviewer(12, "Other", ())]
    plan = plan_assignments(proposals, reviewers, [], 2)
    assert plan.short == []
    loads = {r.user_id: sum(1 for _, x in plan.pairs if x == r.user_id) for r in reviewers}
    assert loads == {10: 4, 11: 4, 12: 4}
    assert all(x != 10 for p, x in plan.pairs if p <= 2)


def test_topics_existing_and_conflict_states_are_respected() -> None:
    proposals = [proposal(1, topic="sdg"), proposal(2, topic="institutions")]
    reviewers = [Reviewer(10, None, ("sdg",)), Reviewer(11, None, ()), Reviewer(12, None, ())]
    existing = [Assignment(1, 11, "conflict", 1), Assignment(2, 12, "submitted", 1)]
    plan = plan_assignments(proposals, reviewers, existing, 2)
    assert (1, 11) not in plan.pairs and (2, 10) not in plan.pairs
    assert sorted(plan.pairs) == [(1, 10), (1, 12), (2, 11)]
    assert plan.short == []


def test_short_when_not_enough_eligible_reviewers() -> None:
    plan = plan_assignments([proposal(1, "Eco")], [Reviewer(10, "Eco", ())], [], 3)
    assert plan.pairs == [] and plan.short == [1]


@settings(max_examples=200, deadline=None)
@given(
    n_proposals=st.integers(1, 30),
    n_reviewers=st.integers(1, 8),
    per=st.integers(1, 4),
    orgs=st.lists(st.sampled_from(["A", "B", "C", None]), min_size=8, max_size=8),
    proposal_orgs=st.lists(st.sampled_from(["A", "B", "C", "D"]), min_size=30, max_size=30),
)
def test_assignment_is_balanced_and_conflict_free(
    n_proposals: int,
    n_reviewers: int,
    per: int,
    orgs: list[str | None],
    proposal_orgs: list[str],
) -> None:
    proposals = [proposal(i, proposal_orgs[i]) for i in range(n_proposals)]
    reviewers = [Reviewer(100 + i, orgs[i], ()) for i in range(n_reviewers)]
    plan = plan_assignments(proposals, reviewers, [], per)
    by_id = {p.id: p for p in proposals}
    assert len(set(plan.pairs)) == len(plan.pairs)
    for pid, rid in plan.pairs:
        assert not has_conflict(reviewers[rid - 100], by_id[pid])
    counts = {p.id: sum(1 for q, _ in plan.pairs if q == p.id) for p in proposals}
    for p in proposals:
        eligible = sum(1 for r in reviewers if not has_conflict(r, p))
        assert counts[p.id] == min(per, eligible)
        assert (p.id in plan.short) == (eligible < per)
    # Without conflicts, loads differ by at most one.
    if all(o is None for o in orgs[:n_reviewers]):
        loads = [sum(1 for _, x in plan.pairs if x == r.user_id) for r in reviewers]
        assert max(loads) - min(loads) <= 1


# -- scores ----------------------------------------------------------------------------------


def review(pid: int, rid: int, scores: tuple[int, int, int], submitted: bool = True) -> Review:
    ids = [c.id for c in PHASE.criteria]
    return Review(
        pid,
        rid,
        1,
        dict(zip(ids, scores, strict=True)),
        submitted_at="2018-11-20T12:00:00+00:00" if submitted else None,
    )


def test_weighted_mean_counts_only_submitted_complete_reviews() -> None:
    p = proposal(1)
    # Weights 2, 1, 1: (5*2 + 3 + 1) / 4 = 3.5 and (3*2 + 3 + 3) / 4 = 3.0
    s = standing(
        p,
        [review(1, 10, (5, 3, 1)), review(1, 11, (3, 3, 3)), review(1, 12, (1, 1, 1), False)],
        PHASE,
    )
    assert s.mean == pytest.approx(3.25) and s.reviews == 2 and not s.disagreement
    far = standing(p, [review(1, 10, (5, 5, 5)), review(1, 11, (1, 2, 1))], PHASE)
    assert far.disagreement and far.spread == pytest.approx(5 - 1.25)
    none = standing(proposal(2), [], PHASE)
    order = ranked([none, s, far])
    assert [x.proposal.id for x in order][-1] == 2 and order[0] is s


def test_endorsement_order_is_per_person_and_stable() -> None:
    ids = [1, 2, 3, 4, 5]
    assert shuffled(7, "forum", ids) == shuffled(7, "forum", ids)
    orders = {tuple(shuffled(u, "forum", ids)) for u in range(50)}
    assert len(orders) > 20


# -- exports ---------------------------------------------------------------------------------


def test_exports_are_formula_safe_and_hide_reviewer_names() -> None:
    p = proposal(1, '=HYPERLINK("http://x")', title="+SUM(A1)")
    r = replace(review(1, 10, (5, 4, 3)), comment="=cmd|' /C calc'!A0", author_comment="@x")
    data = reviews_xlsx(EN, FORUM, {1: p}, [r], None)
    sheet = load_workbook(io.BytesIO(data)).active
    values = [c.value for row in sheet.iter_rows(min_row=2) for c in row]
    assert "Reviewer 1" in values and "+SUM(A1)" in values
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                assert cell.data_type == "s", cell.value
    named = load_workbook(io.BytesIO(reviews_xlsx(EN, FORUM, {1: p}, [r], {10: "Dana"}))).active
    assert "Dana" in [c.value for row in named.iter_rows(min_row=2) for c in row]
    decision = Decision(1, "revise", "-2 pages please", ("title",), False, None)
    sheet = load_workbook(io.BytesIO(decisions_xlsx(EN, {1: p}, [decision]))).active
    cells = {c.value: c for row in sheet.iter_rows(min_row=2) for c in row}
    assert cells["-2 pages please"].data_type == "s"
    assert cells['=HYPERLINK("http://x")'].data_type == "s"


@pytest.mark.parametrize(
    ("lang", "button", "state"),
    [
        ("ru", "✅ Принять", "✅ Принято"),
        ("kk", "✏️ Пысықтауға қайтару", "✏️ Пысықтауға қайтарылды"),
        ("en", "❌ Reject", "❌ Rejected"),
    ],
)
def test_a_decision_reads_as_a_verb_on_its_button_and_as_a_state_after(
    lang: str, button: str, state: str
) -> None:
    """«Объявлено: ✅ Принять» read as an order; the card and the export say what was decided."""
    from bot.i18n import I18n
    from bot.services.board_documents import decision_labels, decision_states

    tr = I18n(ZoneInfo("Asia/Almaty"), "ru").get(lang)
    assert button in decision_labels(tr).values()
    assert state in decision_states(tr).values()
