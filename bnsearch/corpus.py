"""Corpus readers: plain text, JSON Lines and MediaWiki XML exports.

Each reader streams one file and yields :class:`Article` for every article
and :class:`Skipped` for every piece of input it could not use, with the
location and the reason, so one bad line or page never stops a run. Memory
stays flat however large the input: files are read line by line or element
by element.

:class:`Corpus` walks the given paths (directories recursively, format by
extension) and counts the bytes it has consumed, for progress reports.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import os
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from xml.etree import ElementTree

__all__ = [
    "SUFFIXES",
    "Article",
    "Corpus",
    "Skipped",
    "clean_wiki_leftovers",
    "find_files",
    "read_file",
    "wikitext_to_text",
]


@dataclass(frozen=True)
class Article:
    """One article: a unique id, a title, plain text with ``== heading ==`` lines."""

    id: str
    title: str
    text: str
    source: str = ""  # the file it came from


@dataclass(frozen=True)
class Skipped:
    """A piece of input that was not indexed, and why."""

    source: str
    location: str  # "line 12", "page 42 'কাতার'", or "" for the whole file
    reason: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.location}" if self.location else self.source
        return f"{where}: {self.reason}"


Event = Article | Skipped

# Format by file name ending; the longest ending wins (.jsonl.gz before .gz).
# A reader gets the path, the source name for reports, the open binary stream
# and the file's name relative to the directory it was found in (no suffix).
_READERS: dict[str, Callable[[Path, str, BinaryIO, str], Iterator[Event]]] = {}


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


def _checked(article: Article, location: str) -> Event:
    """The article, or why it cannot be indexed."""
    if not article.id:
        return Skipped(article.source, location, "no article id")
    if not article.text.strip():
        return Skipped(article.source, location, "empty text")
    if _LONE_SURROGATE.search(article.text) or _LONE_SURROGATE.search(article.title):
        return Skipped(article.source, location, "invalid Unicode (lone surrogate)")
    return article


# --- plain text -----------------------------------------------------------

_BOLD_ITALIC = re.compile("'{2,}")
# An image inserted into the text: the file name (Latin, or up to its
# extension) goes, the caption after it stays.
_IMAGE = re.compile(
    r"(?:চিত্র|ফাইল|File|Image)\s*:\s*"
    r"(?:[^\n:|]*?\.(?:jpe?g|png|svg|gif|tiff?|webp)\b|[\x00-\x7f\u00c0-\u024f]*(?=[^\x00-\x7f]|$))",
    re.IGNORECASE,
)
_TITLE_LINE = re.compile(r"#[ \t]*(\S[^\n]*?)[ \t]*\n")
_MAX_TITLE = 150


def clean_wiki_leftovers(text: str) -> str:
    """Remove what wiki markup left in exported text: ''' and image file names."""
    text = _BOLD_ITALIC.sub("", text)
    return _IMAGE.sub("", text)


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
def read_text_file(path: Path, source: str, raw: BinaryIO, name: str) -> Iterator[Event]:
    """One article per file, in the seed articles' format."""
    data = raw.read()
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


@_reader(".jsonl", ".jsonl.gz", ".ndjson")
def read_jsonl(path: Path, source: str, raw: BinaryIO, name: str) -> Iterator[Event]:
    """``{"id" or "_id", "title", "text"}`` per line (BEIR corpora, bnwiki-2018)."""
    stream: BinaryIO = gzip.GzipFile(fileobj=raw) if path.name.endswith(".gz") else raw
    number = 0
    try:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            location = f"line {number}"
            try:
                record = json.loads(line)
            except UnicodeDecodeError:
                yield Skipped(source, location, "not valid UTF-8")
                continue
            except json.JSONDecodeError as error:
                yield Skipped(source, location, f"malformed JSON ({error.msg})")
                continue
            if not isinstance(record, dict):
                yield Skipped(source, location, "not a JSON object")
                continue
            article_id = record.get("id", record.get("_id"))
            text, title = record.get("text"), record.get("title") or ""
            if not isinstance(text, str) or not isinstance(title, str):
                yield Skipped(source, location, 'no "text" string')
                continue
            if isinstance(article_id, int):
                article_id = str(article_id)
            if not isinstance(article_id, str):
                yield Skipped(source, location, 'no "id" or "_id"')
                continue
            yield _checked(Article(article_id.strip(), title.strip(), text, source), location)
    except (OSError, EOFError, zlib.error) as error:
        yield Skipped(source, f"line {number + 1}", f"unreadable ({error}); rest of file skipped")


# --- MediaWiki XML exports ------------------------------------------------

# Namespaces whose links are not text: files, categories (English and Bengali).
_FILE_NAMESPACES = {"file", "image", "চিত্র", "ফাইল"}
_DROPPED_NAMESPACES = {"category", "বিষয়শ্রেণী", "বিষয়শ্রেণি"}
_INTERWIKI = re.compile(r"^:?[a-z]{2,3}(?:-[a-z]+)?$")
_FILE_OPTIONS = re.compile(
    r"^(?:thumb|thumbnail|frame|frameless|border|left|right|center|centre|none|upright"
    r"|baseline|middle|sub|super|top|text-top|bottom|text-bottom|\d+(?:x\d+)?px"
    r"|(?:alt|link|page|class|lang|upright)=.*)$",
    re.IGNORECASE,
)
_DROPPED_TAGS = {"ref", "references", "gallery", "math", "score", "timeline", "syntaxhighlight"}
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


def wikitext_to_text(wikitext: str) -> str:
    """Plain text of a MediaWiki page, headings kept as ``== heading ==`` lines.

    Templates, references, comments, categories, interlanguage links and file
    links (except their captions) are removed; links keep their text.
    """
    import mwparserfromhell  # imported here: only XML input needs it
    from mwparserfromhell.nodes import Text

    code = mwparserfromhell.parse(wikitext)
    for tag in code.filter_tags(recursive=True):
        if str(tag.tag).strip().lower() in _DROPPED_TAGS and tag in code:
            code.remove(tag)
    for link in code.filter_wikilinks(recursive=True):
        if link not in code:
            continue
        target = str(link.title).strip()
        namespace, colon, _ = target.partition(":")
        namespace = namespace.strip().lower()
        if colon and namespace in _FILE_NAMESPACES:
            parts = [str(p).strip() for p in str(link.text or "").split("|")]
            captions = [p for p in parts if p and not _FILE_OPTIONS.match(p)]
            code.replace(link, Text(f" {captions[-1]} " if captions else ""))
        elif colon and (namespace in _DROPPED_NAMESPACES or _INTERWIKI.match(namespace)):
            code.remove(link)
    for heading in code.filter_headings(recursive=False):
        title = mwparserfromhell.parse(heading.title).strip_code().strip()
        marks = "=" * max(2, min(6, heading.level))
        code.replace(heading, Text(f"\n{marks} {title} {marks}\n" if title else "\n"))
    text = code.strip_code(normalize=True, collapse=False, keep_template_params=False)
    lines = [line.strip() for line in text.splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


@_reader(".xml", ".xml.bz2")
def read_mediawiki_xml(path: Path, source: str, raw: BinaryIO, name: str) -> Iterator[Event]:
    """Main-namespace, non-redirect pages of a MediaWiki export (the bnwiki dump)."""
    stream: BinaryIO = bz2.BZ2File(raw) if path.name.endswith(".bz2") else raw
    parser = ElementTree.iterparse(stream, events=("start", "end"))
    root = None
    try:
        for event, element in parser:
            if root is None:
                root = element
            if event != "end" or _local(element.tag) != "page":
                continue
            page = {_local(child.tag): child for child in element}
            title = (page["title"].text or "").strip() if "title" in page else ""
            page_id = (page["id"].text or "").strip() if "id" in page else ""
            namespace = (page["ns"].text or "0").strip() if "ns" in page else "0"
            revision = page.get("revision")
            wikitext = None
            if revision is not None:
                text_element = next((c for c in revision if _local(c.tag) == "text"), None)
                wikitext = text_element.text if text_element is not None else None
            location = f"page {page_id or '?'} {title!r}"
            root.clear()  # pages already read are not kept: memory stays flat
            if namespace != "0" or "redirect" in page:
                continue
            if not page_id:
                yield Skipped(source, location, "page has no id")
                continue
            if wikitext is None:
                yield Skipped(source, location, "page has no revision text")
                continue
            try:
                text = wikitext_to_text(wikitext)
            except Exception as error:  # a parser failure on one page skips that page
                yield Skipped(source, location, f"wikitext could not be parsed ({error})")
                continue
            if text:
                yield _checked(Article(page_id, title, text, source), location)
    except ElementTree.ParseError as error:
        line = error.position[0]
        yield Skipped(source, f"line {line}", f"XML syntax error; rest of file skipped ({error})")
    except (OSError, EOFError) as error:
        yield Skipped(source, "", f"unreadable ({error}); rest of file skipped")


SUFFIXES = tuple(sorted(_READERS))


def _name(path: Path, root: Path) -> str:
    """The file's path below ``root`` without its format suffix: a text file's id."""
    relative = path.relative_to(root).as_posix() if root != path else path.name
    suffix = _suffix(path) or ""
    return relative[: len(relative) - len(suffix)] if suffix else relative


def find_files(paths: Iterable[Path]) -> tuple[list[tuple[Path, str]], list[Skipped]]:
    """The readable files under ``paths`` with their names (directories walked
    in sorted order), and the paths that cannot be read at all."""
    files, problems = [], []
    for path in paths:
        if path.is_dir():
            for directory, subdirs, names in os.walk(path):
                subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
                for name in sorted(names):
                    candidate = Path(directory, name)
                    if not name.startswith(".") and _suffix(candidate):
                        files.append((candidate, _name(candidate, path)))
        elif path.is_file():
            if _suffix(path):
                files.append((path, _name(path, path)))
            else:
                known = ", ".join(SUFFIXES)
                problems.append(Skipped(str(path), "", f"unknown format (expected {known})"))
        else:
            problems.append(Skipped(str(path), "", "no such file or directory"))
    return files, problems


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
    path: Path, source: str | None = None, counter: list[int] | None = None, name: str = ""
) -> Iterator[Event]:
    """Every event of one file. ``source`` names it in articles and reports
    (default: the path); ``name`` is a text file's article id (default: its stem)."""
    suffix = _suffix(path)
    source = source or str(path)
    if suffix is None:
        yield Skipped(source, "", "unknown format")
        return
    try:
        raw_file = open(path, "rb")
    except OSError as error:
        yield Skipped(source, "", f"cannot open ({error.strerror})")
        return
    with raw_file:
        counting = _CountingReader(raw_file, counter if counter is not None else [0])
        stream = io.BufferedReader(counting, 1 << 16)
        yield from _READERS[suffix](path, source, stream, name or _name(path, path))


class Corpus:
    """The articles of some files and directories, in a stable order.

    Each article's ``source`` is the absolute path of its file, so the index
    knows where it came from however the path was typed. A text file's id is
    its path below the directory given (``corpus/a/b.txt`` → ``a/b``).
    """

    def __init__(self, paths: Iterable[Path | str]) -> None:
        self.paths = [Path(p) for p in paths]
        self.files, self.problems = find_files(self.paths)
        self.total_bytes = sum(path.stat().st_size for path, _ in self.files)
        self._counter = [0]

    @property
    def bytes_read(self) -> int:
        """Bytes of input consumed so far (compressed bytes for .gz/.bz2)."""
        return self._counter[0]

    def __iter__(self) -> Iterator[Event]:
        yield from self.problems
        for path, name in self.files:
            yield from read_file(path, str(path.resolve()), self._counter, name)
