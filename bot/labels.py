"""Names shown for stored codes: stakeholder groups and languages (flows and handlers use them)."""

from __future__ import annotations

from bot.i18n import N_

# Each language's name in itself: shown the same to everyone.
LANGUAGE_NAMES: dict[str, str] = {"kk": "🇰🇿 Қазақша", "ru": "🇷🇺 Русский", "en": "🇬🇧 English"}

# The stakeholder groups of storage.users.STAKEHOLDER_GROUPS (msgids, translated when shown).
STAKEHOLDER_LABELS: dict[str, str] = {
    "government": N_("Government body"),
    "parliament": N_("Parliament"),
    "ngo": N_("NGO / civil society"),
    "business": N_("Business"),
    "science": N_("Science and education"),
    "media": N_("Media"),
    "international": N_("International organization"),
    "other": N_("Other"),
}
