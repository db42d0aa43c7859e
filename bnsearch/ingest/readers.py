"""Corpus readers: plain text, JSON Lines and MediaWiki XML exports.

Each reader streams one file and yields :class:`Article` for every article
and :class:`Skipped` for every piece of input it could not use, with the
location and the reason, so one bad line or page never stops a run. Memory
stays flat however large the input: files are read line by line or element
by element, and a line or an article larger than :class:`ReadLimits` allows
is skipped without being held whole (a decompression bomb costs time, not
memory).

:class:`Corpus` walks the given paths (directories recursively, format by
extension; only regular files are read, so a FIFO cannot block a run),
counts the bytes it has consumed, for progress reports, and remembers what it
could not read completely, so that pruning never deletes an article because
its file was unreadable, its directory unlistable or its archive truncated.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import os
import re
import stat
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from xml.sax import SAXException, SAXParseException, handler, make_parser

from ..defaults import DEFAULT_ARTICLE_BYTES, DEFAULT_LINE_BYTES
from ..errors import InvalidArgumentError
from ..model import Article, Skipped
from .wikitext import clean_wiki_leftovers, wikitext_to_text

__all__ = [
    "DEFAULT_LIMITS",
    "SUFFIXES",
    "Corpus",
    "Listing",
    "ReadLimits",
    "checked_article",
    "find_files",
    "read_file",
]


Event = Article | Skipped

_MB = 1 << 20


@dataclass(frozen=True)
class ReadLimits:
    """The largest input the readers hold in memory at once.

    An article whose text is larger than ``article_bytes`` (UTF-8), or a
    JSON line larger than ``line_bytes``, is skipped with a message; it is
    read past in small pieces, never held whole. Bengali Wikipedia's longest
    articles are about 1 MB of text.
    """

    article_bytes: int = DEFAULT_ARTICLE_BYTES
    line_bytes: int = DEFAULT_LINE_BYTES


DEFAULT_LIMITS = ReadLimits()

# Format by file name ending; the longest ending wins (.jsonl.gz before .gz).
# A reader gets the path, the source name for reports, the open binary stream,
# the file's name relative to the directory it was found in (no suffix) and
# the size limits.
_READERS: dict[str, Callable[[Path, str, BinaryIO, str, ReadLimits], Iterator[Event]]] = {}


def _reader(*suffixes: str):
    def register(function):
        for suffix in suffixes:
            _READERS[suffix] = function
        return function

    return register


def _suffix(path: Path) -> str | None:
    name = path.name.lower()
    for suffix in sorted(_READERS, key=len, reverse=True):
        if name.endswith(suffix):
            return suffix
    return None


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# Control characters break the lines ids are printed on (text, TREC runs).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _checked(article: Article, location: str) -> Event:
    """The article, or why it cannot be indexed."""
    if not article.id:
        return Skipped(article.source, location, "no article id")
    if _LONE_SURROGATE.search(article.id):
        return Skipped(article.source, location, "invalid Unicode in the id (lone surrogate)")
    if _CONTROL.search(article.id):
        return Skipped(article.source, location, "the id contains a control character")
    if not article.text.strip() and not article.title.strip():
        # A title with no text is an article (a stub): indexed by its title.
        return Skipped(article.source, location, "no title and no text")
    if _LONE_SURROGATE.search(article.text) or _LONE_SURROGATE.search(article.title):
        return Skipped(article.source, location, "invalid Unicode (lone surrogate)")
    return article


def checked_article(article: Article, location: str) -> Event:
    """An article given by a program (``Index.add_many``), or why it cannot
    be indexed; InvalidArgumentError when it is not an Article at all."""
    if not isinstance(article, Article) or not all(
        isinstance(value, str) for value in (article.id, article.title, article.text)
    ):
        raise InvalidArgumentError(
            f"{location}: expected an Article with str id, title and text, "
            f"got {type(article).__name__}"
        )
    return _checked(article, location)


def _too_large(size: int, limit: int, what: str) -> str:
    return (
        f"{what} larger than {limit / _MB:g} MB ({size / _MB:.1f} MB or more); "
        "skipped (raise the limit with --max-article-mb)"
    )


# --- plain text -----------------------------------------------------------

_TITLE_LINE = re.compile(r"#[ \t]*(\S[^\n]*?)[ \t]*\n")
_MAX_TITLE = 150


def _split_title(text: str) -> tuple[str | None, str]:
    """A title line that is not part of the text: ``# title``, or a short line
    followed by a blank line."""
    match = _TITLE_LINE.match(text)
    if match:
        return match.group(1), text[match.end() :]
    first, sep, rest = text.partition("\n")
    if sep and rest.startswith(("\n", "\r\n")) and 0 < len(first.strip()) <= _MAX_TITLE:
        if not first.rstrip().endswith(("।", ".", "?", "!")):
            return first.strip(), rest
    return None, text


def _title_from_name(path: Path) -> str:
    return re.sub(r"[_\s]+", " ", path.stem).strip()


@_reader(".txt")
def read_text_file(
    path: Path, source: str, raw: BinaryIO, name: str, limits: ReadLimits
) -> Iterator[Event]:
    """One article per file, in the seed articles' format."""
    data = raw.read(limits.article_bytes + 1)
    if len(data) > limits.article_bytes:
        yield Skipped(source, "", _too_large(len(data), limits.article_bytes, "file"))
        return
    if not data.strip():
        yield Skipped(source, "", "empty file")
        return
    if b"\x00" in data[:65536]:
        yield Skipped(source, "", "binary file (contains NUL bytes)")
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = data[error.start : error.start + 1].hex()
        yield Skipped(source, "", f"not valid UTF-8 (byte 0x{bad} at offset {error.start})")
        return
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    title, body = _split_title(text)
    article = Article(
        name,
        clean_wiki_leftovers(title) if title else _title_from_name(path),
        clean_wiki_leftovers(body).strip(),
        source,
    )
    yield _checked(article, "")


