"""Which groups a breakdown must hide so that no group of fewer than N people can be read off.

A group with fewer than ``threshold`` people (ANONYMITY_MIN_GROUP) shows no figures of its own.
That alone is not enough when a total is shown beside the groups: the total minus the shown
groups gives the hidden ones together, and when that is a single small group (or several adding
up to fewer than ``threshold``), their figures can be worked out by subtraction. So the smallest
shown group is hidden too until the hidden groups together hold at least ``threshold`` people
(complementary suppression, as statistical offices publish tables).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

G = TypeVar("G", bound=Hashable)


def hidden_groups(counts: Mapping[G, int], threshold: int) -> set[G]:
    """The groups whose figures must not be shown, given each group's number of people."""
    hidden = {g for g, n in counts.items() if 0 < n < threshold}
    shown = sorted(
        (g for g, n in counts.items() if n >= threshold), key=lambda g: (counts[g], str(g))
    )
    while hidden and sum(counts[g] for g in hidden) < threshold and shown:
        hidden.add(shown.pop(0))
    return hidden
