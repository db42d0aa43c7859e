"""The Whoosh schema: one document per section, carrying its article.

Title, heading and body each have a stem field (the main recall field, term
frequencies only) and an exact field (tier-0 forms, with positions for
phrases). Positions in the stem fields were 10% of the index and nothing
read them (600 articles of the shared corpus: 42.9 → 38.6 MB). Analyzers are pickled
into the index by Whoosh, so they live under stable module paths
(``bnsearch.analysis.filters`` and ``bnsearch.analysis.tokenizer``).
"""

from __future__ import annotations

from whoosh.columns import Column, RefBytesColumn, VarBytesColumn
from whoosh.fields import BOOLEAN, ID, NUMERIC, STORED, TEXT, FieldType, Schema

from ..analysis import ANALYZER_VERSION, exact_analyzer, stem_analyzer
from .formats import ArrayPositions, BengaliText, Counts

__all__ = ["ANALYZER_VERSION", "SCHEMA_VERSION", "StoredColumn", "make_schema"]

# Bump on any change to the fields below, to bnsearch.engine.codec or
# bnsearch.engine.formats, or to the
# module path of anything pickled into an index (this module's StoredColumn,
# the codec); an index records it (with the analyzer version) and refuses to
# be opened by another version. 6: character offsets dropped, engine/ package.
# 7: no positions in the stem fields (phrases match the exact fields).
# 8: posting blocks stored as byte arrays (bnsearch.engine.codec), positions
# as arrays (bnsearch.engine.formats). 9: headings in a column too. 10: titles
# in a column too.
SCHEMA_VERSION = 10


class StoredColumn(FieldType):
    """A stored string kept in a column for fast scans, but not indexed.

    Bookkeeping fields (source, content hash) are read per document when an
    update loads what the index holds; indexing them would only add postings.
    """

    indexed = False
    stored = True

    def __init__(self, column: Column) -> None:
        self.column_type = column


def _text(analyzer, phrase: bool, **options: bool) -> TEXT:
    """A TEXT field with bnsearch's formats (bnsearch.engine.formats)."""
    field = BengaliText(analyzer=analyzer, phrase=phrase, **options)
    field.format = ArrayPositions() if phrase else Counts()
    return field


def make_schema() -> Schema:
    stem, exact = stem_analyzer(), exact_analyzer()
    return Schema(
        # Indexed: an updated article's sections are deleted by its id.
        article_id=ID(stored=True, sortable=True),
        # One term per value (no range queries needed), and a column.
        ordinal=NUMERIC(int, bits=32, stored=True, sortable=True, shift_step=32),
        level=STORED(),
        # Also a column: the ranking reads its candidates' titles (copies are
        # merged by title) without their stored sections.
        title=_text(stem, stored=True, phrase=False, sortable=True),
        title_exact=_text(exact, phrase=True),
        # Also a column: the section choice reads many sections' headings,
        # and a stored field is read with the whole stored section text.
        heading=_text(stem, stored=True, phrase=False, sortable=True),
        heading_exact=_text(exact, phrase=True),
        heading_path=STORED(),
        # No character offsets (snippets find their matches in the stored
        # text; offsets were 10% of the index), no positions (see above).
        body=_text(stem, phrase=False),
        body_exact=_text(exact, phrase=True, spelling=True),
        # The section exactly as written: snippets are cut from it.
        text=STORED(),
        # Indexed: ranking reads its short posting list once per index reader.
        is_reference=BOOLEAN(stored=True),
        source=StoredColumn(RefBytesColumn()),  # few distinct values
        content_hash=StoredColumn(VarBytesColumn()),
    )
