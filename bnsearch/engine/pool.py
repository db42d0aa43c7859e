"""The posting pool: every (field, term, document, weight, value) a writer
makes, sorted for the postings writer.

Whoosh's pool keeps a tuple per posting and sorts all of a segment's
tuples in one list; moving 2.5 million tuples through the pool, the sort
and the postings writer's grouping, and the garbage collector's passes over
them, took over a quarter of the time of indexing the shared corpus in one
process. Here the pool keeps each field's postings as four parallel lists
(terms, document numbers, weights, values), a document's postings added by
list extension. At the end each field is ordered by term with a stable
numpy sort over term ranks — a writer adds documents in order, so a term's
postings stay in document order, the sequence Whoosh's sort gives — and the
postings writer takes each term's run of the lists as slices
(:class:`SortedField`). Iterating the sorted pool still yields Whoosh's
tuples, in Whoosh's order (tests/test_indexing.py compares them).

When the pool outgrows its memory it spills a run to disk: each field's
terms in order, each with its lists, pickled a few thousand terms at a
time. At the end the runs and what the pool still holds are merged a term
at a time (a term's lists joined in the order the runs were written, which
is document order), not a posting at a time as Whoosh merges its runs of
tuples: indexing 140 MB of text in one process, which spills, took 85 s
with Whoosh's runs and merge, 56 s with these.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import types
from collections.abc import Iterable, Iterator
from operator import itemgetter
from pickle import dump, load

import numpy as np
from whoosh.multiproc import MpWriter
from whoosh.writing import PostingPool, SegmentWriter

__all__ = ["FieldColumns", "FieldSortedPool", "SortedField", "SortedPool", "use_field_sorted_pool"]

# Whoosh's estimate of a posting's memory in its pool, bytes, besides its
# field name, term and value; kept, so the pool spills when Whoosh's would.
_POSTING_BYTES = 148
_RUN_PROTOCOL = 5  # runs are read back by this process


class FieldColumns:
    """One field value's postings, column by column: term bytes, counts,
    weights and value bytes (one each per term), and the field's length (its
    count of words) — what a format's ``columns`` gives for one document."""

    __slots__ = ("counts", "length", "terms", "values", "weights")

    def __init__(self, terms: list[bytes], counts: list[int], weights: list[float], values: list):
        self.terms, self.counts, self.weights, self.values = terms, counts, weights, values
        self.length = sum(counts)

    def __iter__(self) -> Iterator[tuple[bytes, int, float, bytes]]:
        """Whoosh's ``index()`` rows: (term bytes, count, weight, value)."""
        return zip(self.terms, self.counts, self.weights, self.values, strict=True)


class _Columns:
    """A field's postings in the pool, in the order they were added."""

    __slots__ = ("docnums", "terms", "values", "weights")

    def __init__(self) -> None:
        self.terms: list[bytes] = []
        self.docnums: list[int] = []
        self.weights: list[float] = []
        self.values: list[bytes | None] = []

    def sort(self, fieldname: str) -> SortedField:
        """The postings ordered by term; the lists are handed over (the pool's
        memory is not held twice)."""
        terms, docnums, weights, values = self.terms, self.docnums, self.weights, self.values
        self.terms, self.docnums, self.weights, self.values = [], [], [], []
        unique = sorted(set(terms))
        rank = dict(zip(unique, range(len(unique)), strict=True))
        keys = np.fromiter(map(rank.__getitem__, terms), dtype=np.int64, count=len(terms))
        del terms, rank
        order = np.argsort(keys, kind="stable")  # a term's postings stay in document order
        bounds = [0, *np.cumsum(np.bincount(keys, minlength=len(unique))).tolist()]
        del keys
        docnums = np.asarray(docnums, dtype=np.int64)[order].tolist()
        weights = np.asarray(weights, dtype=np.float64)[order].tolist()
        values = list(map(values.__getitem__, order.tolist()))
        return SortedField(fieldname, unique, bounds, docnums, weights, values)


