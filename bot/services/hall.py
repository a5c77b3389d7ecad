"""The hall screen's model: what the projector shows for a session, and change notices.

``hall_model`` builds a JSON-ready view (title, top approved questions by votes, the one being
answered, the live or last poll with its counts) in one language; the web page renders it with
text nodes only (never as HTML). Askers appear by first name only, anonymous ones never.
``HallHub`` lets the server-sent-events stream wait for the next change of a session instead
of polling the database; the flows call :func:`changed` after each vote, moderation or poll
answer. The screen's key is derived from the bot token, so it needs no storage and changes when
the token does.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from typing import TYPE_CHECKING, Any

from storage.qa import PUBLIC

if TYPE_CHECKING:
    from bot.context import Services

HUB_KEY = "qa_hall_hub"
TOP = 8  # questions on the screen


class HallHub:
    """A version number per session, bumped on every change; waiters wake on a bump."""

    def __init__(self) -> None:
        self._versions: dict[str, int] = {}
        self._event = asyncio.Event()

    def version(self, session_id: str) -> int:
        """The session's current version."""
        return self._versions.get(session_id, 0)

    def bump(self, session_id: str) -> None:
        """Record a change and wake every waiter."""
        self._versions[session_id] = self.version(session_id) + 1
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, session_id: str, seen: int, timeout: float) -> int:  # noqa: ASYNC109
        """Wait until the session's version differs from ``seen`` (or the timeout)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.version(session_id) == seen:
            left = deadline - loop.time()
            if left <= 0:
                break
            try:
                await asyncio.wait_for(self._event.wait(), left)
            except TimeoutError:
                break
        return self.version(session_id)


def hub(services: Services) -> HallHub:
    """The services' hub (created on first use)."""
    found = services.extras.get(HUB_KEY)
    if found is None:
        found = services.extras[HUB_KEY] = HallHub()
    return found  # type: ignore[no-any-return]


def changed(services: Services, session_id: str) -> None:
    """Tell the hall screens of a session that something they show changed."""
    hub(services).bump(session_id)


def screen_key(secret: str, session_id: str) -> str:
    """The key in the hall screen's link of a session."""
    key = hashlib.sha256(("hall-screen:" + secret).encode()).digest()
    return hmac.new(key, session_id.encode(), hashlib.sha256).hexdigest()[:32]


def key_matches(services: Services, session_id: str, given: str | None) -> bool:
    """Whether ``given`` is the session's screen key (constant-time comparison)."""
    expected = screen_key(services.settings.bot_token.get_secret_value(), session_id)
    return given is not None and hmac.compare_digest(expected, given)


def poll_view(poll: Any, counts: dict[int, int], lang: str) -> dict[str, Any]:
    """A poll with counts and shares (0..1) per option, in one language."""
    total = sum(counts.values())
    return {
        "id": poll.id,
        "question": pick(poll.question, lang),
        "status": poll.status,
        "total": total,
        "options": [
            {
                "text": pick(option, lang),
                "count": counts.get(i, 0),
                "share": (counts.get(i, 0) / total) if total else 0.0,
            }
            for i, option in enumerate(poll.options)
        ],
    }


def pick(texts: dict[str, str], lang: str) -> str:
    """A stored localized text in ``lang``, else any language it has."""
    return texts.get(lang) or next(iter(texts.values()), "")


async def hall_model(services: Services, session_id: str, lang: str) -> dict[str, Any] | None:
    """What the screen shows now, or None for an unknown session."""
    session = services.content.session(session_id)
    if session is None:
        return None
    tr = services.i18n.get(lang)
    repo = services.repos.qa
    questions = await repo.of_session(session.id, PUBLIC)
    open_ones = [q for q in questions if q.status == "approved"]
    answering = next((q for q in open_ones if q.now_answering), None)
    top = open_ones[:TOP]
    if answering is not None and answering not in top:
        top = [answering, *top[: TOP - 1]]
    polls = await repo.polls_of(session.id)
    poll = None
    if polls:
        latest = polls[0]
        poll = poll_view(latest, await repo.poll_counts(latest.id), lang)
    return {
        "version": hub(services).version(session.id),
        "lang": lang,
        "title": session.title.get(lang),
        "room": session.room.get(lang),
        "time": tr.time_range(session.starts, session.ends),
        "labels": {
            "questions": tr._("Questions from the hall"),
            "empty": tr._("No questions yet. Scan the code to ask!"),
            "ask": tr._("Ask your question"),
            "answering": tr._("Now answering"),
            "poll": tr._("Poll"),
            "closed": tr._("Results"),
            "votes": tr._("votes"),
        },
        "votes_total": sum(q.votes for q in questions),
        "questions": [
            {
                "id": q.id,
                "text": q.text,
                "votes": q.votes,
                "name": None if q.anonymous else q.asker_name,
                "now": q.now_answering,
            }
            for q in top
        ],
        "poll": poll,
    }
