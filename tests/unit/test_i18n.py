"""i18n: locale resolution, plural rules, Babel formatting, and complete, in-sync catalogs."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po

from bot.i18n import I18n, pN_, resolve_language
from tools import po

ALMATY = ZoneInfo("Asia/Almaty")


@pytest.fixture(scope="module")
def i18n() -> I18n:
    return I18n(ALMATY, "ru")


@pytest.mark.parametrize(
    ("stored", "telegram", "default", "expected"),
    [
        ("kk", "en", "ru", "kk"),  # the stored choice wins
        (None, "en-US", "ru", "en"),  # else Telegram's language if we speak it
        (None, "kk", "en", "kk"),
        (None, "de", "ru", "ru"),  # else the default
        (None, None, "en", "en"),
        ("xx", "fr", "kk", "kk"),
    ],
)
def test_locale_resolution(stored, telegram, default, expected) -> None:
    assert resolve_language(stored, telegram, default) == expected


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "В программе 1 сессия."),
        (2, "В программе 2 сессии."),
        (4, "В программе 4 сессии."),
        (5, "В программе 5 сессий."),
        (11, "В программе 11 сессий."),
        (12, "В программе 12 сессий."),
        (21, "В программе 21 сессия."),
        (22, "В программе 22 сессии."),
        (25, "В программе 25 сессий."),
        (111, "В программе 111 сессий."),
        (101, "В программе 101 сессия."),
    ],
)
def test_russian_has_three_plural_forms(i18n: I18n, n: int, expected: str) -> None:
    tr = i18n.get("ru")
    text = tr.ngettext("The programme has {n} session.", "The programme has {n} sessions.", n)
    assert text.format(n=n) == expected


def test_english_and_kazakh_plurals(i18n: I18n) -> None:
    en = i18n.get("en")
    assert en.ngettext("The programme has {n} session.", "The programme has {n} sessions.", 1) == (
        "The programme has {n} session."
    )
    assert en.ngettext("The programme has {n} session.", "The programme has {n} sessions.", 3) == (
        "The programme has {n} sessions."
    )
    kk = i18n.get("kk")
    text = kk.ngettext("The programme has {n} session.", "The programme has {n} sessions.", 5)
    assert text.format(n=5) == "Бағдарламада 5 сессия бар."


def test_kazakh_dates_and_times_in_the_forum_time_zone(i18n: I18n) -> None:
    kk = i18n.get("kk")
    # 04:30 UTC is 10:30 in Almaty (UTC+6 in 2018).
    moment = datetime(2018, 11, 14, 4, 30, tzinfo=UTC)
    assert kk.time(moment) == "10:30"
    assert "қараша" in kk.date(date(2018, 11, 14))  # November
    assert "2018" in kk.date(date(2018, 11, 14))
    assert kk.weekday(moment).lower() == "сәрсенбі"  # Wednesday
    assert i18n.get("ru").date(date(2018, 11, 14)) == "14 ноября 2018\u202fг."
    assert i18n.get("en").day(moment) == "Wednesday, 14 November"
    assert kk.time_range(moment, moment + timedelta(minutes=90)) == "10:30–12:00"


def test_relative_times_and_durations(i18n: I18n) -> None:
    assert i18n.get("en").relative(timedelta(minutes=15)) == "in 15 minutes"
    assert i18n.get("en").relative(timedelta(minutes=-10)) == "10 minutes ago"
    assert i18n.get("ru").relative(timedelta(minutes=15)) == "через 15 минут"
    assert i18n.get("ru").duration(timedelta(minutes=21)) == "21 минута"
    assert "минут" in i18n.get("kk").relative(timedelta(minutes=15))


def test_unknown_language_falls_back_to_default(i18n: I18n) -> None:
    assert i18n.get("de").language == "ru"
    assert i18n.get(None).language == "ru"


def _key(message: Any) -> tuple[str | None, str]:
    """A catalog entry's identity: its context and (singular) msgid."""
    return message.context, message.id if isinstance(message.id, str) else message.id[0]


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{[a-z_0-9]*\}", text))


