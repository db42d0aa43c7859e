"""Engine: everything coupled to Whoosh, and every use of its private parts.

The schema (:mod:`.schema`) with its posting formats (:mod:`.formats`), how
postings are written and read (:mod:`.codec`) and pooled before writing
(:mod:`.pool`); the one write path that ``bnsearch index`` and
``Index.add_many`` share (:mod:`.indexing`) with its safe multi-process
writer (:mod:`.parallel`); BM25F for sections (:mod:`.scoring`); searching
a query's posting lists as arrays (:mod:`.arrays`, the path of word
queries) and Whoosh's matchers with the collector that groups matches by
article (:mod:`.collector`, the path of phrases); per-reader caches
(:mod:`.cache`), the Latin→Bengali table written with the index
(:mod:`.romanized`) and the index check (:mod:`.check`). Where these read a
private Whoosh attribute, a test compares the result with Whoosh's own
(tests/test_search.py: scores, corrector terms; tests/test_indexing.py: the
codec's blocks, the formats, the pool; tests/test_arrays.py: postings,
scores and evidence of the array path).
"""

from .check import check_index
from .collector import DEFAULT_TIMEOUT, Deadline
from .indexing import (
    DEFAULT_MEMORY_MB,
    add_articles,
    create_index,
    delete_articles,
    remove_leftovers,
    update_index,
)
from .schema import ANALYZER_VERSION, SCHEMA_VERSION, make_schema
from .scoring import SectionWeighting

__all__ = [
    "ANALYZER_VERSION",
    "DEFAULT_MEMORY_MB",
    "DEFAULT_TIMEOUT",
    "SCHEMA_VERSION",
    "Deadline",
    "SectionWeighting",
    "add_articles",
    "check_index",
    "create_index",
    "delete_articles",
    "make_schema",
    "remove_leftovers",
    "update_index",
]
