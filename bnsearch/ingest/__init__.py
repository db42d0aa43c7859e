"""Ingest: reading sources into articles, and articles into sections.

Readers stream plain text, JSON Lines and MediaWiki XML files and say what
they could not read (:mod:`.readers`); wikitext becomes plain text with its
headings (:mod:`.wikitext`); an article is split at its headings into a
lead and one section per heading (:mod:`.sections`); a lead's first
sentence gives the other names of its subject (:mod:`.names`). Nothing here
knows the index.
"""

from ..lazy import lazy_names

# Loaded on first use: a search needs none of the readers.
_NAMES = {
    "DEFAULT_LIMITS": "readers",
    "SUFFIXES": "readers",
    "article_names": "names",
    "Corpus": "readers",
    "Listing": "readers",
    "ReadLimits": "readers",
    "checked_article": "readers",
    "clean_wiki_leftovers": "wikitext",
    "find_files": "readers",
    "is_reference_heading": "sections",
    "lead_names": "names",
    "read_file": "readers",
    "read_jsonl_stream": "readers",
    "searched_title": "names",
    "split_sections": "sections",
    "wikitext_to_text": "wikitext",
}
__all__ = sorted(_NAMES)
__getattr__ = lazy_names(__name__, _NAMES)
