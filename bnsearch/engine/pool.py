"""The posting pool: every (field, term, document, weight, value) a writer
makes, sorted for the postings writer.

Whoosh's pool sorts all of a segment's postings as whole tuples in one list
(a seventh of the time of indexing the shared corpus in one process). Here
the pool keeps one list per field and sorts each by the term alone: Python's
sort is stable, and a writer adds postings in document order, so a term's
postings stay in document order — the same sequence as Whoosh's sort,
produced in less time (tests/test_indexing.py compares them). Runs spilled
to disk when the pool outgrows its memory are sorted the same way and
merged by Whoosh.
"""

from __future__ import annotations

import types
from operator import itemgetter

from whoosh.writing import PostingPool, SegmentWriter

__all__ = ["FieldSortedPool", "use_field_sorted_pool"]

_TERM = itemgetter(1)


class FieldSortedPool(PostingPool):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._fields: dict[str, list[tuple]] = {}

    def add(self, item: tuple) -> None:
        fieldname = item[0]
        found = self._fields.get(fieldname)
        if found is None:
            found = self._fields[fieldname] = []
            self.fieldnames.add(fieldname)
        found.append(item)
        # Whoosh's estimate of the item's memory, in bytes.
        self.currentsize += 148 + len(fieldname) + 2 * len(item[1]) + len(item[4] or b"")
        if self.currentsize > self.limit:
            self.save()

    def _sorted(self) -> list[tuple]:
        items: list[tuple] = []
        for fieldname in sorted(self._fields):
            postings = self._fields[fieldname]
            postings.sort(key=_TERM)  # stable: each term's postings stay in document order
            items += postings
        self._fields = {}
        return items

    def save(self) -> None:
        items = self._sorted()
        if items:
            path, file = self._new_run()
            self._write_run(file, items)
            self._add_run(path)
        self.currentsize = 0

    def add_field(self, fieldname: str, docnum: int, postings: list[tuple]) -> int:
        """Add one field's postings of a document (term bytes, count, weight,
        value), as ``add`` would one by one; returns the counts' sum."""
        found = self._fields.get(fieldname)
        if found is None:
            found = self._fields[fieldname] = []
            self.fieldnames.add(fieldname)
        found += [(fieldname, term, docnum, weight, value) for term, _, weight, value in postings]
        self.currentsize += sum(
            148 + len(fieldname) + 2 * len(term) + len(value or b"")
            for term, _, _, value in postings
        )
        if self.currentsize > self.limit:
            self.save()
        return sum(count for _, count, _, _ in postings)

    def items(self, maxfiles: int = 128):
        if not self.runs:
            return self._sorted()
        self.save()
        return super().items(maxfiles)


def use_field_sorted_pool(writer: SegmentWriter) -> None:
    """Give a writer that has not taken a posting yet a FieldSortedPool, and
    its add_document a path that hands a field's postings over as a list."""
    old = writer.pool
    if isinstance(old, FieldSortedPool) or old.current or old.runs:
        return
    writer.pool = FieldSortedPool(old.tempstore, old.segment, limitmb=old.limit // (1 << 20))
    writer.add_document = types.MethodType(_add_document, writer)


def _add_document(self: SegmentWriter, **fields: object) -> None:
    """Whoosh 2.7.4's SegmentWriter.add_document, step for step, except that
    a field whose ``index()`` gives a list (bnsearch.engine.formats) and that
    has no boost goes to the pool in one call instead of a call per posting."""
    self._check_state()
    perdocwriter = self.perdocwriter
    schema = self.schema
    docnum = self.docnum
    pool = self.pool
    docboost = self._doc_boost(fields)
    fieldnames = sorted(name for name in fields if not name.startswith("_"))
    self._check_fields(schema, fieldnames)
    perdocwriter.start_doc(docnum)
    for fieldname in fieldnames:
        value = fields.get(fieldname)
        if value is None:
            continue
        field = schema[fieldname]
        length = 0
        if field.indexed:
            fieldboost = self._field_boost(fields, fieldname, docboost)
            items = field.index(value)
            if isinstance(items, list) and fieldboost == 1.0:
                counted = pool.add_field(fieldname, docnum, items)
                if field.scorable:
                    length = counted
            else:
                for tbytes, freq, weight, vbytes in items:
                    weight *= fieldboost
                    if field.scorable:
                        length += freq
                    pool.add((fieldname, tbytes, docnum, weight, vbytes))
        if field.separate_spelling():
            spellfield = field.spelling_fieldname(fieldname)
            for word in field.spellable_words(value):
                pool.add((spellfield, word.encode("utf-8"), 0, 1, None))
        if field.vector:
            vitems = field.vector.word_values(value, field.analyzer, mode="index")
            vitems = sorted((text, weight, vbytes) for text, _, weight, vbytes in vitems)
            perdocwriter.add_vector_items(fieldname, field, vitems)
        customval = fields.get(f"_stored_{fieldname}", value)
        perdocwriter.add_field(fieldname, field, customval if field.stored else None, length)
        column = field.column_type
        if column and customval is not None:
            perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))
    perdocwriter.finish_doc()
    self._added = True
    self.docnum += 1
