"""The index directory on disk: generations, the writer lock, metadata.

Layout of an index directory::

    CURRENT        the name of the live generation ("g000003"), replaced atomically
    write.lock     held (flock) by the one process writing; holds its pid
    g000003/       a Whoosh index plus bnsearch.json (versions, sources, times)

An incremental run writes into the live generation; Whoosh commits atomically
(a new table of contents is renamed into place), so a run that dies before
its commit leaves the last commit readable. A rebuild fills a new generation
and only then points CURRENT at it, so the old index stays searchable until
the new one is complete. The kernel releases a flock when its process dies,
so a lock left by a killed writer never blocks the next one.

Whoosh keeps pickled objects in an index (the schema, segment lists), and
unpickling runs code: an index directory is only as trustworthy as whoever
can write it. Opening refuses files that other users own or can write.
"""

from __future__ import annotations

import fcntl
import json
import os
import pickle
import re
import shutil
import stat
import struct
import tempfile
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.fields import FieldConfigurationError
from whoosh.filedb.filetables import FileFormatError

from .engine.schema import ANALYZER_VERSION, SCHEMA_VERSION
from .errors import (
    BnsearchError,
    IndexDamagedError,
    IndexLockedError,
    IndexNotFoundError,
    IndexVersionError,
    UnsafeIndexError,
)

__all__ = [
    "IndexDirectory",
    "Prepared",
    "damaged",
    "is_damage",
    "new_meta",
    "now",
    "reading",
    "stamp_meta",
]

# What reading a truncated, overwritten or bit-flipped file raises wherever
# it is read: these are damage whichever code meets them.
_IO_ERRORS = (
    OSError,
    EOFError,
    struct.error,
    zlib.error,
    pickle.UnpicklingError,
    UnicodeDecodeError,
    MemoryError,
    RecursionError,
    ImportError,  # a pickled class whose module is gone
    FileFormatError,  # a table file with a wrong header
    FieldConfigurationError,  # a table of contents whose schema is not one
    whoosh_index.IndexError,
)
# What code that decodes index bytes raises on bytes it did not expect: damage
# only when raised inside Whoosh or bnsearch's engine, which decode them
# (elsewhere the same errors are bugs, and must show as such).
_DECODE_ERRORS = (ValueError, KeyError, IndexError, TypeError, AttributeError, OverflowError)
_DECODERS = ("whoosh.", "bnsearch.engine.codec", "bnsearch.engine.formats")

_CURRENT = "CURRENT"
_LOCK = "write.lock"
_META = "bnsearch.json"
_GENERATION = re.compile(r"^g(\d{6})$")
_LOCK_POLL = 0.1  # seconds between tries for a lock another writer holds
_CURRENT_MAX = 64  # bytes: CURRENT holds a generation's name
_META_MAX = 1 << 20  # bytes: bnsearch.json holds versions, times and sources
_RETRIES = 5  # reads of CURRENT while a rebuild replaces the generation it named


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def new_meta(lead_names: bool) -> dict[str, Any]:
    """Metadata of a generation that is being created; ``lead_names``:
    whether its title fields index the names an article's lead gives."""
    return {"created": now(), "sources": [], "lead_names": lead_names}


def stamp_meta(meta: dict[str, Any], sources: list[str]) -> dict[str, Any]:
    """``meta`` after a successful write with these versions and sources."""
    return {
        **meta,
        "schema_version": SCHEMA_VERSION,
        "analyzer_version": ANALYZER_VERSION,
        "last_written": now(),
        "sources": sources,
    }


def _write_atomically(path: Path, text: str) -> None:
    """Write a file so that readers see the old or the new content, never half."""
    _install(_prepare(path, text), path)