def test_catalogs_are_complete_and_in_sync_with_the_code() -> None:
    """A string added to the code but not to the catalogs fails here."""
    template = po.extract()
    code_ids = {_key(m) for m in template if m.id}
    assert code_ids, "no translatable strings found in the code"
    for lang in po.LANGUAGES:
        with po.po_path(lang).open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        ids = {_key(m) for m in catalog if m.id}
        assert code_ids - ids == set(), f"{lang}: strings in code but not in the catalog"
        assert ids - code_ids == set(), f"{lang}: strings in the catalog no longer in code"
        assert po.untranslated(catalog) == [], f"{lang}: untranslated strings"
        for message in catalog:
            if not message.id:
                continue
            ids_ = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            expected = _placeholders(ids_[-1])
            for string in strings:
                assert _placeholders(string) == expected, f"{lang}: placeholders of {ids_[0]!r}"
        if lang == "ru":
            plural = next(m for m in catalog if isinstance(m.id, tuple))
            assert len(plural.string) == 3


# ------------------------------------------------------------------------------ dates
# 21 November 2018, 12:00 UTC is 18:00 in Almaty; 14 November 2018 was a Wednesday.
DEADLINE = datetime(2018, 11, 21, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("lang", "heading", "in_text"),
    [
        ("kk", "14 қараша, сәрсенбі", "14 қараша, сәрсенбі"),
        ("ru", "Среда, 14 ноября", "среда, 14 ноября"),
        ("en", "Wednesday, 14 November", "Wednesday, 14 November"),
    ],
)
def test_day_reads_naturally_in_each_language(
    i18n: I18n, lang: str, heading: str, in_text: str
) -> None:
    """Kazakh puts the weekday last; a heading or button starts with a capital letter."""
    tr = i18n.get(lang)
    wednesday = datetime(2018, 11, 14, 4, 30, tzinfo=UTC)
    assert tr.day(wednesday) == heading
    assert tr.day(date(2018, 11, 14)) == heading
    assert tr.day(wednesday, capital=False) == in_text


@pytest.mark.parametrize(
    ("lang", "same_year", "other_year"),
    [
        ("kk", "21 қараша, 18:00", "2018\u202fж. 21 қараша, 18:00"),
        ("ru", "21 ноября, 18:00", "21 ноября 2018\u202fг., 18:00"),
        ("en", "21 November, 18:00", "21 November 2018, 18:00"),
    ],
)
def test_deadlines_spell_the_month_and_omit_the_forums_year(
    i18n: I18n, lang: str, same_year: str, other_year: str
) -> None:
    tr = i18n.get(lang)
    assert tr.moment(DEADLINE, year=2018) == same_year
    assert tr.moment(DEADLINE, year=2019) == other_year


@pytest.mark.parametrize(
    ("lang", "one_month", "two_months", "one_day"),
    [
        (
            "kk",
            "2018\u202fж. 27–28 қараша",
            "2018\u202fж. 30 қараша – 1 желтоқсан",
            "2018\u202fж. 27 қараша",
        ),
        (
            "ru",
            "27–28 ноября 2018\u202fг.",
            "30 ноября – 1 декабря 2018\u202fг.",
            "27 ноября 2018\u202fг.",
        ),
        ("en", "27–28 November 2018", "30 November – 1 December 2018", "27 November 2018"),
    ],
)
def test_forum_days_as_one_range(
    i18n: I18n, lang: str, one_month: str, two_months: str, one_day: str
) -> None:
    """Babel's format_interval, with the month in full and the year once."""
    tr = i18n.get(lang)
    assert tr.date_range(date(2018, 11, 27), date(2018, 11, 28)) == one_month
    assert tr.date_range(date(2018, 11, 30), date(2018, 12, 1)) == two_months
    assert tr.date_range(date(2018, 11, 27), date(2018, 11, 27)) == one_day


# --------------------------------------------------------------------------- contexts
# English words that name a field, a status, a column or a sheet: never without a context.
AMBIGUOUS = {"Summary", "Submitted", "Updated", "Started", "Decided", "cancelled", "Cancelled."}


