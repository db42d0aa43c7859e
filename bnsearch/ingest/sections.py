"""Split an article into its sections at ``== heading ==`` markers.

Headings may stand on their own line (Wikipedia dumps) or inline in running
text (the seed articles: ``… রয়েছে। == ইতিহাস == ২০১৫ সালের …``), with two to
six ``=`` on each side. Every article has a lead section (the text before the
first heading) and one section per heading, each with its level, its heading
path (``ইতিহাস › প্রাথমিক জীবন``) and its ordinal. Sections that only hold
references or link lists (তথ্যসূত্র, বহিঃসংযোগ, আরও দেখুন, …) are marked so
ranking can discount them.
"""

from __future__ import annotations

import re

from ..analysis import analyze
from ..model import Section

__all__ = ["MAX_SECTIONS", "count_sections", "is_reference_heading", "split_sections"]

# Sections an article is split into at most; the text after the last one's
# start, headings and all, is that section's (a file of 50,000 headings must
# not become 50,000 documents, nor list them all under one hit). Bengali
# Wikipedia's longest articles have a few hundred.
MAX_SECTIONS = 1000

# Same number of = on both sides, the heading text has no = and no line break,
# and the marker is delimited by white space (or the start/end of the text).
_HEADING = re.compile(r"(?<!\S)(={2,6})[ \t]*([^=\n]+?)[ \t]*\1(?!\S)")

# Words of headings that introduce references and link lists. A heading is a
# reference heading when all its indexed words are among these (so আরও দেখুন,
# আরো দেখুন and তথ্যসূত্র ও টীকা all are, and নদীর উৎস is not).
_REFERENCE_WORDS = """
তথ্যসূত্র সূত্র উৎস টীকা পাদটীকা বহিঃসংযোগ বহিঃসংযোগসমূহ সংযোগ বাহ্যিক দেখুন পড়ুন
গ্রন্থপঞ্জি গ্রন্থপঞ্জী গ্রন্থতালিকা তথ্যপঞ্জি গ্যালারি references reference notes note
external links link see also further reading bibliography sources
"""


def _terms(text: str) -> frozenset[str]:
    return frozenset(t.term for t in analyze(text) if t.term)


_REFERENCE_TERMS = _terms(_REFERENCE_WORDS)


def is_reference_heading(heading: str) -> bool:
    """Whether a heading introduces references or a list of links, its
    words written together or apart (তথ্য সূত্র, বহিঃ সংযোগ)."""
    for text in (heading, "".join(heading.split())):
        terms = _terms(text)
        if terms and terms <= _REFERENCE_TERMS:
            return True
    return False


def count_sections(text: str) -> int:
    """How many sections ``text`` has, the lead included, without a limit."""
    return 1 + sum(1 for _ in _HEADING.finditer(text))


def split_sections(text: str, limit: int = MAX_SECTIONS) -> list[Section]:
    """The lead and the headed sections of ``text``, in order, at most
    ``limit`` of them (the last then holds the rest of the text).

    Empty sections are kept only when they have a heading (a heading alone is
    still a place a search can name); the lead is always first, even if empty.
    """
    sections = []
    stack: list[tuple[int, str, bool]] = []  # (level, heading, is_reference) of ancestors
    matches = []
    for match in _HEADING.finditer(text):
        if len(matches) == limit - 1:
            break
        matches.append(match)
    lead_end = matches[0].start() if matches else len(text)
    sections.append(Section(0, 1, "", (), text[:lead_end].strip()))
    for ordinal, match in enumerate(matches, 1):
        level, heading = len(match.group(1)), match.group(2).strip()
        end = matches[ordinal].start() if ordinal < len(matches) else len(text)
        while stack and stack[-1][0] >= level:
            stack.pop()
        # A section below a reference section is part of it.
        reference = is_reference_heading(heading) or any(r for _, _, r in stack)
        stack.append((level, heading, reference))
        path = tuple(h for _, h, _ in stack)
        sections.append(
            Section(ordinal, level, heading, path, text[match.end() : end].strip(), reference)
        )
    return sections