def _prepare(path: Path, text: str) -> Path:
    """A temporary file beside ``path`` holding ``text``, written and synced:
    what can fail (a full disk) fails here, before anything is replaced."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(handle, 0o644)  # mkstemp makes it private; readers may be other users
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Path(temporary)


def _install(temporary: Path, path: Path) -> None:
    """Put a prepared file in place (a rename: it needs no space)."""
    try:
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def damaged(path: Path | str, error: BaseException | str) -> IndexDamagedError:
    """The one-line error for an index that cannot be read."""
    if isinstance(error, BaseException):
        detail = str(error).splitlines()[0] if str(error) else ""
        error = f"{type(error).__name__}: {detail}" if detail else type(error).__name__
    return IndexDamagedError(
        f"index at {path} is damaged: {error}; rebuild it with `bnsearch index --rebuild`"
    )


def is_damage(error: BaseException) -> bool:
    """Whether ``error`` says an index file could not be read (rather than a
    bug, which must not be reported as a damaged index)."""
    if isinstance(error, _IO_ERRORS) or type(error) is Exception:  # Whoosh's "Block tag error"
        return True
    if not isinstance(error, _DECODE_ERRORS):
        return False
    traceback = error.__traceback__
    while traceback.tb_next is not None:
        traceback = traceback.tb_next
    module = traceback.tb_frame.f_globals.get("__name__", "")
    return module.startswith(_DECODERS)


@contextmanager
def reading(path: Path | str) -> Iterator[None]:
    """Turn what a damaged index file makes Whoosh raise into IndexDamagedError."""
    try:
        yield
    except BnsearchError:
        raise
    except Exception as error:
        if is_damage(error):
            raise damaged(path, error) from None
        raise


def _read_small(path: Path, limit: int) -> bytes | None:
    """A small regular file's bytes, or None when it does not exist; damage
    when it is not a regular file or is larger than ``limit`` (a link to
    /dev/zero or a FIFO planted there must not hang or fill memory)."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        raise damaged(path.parent, f"{path.name} cannot be read ({error.strerror})") from None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            raise damaged(path.parent, f"{path.name} is not a regular file")
        data = os.read(handle, limit + 1)
    finally:
        os.close(handle)
    if len(data) > limit:
        raise damaged(path.parent, f"{path.name} is larger than {limit:,} bytes")
    return data


def _refuse_untrusted(root: Path, path: Path, info: os.stat_result) -> None:
    """UnsafeIndexError when ``path`` belongs to another user or anyone can
    write it (a sticky world-writable directory too: anyone can create the
    lock or CURRENT there)."""
    if info.st_uid not in (os.getuid(), 0):
        raise UnsafeIndexError(
            f"refusing to use the index at {root}: {path} belongs to another "
            f"user (uid {info.st_uid}); use only indexes you built or trust"
        )
    if info.st_mode & stat.S_IWOTH and not stat.S_ISLNK(info.st_mode):
        raise UnsafeIndexError(
            f"refusing to use the index at {root}: anyone can write {path}; "
            f"if you trust it, run `chmod -R o-w {root}`"
        )


