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

from .engine.schema import ANALYZER_VERSION, SCHEMA_VERSION
from .errors import (
    BnsearchError,
    IndexDamagedError,
    IndexLockedError,
    IndexNotFoundError,
    IndexVersionError,
    UnsafeIndexError,
)

__all__ = ["IndexDirectory", "damaged", "new_meta", "now", "reading", "stamp_meta"]

# What reading a truncated, overwritten or bit-flipped index file raises
# from inside Whoosh (its readers trust the bytes they read); Whoosh also
# raises a bare Exception ("Block tag error").
_READ_ERRORS = (
    OSError,
    EOFError,
    struct.error,
    zlib.error,
    pickle.UnpicklingError,
    UnicodeDecodeError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    OverflowError,
    MemoryError,
    ImportError,  # a pickled class whose module is gone
    whoosh_index.IndexError,
)

_CURRENT = "CURRENT"
_LOCK = "write.lock"
_META = "bnsearch.json"
_GENERATION = re.compile(r"^g(\d{6})$")
_LOCK_POLL = 0.1  # seconds between tries for a lock another writer holds


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def new_meta() -> dict[str, Any]:
    """Metadata of a generation that is being created."""
    return {"created": now(), "sources": []}


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
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(handle, 0o644)  # mkstemp makes it private; readers may be other users
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
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


@contextmanager
def reading(path: Path | str) -> Iterator[None]:
    """Turn what a damaged index file makes Whoosh raise into IndexDamagedError."""
    try:
        yield
    except BnsearchError:
        raise
    except Exception as error:
        if isinstance(error, _READ_ERRORS) or type(error) is Exception:
            raise damaged(path, error) from None
        raise


class IndexDirectory:
    """One bnsearch index directory (which may not exist yet)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    # --- generations --------------------------------------------------

    def current(self) -> Path | None:
        """The live generation's directory, or None when there is no index.
        IndexDamagedError when CURRENT names no generation."""
        try:
            raw = (self.path / _CURRENT).read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None
        name = raw.decode("utf-8", "replace").strip()
        generation = self.path / name
        if not _GENERATION.match(name) or not generation.is_dir():
            raise damaged(self.path, f"{_CURRENT} names no generation ({raw[:40]!r})")
        return generation

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
        """Make ``generation`` the live index, then remove every other generation."""
        _write_atomically(self.path / _CURRENT, generation.name + "\n")
        self.remove_stale_generations()

    def remove_stale_generations(self) -> None:
        """Delete generations that are not live: left by a rebuild that was
        interrupted, or replaced by one that finished. Call with the lock held.
        Nothing is removed while CURRENT is damaged (a rebuild mends it)."""
        try:
            live = self.current()
        except IndexDamagedError:
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
            meta = json.loads((generation / _META).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise damaged(self.path, f"{_META} cannot be read ({error})") from None
        if not isinstance(meta, dict) or not isinstance(meta.get("sources", []), list):
            raise damaged(self.path, f"{_META} is not bnsearch metadata")
        return meta

    def write_meta(self, generation: Path, meta: dict[str, Any]) -> None:
        _write_atomically(generation / _META, json.dumps(meta, ensure_ascii=False, indent=2))

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
        trusted = {os.getuid(), 0}
        for path in (self.path, self.path / _CURRENT, generation, *generation.iterdir()):
            try:
                info = path.lstat()
            except FileNotFoundError:
                continue
            if info.st_uid not in trusted:
                raise UnsafeIndexError(
                    f"refusing to open the index at {self.path}: {path} belongs to another "
                    f"user (uid {info.st_uid}); open only indexes you built or trust"
                )
            sticky = stat.S_ISDIR(info.st_mode) and info.st_mode & stat.S_ISVTX
            if info.st_mode & stat.S_IWOTH and not sticky and not stat.S_ISLNK(info.st_mode):
                raise UnsafeIndexError(
                    f"refusing to open the index at {self.path}: anyone can write {path}; "
                    f"if you trust it, run `chmod -R o-w {self.path}`"
                )

    def open_whoosh(self) -> tuple[whoosh_index.Index, Path, dict[str, Any]]:
        """The live Whoosh index, its generation and metadata, version-checked."""
        generation = self.current()
        if generation is None:
            raise IndexNotFoundError(self.missing_message())
        self.check_trusted(generation)
        meta = self.read_meta(generation)
        self.check_versions(meta)
        with reading(self.path):
            return whoosh_index.open_dir(str(generation)), generation, meta

    # --- the writer lock ----------------------------------------------

    @contextmanager
    def lock(self, wait: float = 0.0) -> Iterator[str | None]:
        """Hold the write lock; yields the pid of a dead writer whose stale lock
        was cleared, or None. Raises IndexLockedError when another process
        holds it for longer than ``wait`` seconds."""
        self.path.mkdir(parents=True, exist_ok=True)
        lock_path = self.path / _LOCK
        handle = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
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
