"""HTML is never cut inside a tag or an entity: cards and pages built from titles full of
& < > and long words stay valid Telegram HTML within their limits."""

from __future__ import annotations

import html
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.content import LocalizedText, load_content
from bot.i18n import I18n
from bot.resources import sample_content_path
from bot.sandbox.entities import parse_html
from bot.services import agenda_card, agenda_now, agenda_views, html_text, qr
from handlers import speakers

HOSTILE = st.text(alphabet="&<>;#ab Ж\n", min_size=0, max_size=60).map(lambda s: s * 120)
LONG_WORDS = st.text(alphabet="&<>x", min_size=500, max_size=9000)
TEXTS = st.one_of(HOSTILE, LONG_WORDS)
I18N = I18n(ZoneInfo("Asia/Almaty"), "en")
FORUM = load_content(sample_content_path())


def valid(markup: str, limit: int) -> str:
    """The plain text Telegram would show; fails when the HTML would be rejected."""
    assert len(markup) <= limit
    plain, _ = parse_html(markup)
    return plain


@given(text=TEXTS, limit=st.integers(min_value=1, max_value=5000))
def test_shorten_escaped_cuts_the_plain_text_then_escapes(text: str, limit: int) -> None:
    shortened = html_text.shorten_escaped(text, limit)
    plain = valid(shortened, limit)
    if html.escape(text, quote=False) == shortened:
        assert plain == text
    else:
        assert plain.endswith("…")
        assert text.startswith(plain[:-1])


@given(
    title=TEXTS,
    body=TEXTS,
    limit=st.integers(min_value=20, max_value=4000),
)
def test_truncate_never_breaks_tags_or_entities(title: str, body: str, limit: int) -> None:
    esc = html_text.esc
    link = '<a href="https://x.kz/?a=1&amp;b=2">'
    markup = f"<b>{esc(title)}</b>\n<i>{esc(body)}</i> {link}{esc(title)}</a>"
    cut = html_text.truncate(markup, limit)
    plain = valid(cut, limit)
    full, _ = parse_html(markup)
    assert full.startswith(plain.rstrip("…").rstrip()) or plain == "…"


def context_with(forum) -> SimpleNamespace:
    tr = I18N.get("en")
    return SimpleNamespace(
        tr=tr,
        content=forum,
        services=SimpleNamespace(extras={}),
        bot=SimpleNamespace(username="forum_bot"),
        clock=SimpleNamespace(now=lambda: forum.sessions[0].starts),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=TEXTS, description=TEXTS)
def test_session_card_day_page_and_now_stay_valid(title: str, description: str) -> None:
    session = FORUM.sessions[1]
    hostile = session.model_copy(
        update={
            "title": LocalizedText(title if title.strip() else "&"),
            "description": LocalizedText(description if description.strip() else "<"),
        }
    )
    sessions = tuple(hostile if s.id == session.id else s for s in FORUM.sessions)
    forum = FORUM.model_copy(update={"sessions": sessions})
    context = context_with(forum)
    link = qr.deep_link(context.bot.username, "session", hostile.id)
    card = agenda_card.session_card(
        context.tr, forum, hostile, starred=True, link=link, now=context.clock.now()
    )
    valid(card.text, agenda_views.CARD_LIMIT)
    page = agenda_views.day_page(context.tr, forum, hostile.day, None, 0).text
    valid(page, 4096)
    now, _ = agenda_now.now_text(context.tr, forum, hostile.starts)
    valid(now, agenda_views.CARD_LIMIT)


@settings(max_examples=40, deadline=None)
@given(bio=TEXTS, name=st.text(alphabet="&<>x", min_size=1, max_size=300))
def test_speaker_card_and_caption_stay_valid(bio: str, name: str) -> None:
    speaker = FORUM.speakers[0]
    hostile = speaker.model_copy(
        update={
            "bio": LocalizedText(bio if bio.strip() else "&"),
            "name": LocalizedText(name),
        }
    )
    context = context_with(FORUM)
    for limit in (speakers.CAPTION_LIMIT, speakers.CARD_LIMIT):
        text, _ = speakers.card(context, hostile, limit)
        valid(text, limit)