# --- JSON Lines -----------------------------------------------------------


def _lines(stream: BinaryIO, limit: int) -> Iterator[bytes | int]:
    """The stream's lines; a line longer than ``limit`` bytes is read past in
    pieces and given as its length (at least ``limit + 1``) instead."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) <= limit or line.endswith(b"\n"):
            yield line
            continue
        size = len(line)
        while line and not line.endswith(b"\n"):
            line = stream.readline(1 << 20)
            size += len(line)
        yield size


@_reader(".jsonl", ".jsonl.gz", ".ndjson")
def read_jsonl(
    path: Path, source: str, raw: BinaryIO, name: str, limits: ReadLimits
) -> Iterator[Event]:
    """``{"id" or "_id", "title", "text"}`` per line (BEIR corpora, bnwiki-2018)."""
    stream: BinaryIO = gzip.GzipFile(fileobj=raw) if path.name.endswith(".gz") else raw
    number = 0
    try:
        for number, line in enumerate(_lines(stream, limits.line_bytes), 1):
            location = f"line {number}"
            if isinstance(line, int):
                message = _too_large(line, limits.line_bytes, "line").replace(
                    "--max-article-mb", "--max-line-mb"
                )
                yield Skipped(source, location, message)
                continue
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except UnicodeDecodeError:
                yield Skipped(source, location, "not valid UTF-8")
                continue
            except json.JSONDecodeError as error:
                yield Skipped(source, location, f"malformed JSON ({error.msg})")
                continue
            except RecursionError:
                yield Skipped(source, location, "JSON nested too deeply")
                continue
            if not isinstance(record, dict):
                yield Skipped(source, location, "not a JSON object")
                continue
            article_id = record.get("id", record.get("_id"))
            text, title = record.get("text"), record.get("title") or ""
            if not isinstance(text, str) or not isinstance(title, str):
                yield Skipped(source, location, 'no "text" string')
                continue
            if isinstance(article_id, int) and not isinstance(article_id, bool):
                article_id = str(article_id)
            if not isinstance(article_id, str):
                yield Skipped(source, location, 'no "id" or "_id"')
                continue
            size = len(text.encode("utf-8", "surrogatepass"))
            if size > limits.article_bytes:
                yield Skipped(source, location, _too_large(size, limits.article_bytes, "article"))
                continue
            yield _checked(Article(article_id.strip(), title.strip(), text, source), location)
    except (OSError, EOFError, zlib.error) as error:
        yield Skipped(source, f"line {number + 1}", f"unreadable ({error}); rest of file skipped")


# --- MediaWiki XML exports ------------------------------------------------

# (parent, element) pairs whose text a page needs.
_PAGE_PARTS = frozenset({("page", "title"), ("page", "ns"), ("page", "id"), ("revision", "text")})


class _PageCollector(handler.ContentHandler):
    """Collects each ``<page>``'s title, namespace, id, redirect mark and
    revision text from a stream of SAX events, into ``pages``. Text beyond
    ``limit`` characters is counted, not kept."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.stack: list[str] = []
        self.page: dict[str, object] | None = None
        self.pages: list[dict[str, object]] = []
        self.parts: list[str] | None = None
        self.size = 0

    def startElement(self, name: str, attrs) -> None:
        name = name.rpartition(":")[2]
        parent = self.stack[-1] if self.stack else ""
        self.stack.append(name)
        if name == "page":
            self.page = {}
        elif self.page is not None:
            if name == "redirect" and parent == "page":
                self.page["redirect"] = True
            elif (parent, name) in _PAGE_PARTS and name not in self.page:
                self.parts, self.size = [], 0

    def characters(self, content: str) -> None:
        if self.parts is not None:
            self.size += len(content)
            if self.size <= self.limit:
                self.parts.append(content)

    def endElement(self, name: str) -> None:
        name = name.rpartition(":")[2]
        self.stack.pop()
        if self.parts is not None and self.page is not None:
            self.page[name] = "".join(self.parts) if self.size <= self.limit else self.size
            self.parts = None
        elif name == "page" and self.page is not None:
            self.pages.append(self.page)
            self.page = None