class SortedField:
    """A field's postings ordered by term: ``terms`` (each once, sorted),
    and the postings of ``terms[k]`` at ``bounds[k]:bounds[k + 1]`` of the
    parallel lists ``docnums``, ``weights`` and ``values``."""

    __slots__ = ("bounds", "docnums", "fieldname", "terms", "values", "weights")

    def __init__(self, fieldname, terms, bounds, docnums, weights, values) -> None:
        self.fieldname, self.terms, self.bounds = fieldname, terms, bounds
        self.docnums, self.weights, self.values = docnums, weights, values

    def groups(self) -> Iterator[Group]:
        """Each term with its postings: (term, documents, weights, values)."""
        docnums, weights, values = self.docnums, self.weights, self.values
        for term, start, end in zip(self.terms, self.bounds, self.bounds[1:], strict=False):
            yield term, docnums[start:end], weights[start:end], values[start:end]

    def __iter__(self) -> Iterator[tuple]:
        """Whoosh's pool items: (field, term, document, weight, value)."""
        return _items(self.fieldname, self.groups())


# One term's postings: (term bytes, document numbers, weights, values).
Group = tuple[bytes, list, list, list]


def _items(fieldname: str, groups: Iterable[Group]) -> Iterator[tuple]:
    """Whoosh's pool items from a field's term groups."""
    for term, docnums, weights, values in groups:
        for docnum, weight, value in zip(docnums, weights, values, strict=True):
            yield fieldname, term, docnum, weight, value


class FieldGroups:
    """A field's postings as term groups, in term order (``groups``: an
    iterator, read once)."""

    __slots__ = ("_groups", "fieldname")

    def __init__(self, fieldname: str, groups: Iterator[Group]) -> None:
        self.fieldname, self._groups = fieldname, groups

    def groups(self) -> Iterator[Group]:
        return self._groups

    def __iter__(self) -> Iterator[tuple]:
        """Whoosh's pool items: (field, term, document, weight, value)."""
        return _items(self.fieldname, self._groups)


class SortedPool:
    """What a pool holds, ordered for the postings writer: its fields by
    name, each sorted when it is reached (and let go once passed), so that
    only one field is held twice. Iterating yields Whoosh's pool items in
    Whoosh's order."""

    def __init__(self, fields: dict[str, _Columns]) -> None:
        self._fields = fields

    def fields(self) -> Iterator[SortedField]:
        for name in sorted(self._fields):
            yield self._fields.pop(name).sort(name)

    def __iter__(self) -> Iterator[tuple]:
        return itertools.chain.from_iterable(self.fields())


class MergedPool(SortedPool):
    """The runs a pool spilled to disk and what it still holds, merged term
    by term: a term's postings from each run, in the order the runs were
    written (document order)."""

    def __init__(self, merged: Iterator[tuple]) -> None:
        self._merged = merged  # (field, term, documents, weights, values), sorted

    def fields(self) -> Iterator[FieldGroups]:
        for fieldname, rows in itertools.groupby(self._merged, key=_FIELD):
            yield FieldGroups(fieldname, (row[1:] for row in rows))


_FIELD = itemgetter(0)
_FIELD_AND_TERM = itemgetter(0, 1)
# A run is pickled, and read back while merging, a chunk at a time: at most
# this many terms or (but for one long list) postings per chunk, so that the
# merge holds little of each run.
_RUN_TERMS = 4096
_RUN_POSTINGS = 1 << 16
# Runs merged at once; more are first merged into fewer (open files).
_MAX_OPEN_RUNS = 64


def _merge(sources: list[Iterator[tuple]]) -> Iterator[tuple]:
    """Sorted streams of (field, term, documents, weights, values) as one,
    a term's postings joined in the order of the streams."""
    merged = heapq.merge(*sources, key=_FIELD_AND_TERM)  # stable: earlier streams first
    for (fieldname, term), rows in itertools.groupby(merged, key=_FIELD_AND_TERM):
        first, *more = rows
        if not more:
            yield first
            continue
        docnums, weights, values = list(first[2]), list(first[3]), list(first[4])
        for _, _, more_docnums, more_weights, more_values in more:
            docnums += more_docnums
            weights += more_weights
            values += more_values
        yield fieldname, term, docnums, weights, values


