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

    def items(self, maxfiles: int = 128):
        if not self.runs:
            return self._sorted()
        self.save()
        return super().items(maxfiles)


def use_field_sorted_pool(writer: SegmentWriter) -> None:
    """Give a writer that has not taken a posting yet a FieldSortedPool."""
    old = writer.pool
    if isinstance(old, FieldSortedPool) or old.current or old.runs:
        return
    writer.pool = FieldSortedPool(old.tempstore, old.segment, limitmb=old.limit // (1 << 20))
