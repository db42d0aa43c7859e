"""MediaWiki wikitext turned into the plain text bnsearch indexes.

Headings are kept as ``== heading ==`` lines (sections are split at them);
templates, references, comments, categories, interlanguage links and file
links (except their captions) go; links keep their text.
"""

from __future__ import annotations

import re

__all__ = ["clean_wiki_leftovers", "wikitext_to_text"]

_BOLD_ITALIC = re.compile("'{2,}")
# An image inserted into the text: the file name (Latin, or up to its
# extension) goes, the caption after it stays.
_IMAGE = re.compile(
    r"(?:চিত্র|ফাইল|File|Image)\s*:\s*"
    r"(?:[^\n:|]*?\.(?:jpe?g|png|svg|gif|tiff?|webp)\b|[\x00-\x7f\u00c0-\u024f]*(?=[^\x00-\x7f]|$))",
    re.IGNORECASE,
)


def clean_wiki_leftovers(text: str) -> str:
    """Remove what wiki markup left in exported text: ''' and image file names."""
    text = _BOLD_ITALIC.sub("", text)
    return _IMAGE.sub("", text)


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
