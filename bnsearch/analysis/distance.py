"""A cost-weighted edit distance: the one dynamic program behind close
spellings (bnsearch.search.variants) and romanized readings
(bnsearch.analysis.romanize), each with its own costs."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["weighted_distance"]


def weighted_distance(
    a: str,
    b: str,
    substitution: Callable[[str, str], float],
    indel: Callable[[str], float],
) -> float:
    """The least total cost of turning ``a`` into ``b`` by substitutions
    (``substitution(x, y)``, 0 for equal characters) and insertions or
    deletions (``indel(char)``)."""
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
        previous = current
    return previous[-1]