class FieldSortedPool(PostingPool):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._fields: dict[str, _Columns] = {}

    def _columns(self, fieldname: str) -> _Columns:
        found = self._fields.get(fieldname)
        if found is None:
            found = self._fields[fieldname] = _Columns()
            self.fieldnames.add(fieldname)
        return found

    def add(self, item: tuple) -> None:
        fieldname, term, docnum, weight, value = item
        found = self._columns(fieldname)
        found.terms.append(term)
        found.docnums.append(docnum)
        found.weights.append(weight)
        found.values.append(value)
        self.currentsize += _POSTING_BYTES + len(fieldname) + 2 * len(term) + len(value or b"")
        if self.currentsize > self.limit:
            self.save()

    def add_field(self, fieldname: str, docnum: int, postings: FieldColumns) -> None:
        """Add one field's postings of a document, as ``add`` would one by one."""
        found = self._columns(fieldname)
        count = len(postings.terms)
        found.terms += postings.terms
        found.docnums += itertools.repeat(docnum, count)
        found.weights += postings.weights
        found.values += postings.values
        self.currentsize += (
            (_POSTING_BYTES + len(fieldname)) * count
            + 2 * sum(map(len, postings.terms))
            + sum(map(len, postings.values))
        )
        if self.currentsize > self.limit:
            self.save()

    def _sorted(self) -> SortedPool:
        fields, self._fields = self._fields, {}
        return SortedPool(fields)

    def save(self) -> None:
        """Spill what the pool holds to a run: its fields' term groups, in
        pickled chunks (_RUN_TERMS, _RUN_POSTINGS)."""
        if self._fields:
            self._write_groups(self._held_rows())
        self.currentsize = 0

    def _held_rows(self) -> Iterator[tuple]:
        """What the pool holds as sorted (field, term, documents, weights, values)."""
        for field in self._sorted().fields():
            for term, *lists in field.groups():
                yield field.fieldname, term, *lists

    def _write_groups(self, rows: Iterable[tuple]) -> None:
        path, file = self._new_run()
        try:
            for fieldname, chunk in itertools.groupby(rows, key=_FIELD):
                batch: list[tuple] = []
                postings = 0
                for row in chunk:
                    batch.append(row[1:])
                    postings += len(row[2])
                    if len(batch) >= _RUN_TERMS or postings >= _RUN_POSTINGS:
                        dump((fieldname, batch), file, _RUN_PROTOCOL)
                        batch, postings = [], 0
                if batch:
                    dump((fieldname, batch), file, _RUN_PROTOCOL)
        finally:
            file.close()
        self._add_run(path)

    def _read_groups(self, path: str) -> Iterator[tuple]:
        """A run's rows (field, term, documents, weights, values); the run
        is removed once read."""
        file = self._open_run(path)
        try:
            while True:
                try:
                    fieldname, batch = load(file)
                except EOFError:
                    return
                for row in batch:
                    yield (fieldname, *row)
        finally:
            file.close()
            with contextlib.suppress(OSError):  # (a reader closed early removes it too)
                self._remove_run(path)

    def items(self, maxfiles: int = 128):
        if not self.runs:
            return self._sorted()
        while len(self.runs) > _MAX_OPEN_RUNS:  # merge the oldest runs into one
            oldest, self.runs = self.runs[:_MAX_OPEN_RUNS], self.runs[_MAX_OPEN_RUNS:]
            self._write_groups(_merge([self._read_groups(path) for path in oldest]))
            self.runs.insert(0, self.runs.pop())
        runs, self.runs = self.runs, []
        return MergedPool(_merge([*map(self._read_groups, runs), self._held_rows()]))

    def cleanup(self) -> None:
        for path in self.runs:  # runs not read (a failed or cancelled write)
            with contextlib.suppress(OSError):
                self._remove_run(path)
        self.runs = []


def use_field_sorted_pool(writer: SegmentWriter) -> None:
    """Give a writer that has not taken a posting yet a FieldSortedPool, and
    its add_document a path that hands a field's postings over as columns.
    A parallel writer is left as it is: its add_document sends documents to
    its workers, which take the pool themselves."""
    if isinstance(writer, MpWriter):
        return
    old = writer.pool
    if isinstance(old, FieldSortedPool) or old.current or old.runs:
        return
    writer.pool = FieldSortedPool(old.tempstore, old.segment, limitmb=old.limit // (1 << 20))
    writer.add_document = types.MethodType(_add_document, writer)


def _add_document(self: SegmentWriter, **fields: object) -> None:
    """Whoosh 2.7.4's SegmentWriter.add_document, step for step, except that
    a field that can give its postings as columns (bnsearch.engine.formats)
    and has no boost goes to the pool in one call instead of a call per
    posting."""
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
            columns = getattr(field, "index_columns", None)
            found = columns(value) if columns is not None and fieldboost == 1.0 else None
            if found is not None:
                pool.add_field(fieldname, docnum, found)
                if field.scorable:
                    length = found.length
            else:
                for tbytes, freq, weight, vbytes in field.index(value):
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
