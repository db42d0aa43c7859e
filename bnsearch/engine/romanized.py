"""The Latin→Bengali lookup, written with the index.

Every Bengali exact form of the body is filed under its loose romanization
key (:func:`bnsearch.analysis.romanize.bengali_key`) in a small SQLite table
beside the index's segments (``romanized.sqlite``): a Latin-typed query
word's key then finds its candidate forms with one indexed look-up, in a
process that has just started, instead of a pass over every term of the
index (seconds on the shared corpus, ~10 s on a loaded machine, once per
process).

Each write brings the table up to date after its commit: only the segments
the table has not seen are read (a merged segment is read again; its forms
are mostly known), so a small update costs little. Forms are never removed:
a form whose articles were deleted has no sections left, and readers check
each candidate's section count in the index. The table records the version
of the romanization rules it was built with; another version starts afresh.
An index written before the table existed, or one whose table cannot be
read, is served by building the same table in memory (within the search's
time budget).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.reading import IndexReader

from ..analysis.romanize import ROMANIZATION_VERSION, bengali_key
from .context import SearcherContext

__all__ = [
    "TABLE_NAME",
    "Forms",
    "MemoryForms",
    "StoredForms",
    "is_bengali",
    "keyed",
    "romanized_forms",
    "update_table",
]

TABLE_NAME = "romanized.sqlite"
_FIELD = "body_exact"
_CHECK_EVERY = 256  # terms between two looks at the deadline
_SCHEMA = """
CREATE TABLE IF NOT EXISTS forms (term TEXT PRIMARY KEY, key TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS forms_by_key ON forms (key);
CREATE TABLE IF NOT EXISTS segments (id TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS about (name TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
"""


def is_bengali(term: str) -> bool:
    return any("\u0980" <= char <= "\u09ff" for char in term)


def keyed(terms: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(form, key) of the Bengali forms among ``terms`` whose key has two
    consonants or more (shorter keys are never looked up)."""
    for term in terms:
        if is_bengali(term):
            key = bengali_key(term)
            if len(key) >= 2:
                yield term, key


def _segment_terms(segment) -> Iterator[str]:
    for term in segment.lexicon(_FIELD):
        yield term.decode("utf-8") if isinstance(term, bytes) else term


def _segments(reader: IndexReader) -> list:
    """The segment readers of ``reader`` (none for an empty index)."""
    leaves = [leaf for leaf, _ in reader.leaf_readers()]
    return [leaf for leaf in leaves if getattr(leaf, "segment", lambda: None)() is not None]


def update_table(generation: Path, ix: whoosh_index.Index) -> None:
    """Bring ``generation``'s table up to date with ``ix``'s segments; call
    after a commit, with the write lock held."""
    path = generation / TABLE_NAME
    with sqlite3.connect(path) as db:
        db.executescript(_SCHEMA)
        row = db.execute("SELECT value FROM about WHERE name = 'rules'").fetchone()
        if row is None or row[0] != ROMANIZATION_VERSION:
            db.execute("DELETE FROM forms")
            db.execute("DELETE FROM segments")
            db.execute("INSERT OR REPLACE INTO about VALUES ('rules', ?)", (ROMANIZATION_VERSION,))
        seen = {name for (name,) in db.execute("SELECT id FROM segments")}
        with ix.reader() as reader:
            current = set()
            for leaf in _segments(reader):
                name = leaf.segment().segment_id()
                current.add(name)
                if name in seen:
                    continue
                db.executemany(
                    "INSERT OR IGNORE INTO forms VALUES (?, ?)", keyed(_segment_terms(leaf))
                )
        db.execute("DELETE FROM segments")
        db.executemany("INSERT INTO segments VALUES (?)", ((name,) for name in current))
    path.chmod(0o644)


class Forms:
    """The Bengali forms filed under a romanization key."""

    def __call__(self, key: str) -> list[str]:
        raise NotImplementedError

    def with_prefix(self, prefix: str) -> list[str] | None:
        """The index's Bengali forms (of two consonants or more) that start
        with ``prefix``, in order; None when this table cannot say."""
        return None


class StoredForms(Forms):
    """Forms read from a generation's table (None from ``open`` when it has none)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._lock = threading.Lock()
        self.segments: set[str] = set()  # those whose forms the table holds

    @classmethod
    def open(cls, generation: Path) -> StoredForms | None:
        path = generation / TABLE_NAME
        if not path.is_file():
            return None
        try:
            db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
            row = db.execute("SELECT value FROM about WHERE name = 'rules'").fetchone()
            if row is None or row[0] != ROMANIZATION_VERSION:
                db.close()
                return None
            found = cls(db)
            found.segments = {name for (name,) in db.execute("SELECT id FROM segments")}
        except sqlite3.Error:
            return None
        return found

    def __call__(self, key: str) -> list[str]:
        with self._lock:
            try:
                rows = self._db.execute("SELECT term FROM forms WHERE key = ?", (key,))
                return [term for (term,) in rows]
            except sqlite3.Error:
                return []

    def with_prefix(self, prefix: str) -> list[str] | None:
        # The primary key orders terms by their UTF-8 bytes, as Whoosh does.
        with self._lock:
            try:
                rows = self._db.execute(
                    "SELECT term FROM forms WHERE term >= ? AND term < ? ORDER BY term",
                    (prefix, prefix + "\U0010ffff"),
                )
                return [term for (term,) in rows]
            except sqlite3.Error:
                return None


class MemoryForms(Forms):
    """The same table built in memory from an index's terms, for an index
    written without it; ``check`` is called as it goes (a search's deadline)."""

    def __init__(self, terms: Iterable[str], check: Callable[[], None] = lambda: None) -> None:
        self._table: dict[str, list[str]] = {}

        def checked() -> Iterator[str]:
            for number, term in enumerate(terms, 1):
                if number % _CHECK_EVERY == 0:
                    check()
                yield term

        for term, key in keyed(checked()):
            self._table.setdefault(key, []).append(term)

    def __call__(self, key: str) -> list[str]:
        return self._table.get(key, [])


class _Both(Forms):
    def __init__(self, first: Forms, second: Forms) -> None:
        self.first, self.second = first, second

    def __call__(self, key: str) -> list[str]:
        return list(dict.fromkeys([*self.first(key), *self.second(key)]))


def romanized_forms(
    context: SearcherContext, reader: IndexReader, check: Callable[[], None] = lambda: None
) -> Forms:
    """The forms by key of the index ``reader`` reads: its table, and the
    forms of segments the table does not hold yet (read once per index
    generation, within ``check``, the search's deadline)."""
    generation = context.generation(reader)
    with generation.lock:
        if generation.romanized_forms is None:
            generation.romanized_forms = _forms(reader, check)
        return generation.romanized_forms


def _forms(reader: IndexReader, check: Callable[[], None]) -> Forms:
    leaves = _segments(reader)
    folder = getattr(getattr(leaves[0], "_storage", None), "folder", None) if leaves else None
    stored = StoredForms.open(Path(folder)) if folder else None
    held = stored.segments if stored is not None else set()
    missing = [leaf for leaf in leaves if leaf.segment().segment_id() not in held]
    if not missing and stored is not None:
        return stored
    terms = (term for leaf in missing for term in _segment_terms(leaf))
    built = MemoryForms(terms, check)
    return built if stored is None else _Both(stored, built)
