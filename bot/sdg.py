"""The 17 UN Sustainable Development Goals, bundled with the bot and translated by gettext."""

from __future__ import annotations

from bot.i18n import N_, Translator

# The goals' short official names; number -> msgid.
SDGS: dict[int, str] = {
    1: N_("No poverty"),
    2: N_("Zero hunger"),
    3: N_("Good health and well-being"),
    4: N_("Quality education"),
    5: N_("Gender equality"),
    6: N_("Clean water and sanitation"),
    7: N_("Affordable and clean energy"),
    8: N_("Decent work and economic growth"),
    9: N_("Industry, innovation and infrastructure"),
    10: N_("Reduced inequalities"),
    11: N_("Sustainable cities and communities"),
    12: N_("Responsible consumption and production"),
    13: N_("Climate action"),
    14: N_("Life below water"),
    15: N_("Life on land"),
    16: N_("Peace, justice and strong institutions"),
    17: N_("Partnerships for the goals"),
}


def sdg_name(tr: Translator, number: int) -> str:
    """The goal's name in ``tr``'s language."""
    return tr._(SDGS[number])


def sdg_label(tr: Translator, number: int) -> str:
    """ "SDG 4. Quality education" in ``tr``'s language."""
    return tr._("SDG {number}. {name}").format(number=number, name=sdg_name(tr, number))
