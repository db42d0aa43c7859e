"""Engine: everything coupled to Whoosh, and every use of its private parts.

The schema (:mod:`.schema`) with its posting formats (:mod:`.formats`), how
postings are written and read (:mod:`.codec`) and pooled before writing
(:mod:`.pool`); the one write path that ``bnsearch index`` and
``Index.add_many`` share (:mod:`.indexing`) with its safe multi-process
writer (:mod:`.parallel`); BM25F for sections (:mod:`.scoring`); searching
a query's posting lists as arrays (:mod:`.arrays`, the path of word
queries) and Whoosh's matchers with the collector that groups matches by
article (:mod:`.collector`, the path of phrases); what both paths hand the
ranking (:mod:`.evidence`: the document table and every matching article's
evidence); what a searcher's searches keep (:mod:`.context`), the
Latin→Bengali table written with the index
(:mod:`.romanized`) and the index check (:mod:`.check`). Where these read a
private Whoosh attribute, a test compares the result with Whoosh's own
(tests/test_search.py: scores, corrector terms; tests/test_indexing.py: the
codec's blocks, the formats, the pool; tests/test_arrays.py: postings,
scores and evidence of the array path).
"""

from ..lazy import lazy_names

# Where each name lives: loaded on first use, so that a search does not load
# the write path (and a command's start-up stays short).
_NAMES = {
    "ANALYZER_VERSION": "schema",
    "DEFAULT_MEMORY_MB": "indexing",
    "DEFAULT_TIMEOUT": "collector",
    "SCHEMA_VERSION": "schema",
    "Deadline": "collector",
    "SectionWeighting": "scoring",
    "add_articles": "indexing",
    "check_index": "check",
    "create_index": "indexing",
    "delete_articles": "indexing",
    "make_schema": "schema",
    "remove_leftovers": "indexing",
    "update_index": "indexing",
}
__all__ = sorted(_NAMES)
__getattr__ = lazy_names(__name__, _NAMES)
