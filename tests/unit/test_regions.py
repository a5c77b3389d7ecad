"""Kazakhstan's regions as they are since 2022, by their official names in kk, ru and en."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from bot.i18n import I18n
from bot.regions import CITIES, REGIONS, region_name
from bot.services import proposals

# The keys of the 2018 list: proposals stored with them must keep displaying.
KEYS_OF_2018 = (
    "astana", "almaty_city", "shymkent", "akmola", "aktobe", "almaty", "atyrau", "east_kz",
    "zhambyl", "west_kz", "karaganda", "kostanay", "kyzylorda", "mangystau", "pavlodar",
    "north_kz", "turkestan",
)  # fmt: skip


@pytest.fixture(scope="module")
def i18n() -> I18n:
    return I18n(ZoneInfo("Asia/Almaty"), "ru")


def test_seventeen_regions_and_three_cities() -> None:
    assert len(REGIONS) == 20
    assert set(CITIES) == {"astana", "almaty_city", "shymkent"}
    assert len(set(REGIONS) - CITIES) == 17
    assert {"abai", "zhetisu", "ulytau"} <= set(REGIONS)
    assert proposals.REGIONS is REGIONS  # the proposal dialog offers this list


@pytest.mark.parametrize(
    ("key", "kk", "ru", "en"),
    [
        ("abai", "Абай облысы", "Область Абай", "Abai Region"),
        ("zhetisu", "Жетісу облысы", "Область Жетісу", "Zhetisu Region"),
        ("ulytau", "Ұлытау облысы", "Область Ұлытау", "Ulytau Region"),
        ("turkestan", "Түркістан облысы", "Туркестанская область", "Turkistan Region"),
        ("east_kz", "Шығыс Қазақстан облысы", "Восточно-Казахстанская область",
         "East Kazakhstan Region"),
        ("astana", "Астана", "Астана", "Astana"),
        ("almaty_city", "Алматы", "Алматы", "Almaty"),
        ("almaty", "Алматы облысы", "Алматинская область", "Almaty Region"),
        ("shymkent", "Шымкент", "Шымкент", "Shymkent"),
    ],
)  # fmt: skip
def test_official_names(i18n: I18n, key: str, kk: str, ru: str, en: str) -> None:
    assert region_name(i18n.get("kk"), key) == kk
    assert region_name(i18n.get("ru"), key) == ru
    assert region_name(i18n.get("en"), key) == en


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_proposals_stored_with_the_old_keys_keep_displaying(i18n: I18n, lang: str) -> None:
    tr = i18n.get(lang)
    for key in KEYS_OF_2018:
        name = region_name(tr, key)
        assert name != key and name == tr._(REGIONS[key])
    assert region_name(tr, "Семей") == "Семей"  # a town typed by hand stays as typed
    assert region_name(tr, None) == "—"