def _page_event(page: dict[str, object], source: str, limit: int) -> Event | None:
    title = str(page.get("title") or "").strip()
    page_id = str(page.get("id") or "").strip()
    location = f"page {page_id or '?'} {title!r}"
    if str(page.get("ns") or "0").strip() != "0" or page.get("redirect"):
        return None
    if not page_id:
        return Skipped(source, location, "page has no id")
    wikitext = page.get("text")
    if wikitext is None:
        return Skipped(source, location, "page has no revision text")
    if isinstance(wikitext, int) or len(wikitext.encode("utf-8", "surrogatepass")) > limit:
        size = wikitext if isinstance(wikitext, int) else len(wikitext.encode("utf-8"))
        return Skipped(source, location, _too_large(size, limit, "page"))
    try:
        text = wikitext_to_text(wikitext)
    except Exception as error:  # a parser failure on one page skips that page
        return Skipped(source, location, f"wikitext could not be parsed ({error})")
    return _checked(Article(page_id, title, text, source), location) if text else None


def read_jsonl_stream(raw: BinaryIO, limits: ReadLimits = DEFAULT_LIMITS) -> Iterator[Event]:
    """JSON Lines from a stream (standard input), as from a .jsonl file;
    the articles' source is "<stdin>"."""
    return read_jsonl(Path("-.jsonl"), "<stdin>", raw, "standard input", limits)


@_reader(".xml", ".xml.bz2")
def read_mediawiki_xml(
    path: Path, source: str, raw: BinaryIO, name: str, limits: ReadLimits
) -> Iterator[Event]:
    """Main-namespace, non-redirect pages of a MediaWiki export (the bnwiki dump).

    Parsed as a stream of SAX events (no document tree, no external entities),
    so memory holds one page at a time, and at most ``limits.article_bytes``
    of its text."""
    stream: BinaryIO = bz2.BZ2File(raw) if path.name.endswith(".bz2") else raw
    collector = _PageCollector(limits.article_bytes)
    parser = make_parser()
    parser.setContentHandler(collector)
    problem = None
    while problem is None:
        try:
            chunk = stream.read(1 << 16)
            if chunk:
                parser.feed(chunk)
            else:
                parser.close()
        except SAXParseException as error:
            line, message = error.getLineNumber(), error.getMessage()
            problem = Skipped(
                source, f"line {line}", f"XML syntax error; rest of file skipped ({message})"
            )
        except SAXException as error:
            problem = Skipped(source, "", f"XML error; rest of file skipped ({error.getMessage()})")
        except (OSError, EOFError) as error:
            problem = Skipped(source, "", f"unreadable ({error}); rest of file skipped")
        # The pages completed before a problem are good.
        for page in collector.pages:
            event = _page_event(page, source, limits.article_bytes)
            if event is not None:
                yield event
        collector.pages.clear()
        if problem is None and not chunk:
            return
    yield problem