class IndexDirectory:
    """One bnsearch index directory (which may not exist yet)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    # --- generations --------------------------------------------------

    def current(self) -> Path | None:
        """The live generation's directory, or None when there is no index.
        IndexDamagedError when CURRENT names no generation. The directory
        and CURRENT are checked for trust before CURRENT is read."""
        for _ in range(_RETRIES):
            self.check_directory()
            raw = _read_small(self.path / _CURRENT, _CURRENT_MAX)
            if raw is None:
                return None
            name = raw.decode("utf-8", "replace").strip()
            generation = self.path / name
            if _GENERATION.match(name) and generation.is_dir():
                return generation
            if not _GENERATION.match(name):
                break
            # Named, but gone: a rebuild may have published a new generation
            # and removed this one since CURRENT was read; read it again.
        raise damaged(self.path, f"{_CURRENT} names no generation ({raw[:40]!r})")

    def check_directory(self) -> None:
        """Refuse an index directory (and its CURRENT) that another user owns
        or anyone can write, before anything in it is read or written."""
        for path in (self.path, self.path / _CURRENT):
            try:
                info = path.lstat()
            except (FileNotFoundError, NotADirectoryError):
                continue
            _refuse_untrusted(self.path, path, info)

    def exists(self) -> bool:
        try:
            return self.current() is not None
        except IndexDamagedError:
            return True

    def new_generation(self) -> Path:
        """A fresh, empty generation directory (not yet live)."""
        self.path.mkdir(parents=True, exist_ok=True)
        numbers = [int(m.group(1)) for p in self.path.iterdir() if (m := _GENERATION.match(p.name))]
        generation = self.path / f"g{max(numbers, default=0) + 1:06d}"
        generation.mkdir()
        return generation

    def publish(self, generation: Path) -> None:
        """Make ``generation`` the live index, then remove every other
        generation (a reader that had read the old CURRENT follows the new
        one: see ``current`` and ``open_whoosh``)."""
        _write_atomically(self.path / _CURRENT, generation.name + "\n")
        self.remove_stale_generations()

    def _current_or_none(self) -> Path | None:
        try:
            return self.current()
        except IndexDamagedError:
            return None

    def remove_stale_generations(self) -> None:
        """Delete generations that are not live: left by a
        rebuild that was interrupted, or replaced by one that finished. Call
        with the lock held. Nothing is removed while CURRENT is damaged (a
        rebuild mends it)."""
        live = self._current_or_none()
        if live is None and (self.path / _CURRENT).exists():
            return
        for path in self.path.iterdir():
            if _GENERATION.match(path.name) and path != live:
                shutil.rmtree(path, ignore_errors=True)

    # --- metadata -----------------------------------------------------

    def read_meta(self, generation: Path | None = None) -> dict[str, Any]:
        generation = generation or self.current()
        if generation is None:
            raise IndexNotFoundError(self.missing_message())
        try:
            raw = _read_small(generation / _META, _META_MAX)
            if raw is None:
                raise FileNotFoundError(2, "no such file")
            meta = json.loads(raw.decode("utf-8"))
        except IndexDamagedError:
            raise
        except (OSError, ValueError, RecursionError) as error:
            detail = getattr(error, "strerror", None) or str(error).splitlines()[0][:80]
            raise damaged(self.path, f"{_META} cannot be read ({detail})") from None
        problem = _meta_problem(meta)
        if problem:
            raise damaged(self.path, f"{_META} is not bnsearch metadata ({problem})")
        return meta

    def write_meta(self, generation: Path, meta: dict[str, Any]) -> None:
        _write_atomically(generation / _META, _meta_text(meta))

    def prepare(self, generation: Path, meta: dict[str, Any], publish: bool) -> Prepared:
        """The files a write installs after its commit (the metadata, and
        CURRENT when it publishes a generation), written now: a write that
        cannot make them fails before the commit, with the index unchanged."""
        prepared = Prepared(self, generation)
        try:
            prepared.meta = _prepare(generation / _META, _meta_text(meta))
            if publish:
                prepared.current = _prepare(self.path / _CURRENT, generation.name + "\n")
        except BaseException:
            prepared.discard()
            raise
        return prepared

    def missing_message(self) -> str:
        return f"no index at {self.path}; build one with `bnsearch index`"

    def check_versions(self, meta: dict[str, Any]) -> None:
        schema, analyzer = meta.get("schema_version"), meta.get("analyzer_version")
        if schema != SCHEMA_VERSION or analyzer != ANALYZER_VERSION:
            raise IndexVersionError(
                f"index at {self.path} was built with schema {schema} / analyzer {analyzer}, "
                f"this bnsearch uses schema {SCHEMA_VERSION} / analyzer {ANALYZER_VERSION}; "
                "rebuild it with `bnsearch index --rebuild`"
            )

    def check_trusted(self, generation: Path) -> None:
        """Refuse an index whose files another user owns or anyone can write:
        they hold pickled data, which runs code when read."""
        self.check_directory()
        for path in (generation, *generation.iterdir()):
            try:
                info = path.lstat()
            except FileNotFoundError:
                continue
            _refuse_untrusted(self.path, path, info)

    def open_whoosh(self) -> tuple[whoosh_index.Index, Path, dict[str, Any]]:
        """The live Whoosh index, its generation and metadata, version-checked.
        A generation that a rebuild removed while it was being opened is
        followed to the one that replaced it."""
        for attempt in range(_RETRIES):
            generation = self.current()
            if generation is None:
                raise IndexNotFoundError(self.missing_message())
            try:
                self.check_trusted(generation)
                meta = self.read_meta(generation)
                self.check_versions(meta)
                with reading(self.path):
                    return whoosh_index.open_dir(str(generation)), generation, meta
            except (IndexDamagedError, FileNotFoundError):
                if attempt + 1 == _RETRIES or self.current() == generation:
                    raise
        raise AssertionError("unreachable")

    # --- the writer lock ----------------------------------------------

    @contextmanager
    def lock(self, wait: float = 0.0) -> Iterator[str | None]:
        """Hold the write lock; yields the pid of a dead writer whose stale lock
        was cleared, or None. Raises IndexLockedError when another process
        holds it for longer than ``wait`` seconds."""
        self.check_directory()  # before anything is created or opened in it
        self.path.mkdir(parents=True, exist_ok=True)
        self.check_directory()  # made by another user meanwhile
        lock_path = self.path / _LOCK
        try:
            # O_NOFOLLOW: a link planted as the lock must not truncate its target.
            handle = os.open(
                lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o644
            )
        except OSError as error:
            raise UnsafeIndexError(
                f"refusing to use the index at {self.path}: its {_LOCK} cannot be opened "
                f"as a file ({error.strerror}); remove it if you trust the directory"
            ) from None
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode) or info.st_uid not in (os.getuid(), 0):
            os.close(handle)
            raise UnsafeIndexError(
                f"refusing to use the index at {self.path}: its {_LOCK} is not a regular "
                "file of yours; remove it if you trust the directory"
            )
        try:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() < deadline:
                        time.sleep(_LOCK_POLL)
                        continue
                    holder = os.pread(handle, 64, 0).decode(errors="replace").strip() or "?"
                    raise IndexLockedError(
                        f"index at {self.path} is being written by another process (pid {holder})"
                    ) from None
            # A pid left in the file belongs to a writer that died holding the
            # lock: the kernel released it, so the lock is stale and now ours.
            stale = os.pread(handle, 64, 0).decode(errors="replace").strip() or None
            os.ftruncate(handle, 0)
            os.pwrite(handle, f"{os.getpid()}\n".encode(), 0)
            try:
                yield stale
            finally:
                os.ftruncate(handle, 0)
                fcntl.flock(handle, fcntl.LOCK_UN)
        finally:
            os.close(handle)


def _meta_problem(meta: object) -> str | None:
    """What is wrong with the shape of parsed metadata, or None."""
    if not isinstance(meta, dict):
        return "not an object"
    sources = meta.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        return "sources is not a list of strings"
    for key in ("created", "last_written"):
        if meta.get(key) is not None and not isinstance(meta[key], str):
            return f"{key} is not a string"
    for key in ("schema_version", "analyzer_version"):
        value = meta.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | str)):
            return f"{key} is not a version"
    return None


def _meta_text(meta: dict[str, Any]) -> str:
    return json.dumps(meta, ensure_ascii=False, indent=2)


class Prepared:
    """The metadata (and CURRENT) of a write, prepared before its commit."""

    def __init__(self, directory: IndexDirectory, generation: Path) -> None:
        self.directory, self.generation = directory, generation
        self.meta: Path | None = None
        self.current: Path | None = None

    def install(self) -> None:
        """Put them in place, after the commit: renames, which need no space."""
        if self.meta is not None:
            _install(self.meta, self.generation / _META)
        if self.current is not None:
            _install(self.current, self.directory.path / _CURRENT)
            self.directory.remove_stale_generations()

    def discard(self) -> None:
        for path in (self.meta, self.current):
            if path is not None:
                path.unlink(missing_ok=True)
