"""Ingest: reading sources into articles, and articles into sections.

Readers stream plain text, JSON Lines and MediaWiki XML files and say what
they could not read (:mod:`.readers`); wikitext becomes plain text with its
headings (:mod:`.wikitext`); an article is split at its headings into a
lead and one section per heading (:mod:`.sections`). Nothing here knows the
index.
"""

from .readers import (
    DEFAULT_LIMITS,
    SUFFIXES,
    Corpus,
    Listing,
    ReadLimits,
    checked_article,
    find_files,
    read_file,
)
from .sections import is_reference_heading, split_sections
from .wikitext import clean_wiki_leftovers, wikitext_to_text

__all__ = [
    "DEFAULT_LIMITS",
    "SUFFIXES",
    "Corpus",
    "Listing",
    "ReadLimits",
    "checked_article",
    "clean_wiki_leftovers",
    "find_files",
    "is_reference_heading",
    "read_file",
    "split_sections",
    "wikitext_to_text",
]
