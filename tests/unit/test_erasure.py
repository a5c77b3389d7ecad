"""/deleteme on the database file itself: a person who used every feature is erased, then every
column of every table (found from sqlite_master, so a future table is covered too) and the
file's bytes are searched for anything that names them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from storage.broadcasts import BroadcastsRepo
from storage.db import Database
from storage.dialogs import DialogsRepo
from storage.endorsements import EndorsementsRepo
from storage.outbox import NewRow, OutboxRepo
from storage.proposals import Draft, ProposalsRepo
from storage.qa import QaRepo
from storage.ratings import RatingsRepo
from storage.reviews import Review, ReviewsRepo
from storage.stars import StarsRepo
from storage.surveys import SurveysRepo
from storage.team import TeamRepo
from storage.users import UsersRepo
from tests.unit.test_proposals_storage import answers

NOW = datetime(2018, 11, 14, 4, 0, tzinfo=UTC)
UID, OTHER, ORGANIZER = 731950482, 2, 3  # the person, another attendee, an organizer
FIRST, LAST, USERNAME = "Zhanargul", "Qairatkyzy", "zhanargul_q"
PHONE, EMAIL = "+77019998877", "zhanargul@example.kz"
NEEDLES = (str(UID), FIRST, LAST, USERNAME, PHONE, EMAIL)

# Columns where a hit is expected and harmless, with why. There should be none.
ALLOWED: set[tuple[str, str]] = set()


def proposal_answers(**extra: Any) -> dict[str, Any]:
    """The proposals storage test's answers, with the person's contact details and file."""
    mine = {
        "contact_person": f"{FIRST} {LAST}",
        "phone": PHONE,
        "email": EMAIL,
        "attachment": {"file_id": "FILE-ZQ", "name": f"{FIRST}-plan.pdf", "size": 2048},
    }
    return answers(**{**mine, **extra})


async def do_everything(db: Database) -> dict[str, int]:
    """The person stars, rates, answers surveys (named, anonymous, one in progress), proposes,
    asks and votes, answers a poll, reviews, endorses, invites and is on the team."""
    users = UsersRepo(db)
    await users.upsert_seen(
        UID, first_name=FIRST, last_name=LAST, username=USERNAME, language_code="kk", now=NOW
    )
    for uid in (OTHER, ORGANIZER):
        await users.upsert_seen(
            uid, first_name=f"U{uid}", last_name=None, username=None, language_code="ru", now=NOW
        )
    await users.set_language(UID, "kk")
    await users.set_stakeholder(UID, "ngo")
    await StarsRepo(db).star(UID, "opening", NOW)
    ratings = RatingsRepo(db)
    await ratings.rate(UID, "opening", 5, stakeholder="ngo", now=NOW)
    await ratings.set_comment(UID, "opening", f"Great, {FIRST}")

    surveys = SurveysRepo(db)
    named = await surveys.start(
        "feedback", UID, anonymous=False, stakeholder="ngo", language="kk", now=NOW
    )
    await surveys.save_answer(named.id, "q1", f"I am {FIRST}", now=NOW)
    done = await surveys.start(
        "anon", UID, anonymous=True, stakeholder="ngo", language="kk", now=NOW
    )
    await surveys.save_answer(done.id, "q1", "fine", now=NOW)
    assert await surveys.complete_anonymous(done.id, UID, NOW)
    going = await surveys.start(
        "anon2", UID, anonymous=True, stakeholder="ngo", language="kk", now=NOW
    )
    await surveys.save_answer(going.id, "q1", f"call {PHONE}", now=NOW)
    await surveys.set_cursor(UID, "survey", "anon2", "q2", 10, NOW)

    proposals = ProposalsRepo(db)
    mine = await proposals.submit(UID, "kk", proposal_answers(), NOW)
    await proposals.save_draft(Draft(UID, "email", {"email": EMAIL, "phone": PHONE}), NOW)
    other = proposal_answers(
        contact_person="Other", phone="+70000000000", email="o@example.kz", attachment=None
    )
    theirs, theirs2 = [await proposals.submit(OTHER, "ru", other, NOW) for _ in range(2)]

    qa = QaRepo(db)
    await qa.join("opening", UID)

    async def ask(user: int, text: str, name: str | None, status: str = "approved") -> Any:
        return await qa.add_question(
            "opening", user, text, anonymous=name is None, asker_name=name, language="kk",
            status=status, now=NOW,
        )  # fmt: skip

    named_q = await ask(UID, "Named question?", FIRST)
    answered = await ask(UID, "Answered question?", FIRST)
    await qa.set_status(answered.id, "answered", NOW, expected=("approved",))
    await ask(UID, "Anonymous question?", None, status="waiting")
    others_q = await ask(OTHER, "Other's question?", "U2")
    await qa.set_vote(others_q.id, UID, True, NOW)
    await qa.set_vote(named_q.id, OTHER, True, NOW)
    poll = await qa.add_poll("opening", {"en": "Q"}, [{"en": "a"}, {"en": "b"}], NOW)
    await qa.answer_poll(poll.id, UID, 1, NOW)
    await qa.set_draft(UID, "opening", "text", NOW)

    team = TeamRepo(db)
    await team.set_role(UID, "reviewer", None, ORGANIZER, NOW)
    await team.set_role(OTHER, "moderator", ("opening",), UID, NOW)  # granted by the person
    await team.add_invite("pending-by-her", "moderator", None, UID, NOW, NOW + timedelta(days=2))
    await team.add_invite("used-by-her", "reviewer", None, ORGANIZER, NOW, NOW + timedelta(days=2))
    assert await team.use_invite("used-by-her", UID, NOW)

    reviews = ReviewsRepo(db)
    await reviews.declare(UID, f"{FIRST}'s foundation", NOW)
    await reviews.assign([(theirs.id, UID), (theirs2.id, UID)], 1, NOW)
    await reviews.save_review(
        Review(
            theirs.id,
            UID,
            scores={"impact": 4},
            comment="Solid.",
            author_comment="Good work",
            submitted_at=NOW.isoformat(),
        ),
        NOW,
    )
    await reviews.set_state(theirs.id, UID, "submitted")
    await reviews.save_review(Review(theirs2.id, UID, awaiting="comment"), NOW)
    await reviews.set_input(UID, "decision", str(theirs.id), NOW)

    endorsements = EndorsementsRepo(db)
    rec = await endorsements.add("sdg", {"en": "Do it"}, [theirs.id], NOW)
    await endorsements.save_order(UID, [rec])
    await endorsements.vote(rec, UID, "object", NOW)
    assert await endorsements.comment(rec, UID, f"Signed, {FIRST} {LAST}")
    await endorsements.set_input(UID, rec)

    broadcasts = BroadcastsRepo(db)
    draft = await broadcasts.create(UID, NOW)
    sent = await broadcasts.create(UID, NOW)
    await broadcasts.update(sent.id, state="done", status_chat_id=UID, status_message_id=5)

    outbox = OutboxRepo(db)
    await outbox.insert(
        [
            NewRow(f"reminder:opening:{UID}", UID, "reminder", "Starts soon"),
            # The moderator's card of her question, and the inviter's "joined" notice: to
            # other people, about her, already delivered.
            NewRow(f"qa:new:{named_q.id}:{ORGANIZER}", ORGANIZER, "qa", f"From: {FIRST}"),
            NewRow(
                "team:joined:used-by-her",
                ORGANIZER,
                "team",
                f"{FIRST} {LAST} accepted your invitation to the team: reviewer.",
            ),
        ],
        NOW,
    )
    async with db.transaction() as conn:
        await conn.execute("UPDATE outbox SET state = 'sent' WHERE user_id = ?", (ORGANIZER,))
        await conn.execute(
            "INSERT INTO proposal_review_inputs(user_id, proposal_id, created_at) VALUES (?, ?, ?)",
            (UID, theirs.id, NOW.isoformat()),
        )
        await conn.execute(  # revisions were asked of her proposal; she is typing one
            "INSERT INTO proposal_revisions(proposal_id, fields, edits, awaiting, state)"
            " VALUES (?, '[\"summary\"]', ?, 'summary', 'requested')",
            (mine.id, f'{{"summary": "Call {FIRST}"}}'),
        )
        await conn.execute(
            "INSERT INTO conversations(name, key, state) VALUES ('old', ?, '1')",
            (f"[{UID}, {UID}]",),
        )
    return {
        "mine": mine.id,
        "theirs": theirs.id,
        "answered": answered.id,
        "named": named_q.id,
        "others_q": others_q.id,
        "draft": draft.id,
        "sent": sent.id,
        "done_survey": done.id,
    }


def hits(value: Any) -> list[str]:
    """The needles found in one stored value."""
    if value is None:
        return []
    if isinstance(value, int):
        return [str(UID)] if value == UID else []
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return [n for n in NEEDLES if n.lower() in text.lower()]


async def scan(db: Database) -> list[str]:
    """Every hit as 'table.column = value', over every table and column of the file."""
    found = []
    tables = await db.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    assert len(tables) > 30  # sanity: the scan sees the whole schema
    for table in [t["name"] for t in tables]:
        columns = await db.fetchall(f'PRAGMA table_info("{table}")')
        for column in [c["name"] for c in columns]:
            if (table, column) in ALLOWED:
                continue
            for row in await db.fetchall(f'SELECT "{column}" AS v FROM "{table}"'):
                for needle in hits(row["v"]):
                    found.append(f"{table}.{column} has {needle!r}: {str(row['v'])[:80]!r}")
    return found


@pytest.fixture
async def db(tmp_path: Path):
    database = Database(tmp_path / "forum.db")
    await database.open()
    yield database
    await database.close()


async def test_the_setup_leaves_traces_everywhere_the_scan_looks(db: Database) -> None:
    """The scan is not blind: before the erase it finds the person in many tables."""
    await do_everything(db)
    tables = {hit.split(".")[0] for hit in await scan(db)}
    assert {
        "users",
        "stars",
        "qa_questions",
        "reviews",
        "endorsements",
        "team_members",
        "team_invites",
        "broadcasts",
        "outbox",
        "proposals",
    } <= tables


async def test_after_deleteme_nothing_in_the_database_names_the_person(
    db: Database, tmp_path: Path
) -> None:
    await do_everything(db)
    assert await UsersRepo(db).delete(UID)
    assert await scan(db) == []
    # While the bot still runs: neither the file nor the write-ahead log holds them.
    for name in ("forum.db", "forum.db-wal"):
        path = tmp_path / name
        raw = path.read_bytes() if path.exists() else b""
        for needle in (FIRST, LAST, USERNAME, PHONE, EMAIL):
            assert needle.encode() not in raw, (name, needle)
    await db.close()  # the last connection checkpoints the log into the file
    raw = (tmp_path / "forum.db").read_bytes()
    for needle in (FIRST, LAST, USERNAME, PHONE, EMAIL):
        assert needle.encode() not in raw, needle


async def test_what_is_kept_stays_useful_and_nameless(db: Database) -> None:
    """Kept de-identified: the answered question, the submitted review, the proposal, the
    finished anonymous survey, a broadcast that went out. Erased: the rest."""
    ids = await do_everything(db)
    await UsersRepo(db).delete(UID)
    qa = QaRepo(db)
    answered = await qa.get(ids["answered"])
    assert answered is not None and answered.anonymous and answered.asker_name is None
    assert await qa.get(ids["named"]) is None
    assert (await qa.get(ids["others_q"])).votes == 0
    reviews = await ReviewsRepo(db).reviews_for(ids["theirs"])
    assert [(r.scores, r.comment, r.submitted_at is not None) for r in reviews] == [
        ({"impact": 4}, "Solid.", True)
    ]
    assert all(r.reviewer_id != UID for r in reviews)
    assert await ReviewsRepo(db).assignments_of(UID) == []
    proposal = await ProposalsRepo(db).get(ids["mine"])
    assert proposal is not None and proposal.title == "Green schools"
    assert await SurveysRepo(db).get(ids["done_survey"]) is not None
    broadcasts = BroadcastsRepo(db)
    assert await broadcasts.get(ids["draft"]) is None  # her open dialog is cancelled
    assert await broadcasts.get(ids["sent"]) is not None
    assert [m.user_id for m in await TeamRepo(db).members()] == [OTHER]
    assert await TeamRepo(db).invite("pending-by-her") is None  # revoked
    assert await EndorsementsRepo(db).votes() == []
    assert not await DialogsRepo(db).any_open(UID)  # every open dialog of hers is gone