SUFFIXES = tuple(sorted(_READERS))


def _name(path: Path, root: Path) -> str:
    """The file's path below ``root`` without its format suffix: a text file's id."""
    relative = path.relative_to(root).as_posix() if root != path else path.name
    suffix = _suffix(path) or ""
    return relative[: len(relative) - len(suffix)] if suffix else relative


@dataclass
class Listing:
    """What walking the given paths found.

    ``files``: the regular files of a known format, with their names;
    ``problems``: what could not be listed or read at all; ``unread``: the
    absolute paths (files or directories) whose articles this run cannot see,
    so must not prune."""

    files: list[tuple[Path, str]] = field(default_factory=list)
    problems: list[Skipped] = field(default_factory=list)
    unread: set[str] = field(default_factory=set)

    def cannot_read(self, path: Path, reason: str) -> None:
        self.problems.append(Skipped(_display(path), "", reason))
        self.unread.add(_absolute(path))


def _absolute(path: Path) -> str:
    """The path as articles record their source: resolved where possible."""
    try:
        return str(path.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return os.path.abspath(path)


def _display(path: Path) -> str:
    """The path for messages, with undecodable bytes escaped."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _valid_name(path: Path) -> bool:
    try:
        os.fsencode(path).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _why_not_regular(mode: int) -> str:
    kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
    return f"not a regular file ({kind})"


def _add_file(listing: Listing, path: Path, name: str, explicit: bool) -> None:
    """Add ``path`` to the listing if it is a regular file of a known format;
    report it if it should be one and cannot be read (a path given
    explicitly always should)."""
    if not explicit and not _suffix(path):
        return
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        broken = not explicit and path.is_symlink()
        listing.cannot_read(path, "broken symbolic link" if broken else "no such file or directory")
        return
    except OSError as error:
        listing.cannot_read(path, f"cannot read ({error.strerror})")
        return
    if not _suffix(path):
        known = ", ".join(SUFFIXES)
        listing.problems.append(Skipped(_display(path), "", f"unknown format (expected {known})"))
    elif not stat.S_ISREG(mode):
        listing.cannot_read(path, _why_not_regular(mode))
    elif not _valid_name(path):
        listing.cannot_read(path, "the file name is not valid UTF-8; rename it")
    else:
        listing.files.append((path, name))


def _walk(listing: Listing, root: Path) -> None:
    """Every file below ``root`` in sorted order, following symbolic links to
    directories once each (a link loop is reported, not followed)."""
    visited: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            info = directory.stat()
            key = (info.st_dev, info.st_ino)
            if key in visited:
                listing.problems.append(
                    Skipped(_display(directory), "", "directory already walked (a link loop?)")
                )
                continue
            visited.add(key)
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as error:
            listing.cannot_read(directory, f"cannot list directory ({error.strerror})")
            continue
        subdirectories = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                is_directory = entry.is_dir()  # follows links
            except OSError:
                is_directory = False
            if is_directory:
                subdirectories.append(path)
            else:
                _add_file(listing, path, _name(path, root), explicit=False)
        stack.extend(reversed(subdirectories))


def find_files(paths: Iterable[Path]) -> Listing:
    """The readable files under ``paths`` with their names (directories walked
    in sorted order), and what cannot be read."""
    listing = Listing()
    for path in paths:
        if path.is_dir():
            _walk(listing, path)
        else:
            _add_file(listing, path, _name(path, path), explicit=True)
    return listing


class _CountingReader(io.RawIOBase):
    """A binary file that counts the bytes read from it (compressed bytes for
    .gz/.bz2 input), for progress reports."""

    def __init__(self, raw: BinaryIO, counter: list[int]) -> None:
        self.raw, self.counter = raw, counter

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        count = self.raw.readinto(buffer)
        self.counter[0] += count or 0
        return count


def read_file(
    path: Path,
    source: str | None = None,
    counter: list[int] | None = None,
    name: str = "",
    limits: ReadLimits = DEFAULT_LIMITS,
) -> Iterator[Event]:
    """Every event of one file. ``source`` names it in articles and reports
    (default: the path); ``name`` is a text file's article id (default: its stem)."""
    suffix = _suffix(path)
    source = source or str(path)
    if suffix is None:
        yield Skipped(source, "", "unknown format")
        return
    try:
        # O_NONBLOCK: opening a FIFO that replaced the file since it was
        # listed must not wait for a writer; the check below then refuses it.
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        yield Skipped(source, "", f"cannot open ({error.strerror})")
        return
    raw_file = os.fdopen(handle, "rb", buffering=0)
    with raw_file:
        mode = os.fstat(handle).st_mode
        if not stat.S_ISREG(mode):
            yield Skipped(source, "", _why_not_regular(mode))
            return
        os.set_blocking(handle, True)
        counting = _CountingReader(raw_file, counter if counter is not None else [0])
        stream = io.BufferedReader(counting, 1 << 16)
        yield from _READERS[suffix](path, source, stream, name or _name(path, path), limits)


class Corpus:
    """The articles of some files and directories, in a stable order.

    Each article's ``source`` is the absolute path of its file, so the index
    knows where it came from however the path was typed. A text file's id is
    its path below the directory given (``corpus/a/b.txt`` → ``a/b``).

    After iterating, :meth:`read_through` tells whether a source was read to
    its end without a problem, and :meth:`gone` whether it no longer exists:
    the only two cases in which pruning may delete an article that was not
    seen.
    """

    def __init__(self, paths: Iterable[Path | str], limits: ReadLimits = DEFAULT_LIMITS) -> None:
        self.paths = [Path(p) for p in paths]
        self.limits = limits
        listing = find_files(self.paths)
        self.files, self.problems = listing.files, listing.problems
        self.unread = set(listing.unread)  # grows as files turn out unreadable
        self.sources = [_absolute(path) for path, _ in self.files]  # as articles record them
        self.listed = set(self.sources)
        self.scopes = [_absolute(path) for path in self.paths]
        self.total_bytes = 0
        for path, _ in self.files:
            try:
                self.total_bytes += path.stat().st_size
            except OSError:
                pass  # reported when it is read
        self._counter = [0]

    @property
    def bytes_read(self) -> int:
        """Bytes of input consumed so far (compressed bytes for .gz/.bz2)."""
        return self._counter[0]

    def __iter__(self) -> Iterator[Event]:
        yield from self.problems
        for (path, name), source in zip(self.files, self.sources, strict=True):
            for event in read_file(path, source, self._counter, name, self.limits):
                if isinstance(event, Skipped):
                    self.unread.add(source)
                yield event

    def read_through(self, source: str) -> bool:
        """Whether ``source`` (an article's recorded source) was read to its
        end with nothing skipped."""
        return source in self.listed and not self._covered(source)

    def gone(self, source: str) -> bool:
        """Whether ``source`` no longer exists, as far as this run can tell."""
        if source in self.listed or self._covered(source):
            return False
        try:
            os.lstat(source)
        except (FileNotFoundError, NotADirectoryError):
            return True
        except OSError:
            return False  # e.g. permission denied on a directory above it
        return False

    def empty_scopes(self) -> list[str]:
        """The given directories in which no file was found (a disk that is
        not mounted looks like this)."""
        return [
            scope
            for scope, path in zip(self.scopes, self.paths, strict=True)
            if path.is_dir() and not any(_within(source, [scope]) for source in self.sources)
        ]

    def holds(self, source: str) -> bool:
        """Whether ``source`` is one of the given paths or lies below one."""
        return _within(source, self.scopes)

    def _covered(self, source: str) -> bool:
        """Whether ``source`` is, or lies below, something this run could not read."""
        return _within(source, self.unread)


def _within(path: str, roots: Iterable[str]) -> bool:
    """Whether ``path`` is one of ``roots`` or lies below one."""
    return any(path == root or path.startswith(root + os.sep) for root in roots)