def test_words_with_two_roles_are_extracted_only_with_a_context() -> None:
    template = po.extract()
    bare = {m.id for m in template if m.id in AMBIGUOUS and not m.context}
    assert bare == set(), "use pgettext / pN_ for these"
    contexts = {(m.context, m.id) for m in template if m.id in AMBIGUOUS}
    assert ("proposal field", "Summary") in contexts
    assert ("results sheet", "Summary") in contexts
    assert ("proposal status", "Submitted") in contexts
    assert ("date column", "Submitted") in contexts
    # What was cancelled: a broadcast, a question (reply, poll) of Q&A, a text the board awaits.
    assert {c for c in contexts if c[1] == "Cancelled."} == {
        ("broadcast", "Cancelled."),
        ("Q&A dialog", "Cancelled."),
        ("text input", "Cancelled."),
    }


@pytest.mark.parametrize(
    ("lang", "broadcast", "qa", "text_input"),
    [
        ("kk", "Тарату болдырылмады.", "Болдырылмады: ештеңе жіберілмеді.",
         "Мәтін енгізу болдырылмады."),
        ("ru", "Рассылка отменена.", "Отменено: ничего не отправлено.", "Ввод текста отменён."),
        ("en", "Cancelled.", "Cancelled.", "Cancelled."),
    ],
)  # fmt: skip
def test_cancelled_says_what_was_cancelled(
    i18n: I18n, lang: str, broadcast: str, qa: str, text_input: str
) -> None:
    """A Russian attendee who cancels a question does not read "the broadcast is cancelled"."""
    tr = i18n.get(lang)
    assert tr.pgettext("broadcast", "Cancelled.") == broadcast
    assert tr.pgettext("Q&A dialog", "Cancelled.") == qa
    assert tr.pgettext("text input", "Cancelled.") == text_input


# A module's feature: services and handlers of one feature share a name; these belong together.
FAMILIES = {
    "review": "board", "revision": "board", "endorsement": "board", "resolution": "board",
    "my": "agenda",
    "app": "menu", "command": "menu", "keyboard": "menu",
}  # fmt: skip
# Short msgids (three words at most) used by two features without a context, each read in
# every place it is used: the translation fits them all. A new one must be read the same way
# and added here, or get a context (pgettext / pN_) per role.
SHARED_AND_READ = {
    "📅 Agenda", "⏰ Reminders", "Speakers", "Other", "{n} proposal", "Page {page} of {pages}",
    "⬅️ Back", "Saved.", "yes", "no", "Reference", "Title", "Reviewer", "Organization", "Status",
    "Stakeholder group", "❌ Reject", "Prepared on {date}.", "{n} answer", "✖ Cancel", "Yes",
    "No", "Skip", "Language", "Attachment", "◀ Back", "Next ▶", "Question",
    "Language: {language}", "Moderator", "📋 Questions", "{n} vote", "Answer", "Answers",
    "Share",
}  # fmt: skip


def _feature(path: str) -> str:
    stem = re.sub(r"(ing|s)$", "", Path(path).stem.split("_")[0])
    return FAMILIES.get(stem, stem)


def test_a_short_msgid_shared_by_two_features_was_read_in_each() -> None:
    """ "Cancelled." served a broadcast, a question and a board text with one translation
    («Рассылка отменена.»): a short msgid in two features needs a context or a reading."""
    unread = []
    for message in po.extract():
        if not message.id or message.context:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        features = {_feature(path) for path, _ in message.locations}
        words = re.sub(r"\{\w+\}", "", msgid).split()
        if len(features) > 1 and len(words) <= 3 and msgid not in SHARED_AND_READ:
            unread.append(f"{msgid!r}: {sorted(features)}")
    assert unread == []


