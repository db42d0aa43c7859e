"""Search: the query language, compiling it against the index, ranking
articles, snippets and suggestions; :class:`SearchPipeline` runs them.

:mod:`.parse` (text → tree), :mod:`.compile` (tree → QueryPlan),
:mod:`.rank` (articles, copies, the section shown), :mod:`.snippets`,
:mod:`.suggest` (did you mean), :mod:`.pipeline` (the stages in order).
"""

from .compile import QueryPlan, Weights, compile_query
from .parse import is_costly, parse
from .pipeline import DEFAULT_TIMEOUT, DEFAULT_WEIGHTS, SearchPipeline, SearchRequest, query_spans

__all__ = [
    "DEFAULT_TIMEOUT",
    "DEFAULT_WEIGHTS",
    "QueryPlan",
    "SearchPipeline",
    "SearchRequest",
    "Weights",
    "compile_query",
    "is_costly",
    "parse",
    "query_spans",
]
