"""The ranking's settings in one frozen tree: ``RankingConfig``.

- ``weights`` (:class:`bnsearch.search.compile.Weights`): field boosts, the
  operator, the article score's levels and coverage, the weights of other
  forms of a word, and ``parts``, the switches of the parts that are not a
  weight;
- ``article`` (:class:`bnsearch.engine.scoring.ArticleParameters`): BM25F
  over a whole article;
- ``section`` (:class:`SectionScoring`): BM25F over a section.

The defaults are the measured best (docs/ranking.md). A config can be read
from TOML (``bnsearch search --ranking FILE``), with a table per part::

    [weights]
    article_level = 1.0
    [weights.parts]
    heading_rule = false
    [section]
    title_b = 0.75
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..engine.scoring import REFERENCE_DISCOUNT, SECTION_FIELD_B, ArticleParameters
from ..errors import InvalidArgumentError
from .compile import Parts, Weights

__all__ = ["ArticleParameters", "Parts", "RankingConfig", "SectionScoring", "Weights"]


@dataclass(frozen=True)
class SectionScoring:
    """BM25F over one section (Whoosh's, with bnsearch's length tables):
    K1, B for every field but the titles, the titles' B, and the factor of
    reference and link-list sections."""

    k1: float = 1.2
    b: float = 0.75
    title_b: float = SECTION_FIELD_B["title_B"]
    reference_discount: float = REFERENCE_DISCOUNT

    def weighting_options(self) -> dict[str, float]:
        """The keyword arguments of bnsearch.engine.scoring.SectionWeighting."""
        return {
            "K1": self.k1,
            "B": self.b,
            "title_B": self.title_b,
            "title_exact_B": self.title_b,
            "reference_discount": self.reference_discount,
        }


@dataclass(frozen=True)
class RankingConfig:
    weights: Weights = field(default_factory=Weights)
    article: ArticleParameters = field(default_factory=ArticleParameters)
    section: SectionScoring = field(default_factory=SectionScoring)

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> RankingConfig:
        """A config from nested tables (as TOML reads them); what is not
        given keeps its default, and an unknown name is an error."""
        return _build(cls, data, "")

    @classmethod
    def from_toml(cls, path: Path | str) -> RankingConfig:
        try:
            import tomllib
        except ImportError:  # Python 3.10
            raise InvalidArgumentError("reading a ranking file needs Python 3.11") from None
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise InvalidArgumentError(f"cannot read the ranking file {path}: {error}") from None
        return cls.from_mapping(data)


def _build(kind: type, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise InvalidArgumentError(f"ranking: {where or 'the file'} must be a table")
    fields = {f.name: f for f in dataclasses.fields(kind)}
    defaults = kind()
    values: dict[str, Any] = {}
    for name, value in data.items():
        place = f"{where}.{name}" if where else name
        if name not in fields:
            known = ", ".join(sorted(fields))
            raise InvalidArgumentError(f"ranking: unknown setting {place} (known: {known})")
        current = getattr(defaults, name)
        if value is False and "None" in str(fields[name].type):
            values[name] = None  # a part with a value, switched off (coordination = false)
        elif dataclasses.is_dataclass(current):
            values[name] = _build(type(current), value, place)
        elif isinstance(current, bool) or (current is None and isinstance(value, bool)):
            if not isinstance(value, bool):
                raise InvalidArgumentError(f"ranking: {place} must be true or false")
            values[name] = value
        elif isinstance(current, str):
            if not isinstance(value, str):
                raise InvalidArgumentError(f"ranking: {place} must be a string")
            values[name] = value
        else:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidArgumentError(f"ranking: {place} must be a number")
            values[name] = type(current)(value) if isinstance(current, int | float) else value
    return dataclasses.replace(defaults, **values)