@pytest.mark.parametrize(
    ("lang", "field", "sheet", "status"),
    [
        ("kk", "Қысқаша сипаттама", "Жиынтық", "Жіберілді"),
        ("ru", "Краткое описание", "Сводка", "Подано"),
        ("en", "Summary", "Summary", "Submitted"),
    ],
)
def test_each_role_has_its_own_translation(
    i18n: I18n, lang: str, field: str, sheet: str, status: str
) -> None:
    tr = i18n.get(lang)
    assert tr._(pN_("proposal field", "Summary")) == field
    assert tr.pgettext("results sheet", "Summary") == sheet
    assert tr._(pN_("proposal status", "Submitted")) == status


# ------------------------------------------------------------------ the review's findings
# One row per finding of /work/shared/reviews/translations.md (2026-12-02) that a catalog merge
# could bring back: (language, context, msgid, the translation that fixed it).
REVIEWED = [
    ("kk", "proposal field", "Summary", "Қысқаша сипаттама"),
    ("ru", "proposal field", "Summary", "Краткое описание"),
    ("kk", None, "Withdrawn", "Кері қайтарып алынды"),
    ("kk", None, "↩️ Withdraw {reference}", "↩️ Кері қайтарып алу: {reference}"),
    ("kk", None, "Yes, withdraw", "Иә, кері қайтарып алу"),
    (
        "ru",
        None,
        'Kept pending: it is sent with "Release decisions".',
        "Решение сохранено и ждёт объявления: оно уйдёт по кнопке «Объявить решения».",
    ),
    ("ru", "proposal status", "Submitted", "Подано"),
    ("ru", None, "{rate} messages/s; about {left} left", "{rate} сообщ./с; осталось: ~{left}"),
    ("ru", None, "Send the text for readers of {language}.",
     "Пришлите текст на этом языке: {language}."),
    (
        "kk",
        None,
        "Send the text for readers of {language}.",
        "Мына тілде оқитындарға арналған мәтінді жіберіңіз: {language}.",
    ),
    ("kk", None, "☕ Break until {time}.", "☕ Үзіліс, аяқталуы: {time}."),
    (
        "kk",
        None,
        "▶ {title} — started {relative}, until {time}",
        "▶ {title} — {relative} басталды, аяқталуы: {time}",
    ),
    ("kk", None, "Skip ▶", "Өткізіп жіберу ▶"),
    ("ru", None, "Off", "Не напоминать"),
    ("kk", None, "🔄 Changed in your agenda: “{title}”", "🔄 Күн тәртібіңізде өзгеріс: «{title}»"),
    ("kk", None, "Something went wrong. Please try again.", "Қате шықты. Қайталап көріңіз."),
    ("kk", None, "Workshop", "Практикалық семинар"),
    ("ru", None, "Workshop", "Практический семинар"),
    ("ru", None, "✅ I agree", "✅ Даю согласие"),
    ("ru", None, "✖️ I do not agree", "✖️ Не даю согласия"),
    ("ru", None, "Which language's readers?", "Для пользователей какого языка?"),
    (
        "ru",
        None,
        "This button is not for the current question. Here it is again:",
        "Эта кнопка относится к другому вопросу. Вот текущий:",
    ),
    ("kk", None, "⚠️ Clashes with: {titles}", "⚠️ Уақыты қабаттасады: {titles}"),
    ("kk", None, "Username", "Пайдаланушы аты"),
    ("ru", None, "Username", "Имя пользователя"),
    ("ru", "date column", "Updated", "Обновлено"),
    ("ru", "date column", "Started", "Начало"),
    ("kk", "date column", "Started", "Басталған уақыты"),
    ("ru", None, "Broadcast discarded.", "Черновик рассылки удалён."),
    ("kk", None, "Please send a future date and time, for example {example}.",
     "Алдағы күн мен уақытты жіберіңіз, мысалы: {example}."),
]  # fmt: skip


@pytest.mark.parametrize(("lang", "context", "msgid", "expected"), REVIEWED)
def test_the_reviews_findings_stay_fixed(
    i18n: I18n, lang: str, context: str | None, msgid: str, expected: str
) -> None:
    tr = i18n.get(lang)
    assert (tr.pgettext(context, msgid) if context else tr._(msgid)) == expected
