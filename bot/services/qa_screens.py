"""/screen: the hall screens' links, each with its key, for the sessions of the forum day."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.i18n import Translator
from bot.services import hall
from bot.services.qa_common import clip
from bot.views import Screen

if TYPE_CHECKING:
    from bot.context import Services


def screen_links(services: Services, tr: Translator) -> Screen:
    """/screen: the hall screen's link (with its key) of each session of the forum day."""
    forum, now = services.content, services.clock.now()
    today = now.astimezone(forum.forum.tz).date()
    day = today if today in forum.days() else forum.days()[0]
    secret = services.settings.bot_token.get_secret_value()
    lines = [
        tr._(
            "🖥 Hall screens: open a session's link on the projector's computer. Add "
            "&rotate=20 to the link to switch the language every 20 seconds. Keep the links "
            "among the team: the key in them opens the screen."
        ),
        "",
    ]
    for session in forum.sessions_on(day):
        if session.kind == "break":
            continue
        link = services.public_link(f"/hall/{session.id}?key={hall.screen_key(secret, session.id)}")
        title = clip(session.title.get(tr.language), 80)
        lines.append(f"{tr.time(session.starts)} {title}\n{link}\n")
    return Screen(clip("\n".join(lines), 4000))
