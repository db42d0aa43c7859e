"""Edit distances: a cost-weighted one, the dynamic program behind close
spellings (bnsearch.search.variants) and romanized readings
(bnsearch.analysis.romanize), each with its own costs; and a test for one
edit, which did-you-mean asks of hundreds of terms per word."""

from __future__ import annotations

import math
from collections.abc import Callable

__all__ = ["weighted_distance", "within_one_edit"]


def weighted_distance(
    a: str,
    b: str,
    substitution: Callable[[str, str], float],
    indel: Callable[[str], float],
    limit: float = math.inf,
) -> float:
    """The least total cost of turning ``a`` into ``b`` by substitutions
    (``substitution(x, y)``, 0 for equal characters) and insertions or
    deletions (``indel(char)``); ``math.inf`` as soon as it must exceed
    ``limit`` (every path crosses each row, so a row whose every cell is
    over the limit ends it: most candidates are given up after a few)."""
    previous = [0.0]
    for char in b:
        previous.append(previous[-1] + indel(char))
    for x in a:
        current = [previous[0] + indel(x)]
        for j, y in enumerate(b, 1):
            current.append(
                min(
                    previous[j - 1] + substitution(x, y),
                    previous[j] + indel(x),
                    current[j - 1] + indel(y),
                )
            )
        if min(current) > limit:
            return math.inf
        previous = current
    return previous[-1]


def within_one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` are at most one Damerau-Levenshtein edit apart
    (a substitution, an insertion, a deletion or two neighbours swapped),
    without the dynamic program: compare past the first difference."""
    if a == b:
        return True
    if len(a) < len(b):
        a, b = b, a
    if len(a) - len(b) > 1:
        return False
    first = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(b))
    if len(a) > len(b):  # a deletion from ``a``
        return a[first + 1 :] == b[first:]
    return (
        a[first + 1 :] == b[first + 1 :]
        or (  # a substitution, or a swap
            a[first : first + 2] == b[first : first + 2][::-1] and a[first + 2 :] == b[first + 2 :]
        )
    )
