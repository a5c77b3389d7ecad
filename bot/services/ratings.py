"""Session ratings: the invitation after a session, the stars keyboard and the rules.

``invitation(tr, session)`` is the contract with the delivery engine, which sends it through the
outbox to the people who starred a session when it ends (dedup key ``rate:<session>:<user>``).
Anyone may also rate a session from its card once it has started (``rate:open:<session>``).
"""

from __future__ import annotations

from datetime import datetime

from bot import callbacks
from bot.content import Session
from bot.i18n import Translator
from bot.views import Button, Rows
from storage.ratings import Rating

FEATURE = "rate"
COMMENT_MAX_LENGTH = 1000
STARS = range(1, 6)


def can_rate(session: Session, now: datetime) -> bool:
    """A session can be rated once it has started."""
    return now >= session.starts


def stars_keyboard(
    tr: Translator, session_id: str, current: int | None = None, *, comment: bool = False
) -> Rows:
    """Five star buttons (the current one ticked) and, once rated, "Add a comment"."""
    row = [
        Button(
            ("✓ " if n == current else "") + f"{n}⭐",
            data=callbacks.make(FEATURE, "s", session_id, n),
        )
        for n in STARS
    ]
    keyboard = [row]
    if comment:
        keyboard.append(
            [Button(tr._("💬 Add a comment"), data=callbacks.make(FEATURE, "c", session_id))]
        )
    return keyboard


def invitation(tr: Translator, session: Session) -> tuple[str, Rows]:
    """The message inviting a person to rate a session that has just ended."""
    text = tr._(
        "How was “{title}”? Please rate the session from 1 to 5 stars; it takes a second."
    ).format(title=session.title.get(tr.language))
    return text, stars_keyboard(tr, session.id)


def prompt(tr: Translator, session: Session, rating: Rating | None) -> tuple[str, Rows]:
    """The rating message for a session: the question, or the person's rating so far."""
    title = session.title.get(tr.language)
    if rating is None:
        text = tr._("Rate “{title}” from 1 to 5 stars:").format(title=title)
        return text, stars_keyboard(tr, session.id)
    text = tr._("You rated “{title}”: {stars} of 5. Thank you!").format(
        title=title, stars=rating.stars
    )
    text += " " + "⭐" * rating.stars
    if rating.comment:
        text += "\n" + tr._("Your comment: {comment}").format(comment=rating.comment)
    else:
        text += "\n" + tr._("You can change the stars or add a comment.")
    return text, stars_keyboard(tr, session.id, rating.stars, comment=True)
