"""Kazakhstan's regions and cities of republican significance, as they are since June 2022.

Seventeen regions (oblys) and three cities, with their official names in kk, ru and en
(Presidential Decree of 3 May 2022 created the Abai, Zhetisu and Ulytau regions from East
Kazakhstan, Almaty and Karaganda regions). The keys are stored with proposals: a key is never
renamed or removed, so a proposal stored with an older list keeps displaying.
"""

from __future__ import annotations

from bot.i18n import N_, Translator

# Key -> msgid. Cities first, then the regions in the order of the official (Kazakh) lists.
# TRANSLATORS: official names. The three regions of 2022 are «область Абай», «область
# Жетісу», «область Ұлытау» in Russian (as the decree writes them), not adjectives.
REGIONS: dict[str, str] = {
    "astana": N_("Astana"),
    "almaty_city": N_("Almaty"),
    "shymkent": N_("Shymkent"),
    "abai": N_("Abai Region"),
    "akmola": N_("Akmola Region"),
    "aktobe": N_("Aktobe Region"),
    "almaty": N_("Almaty Region"),
    "atyrau": N_("Atyrau Region"),
    "west_kz": N_("West Kazakhstan Region"),
    "zhambyl": N_("Zhambyl Region"),
    "zhetisu": N_("Zhetisu Region"),
    "karaganda": N_("Karaganda Region"),
    "kostanay": N_("Kostanay Region"),
    "kyzylorda": N_("Kyzylorda Region"),
    "mangystau": N_("Mangystau Region"),
    "pavlodar": N_("Pavlodar Region"),
    "north_kz": N_("North Kazakhstan Region"),
    "turkestan": N_("Turkistan Region"),
    "ulytau": N_("Ulytau Region"),
    "east_kz": N_("East Kazakhstan Region"),
}
CITIES: frozenset[str] = frozenset({"astana", "almaty_city", "shymkent"})


def region_name(tr: Translator, region: str | None) -> str:
    """The region's official name in ``tr``'s language; text a person typed stays as it is."""
    if not region:
        return "—"
    return tr._(REGIONS[region]) if region in REGIONS else region
