"""Hidden groups cannot be worked out by subtracting the shown ones from the total."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.services.anonymity import hidden_groups


def test_one_small_group_takes_the_smallest_other_with_it() -> None:
    # Everyone (21) - government (10) - NGO (8) would give business's 3 exactly.
    counts = {"government": 10, "ngo": 8, "business": 3}
    assert hidden_groups(counts, 5) == {"business", "ngo"}


def test_small_groups_that_add_up_to_enough_stay_alone() -> None:
    counts = {"government": 10, "media": 3, "science": 2, None: 4}
    assert hidden_groups(counts, 5) == {"media", "science", None}


def test_nothing_small_nothing_hidden() -> None:
    assert hidden_groups({"ngo": 5, "business": 7}, 5) == set()
    assert hidden_groups({}, 5) == set()


@given(
    st.dictionaries(st.sampled_from("abcdefg"), st.integers(min_value=0, max_value=30)),
    st.integers(min_value=1, max_value=10),
)
def test_no_small_group_can_be_read_off(counts: dict[str, int], threshold: int) -> None:
    hidden = hidden_groups(counts, threshold)
    # Every group under the threshold is hidden ...
    assert {g for g, n in counts.items() if 0 < n < threshold} <= hidden
    # ... and what the total minus the shown groups gives is either nothing or enough people.
    rest = sum(counts[g] for g in hidden)
    shown = [g for g, n in counts.items() if g not in hidden and n > 0]  # a 0 gives nothing
    assert rest == 0 or rest >= threshold or not shown
