"""``bnsearch check``: read every file of an index and compare what must agree.

Whoosh trusts the bytes it reads: a truncated or overwritten file raises
from deep inside it, and a damaged column can give wrong answers without
raising at all (a flipped byte in ``article_id`` counts sections under the
wrong article). The check reads each segment whole: every stored document,
the article id and ordinal columns (which must agree with the stored
fields), every field length, and every posting list (whose length must be
the document frequency the term index records).
"""

from __future__ import annotations

from whoosh import index as whoosh_index

__all__ = ["check_index"]

_MAX_PROBLEMS = 20  # enough to see what is wrong; a damaged file repeats itself


def check_index(ix: whoosh_index.Index) -> list[str]:
    """The problems found in ``ix`` (empty when it is sound). Reading errors
    raised by Whoosh are left to the caller, which reports the index damaged."""
    problems: list[str] = []
    with ix.reader() as top:
        for number, (reader, _) in enumerate(top.leaf_readers(), 1):
            where = f"segment {number}"
            problems += _check_documents(reader, where)
            problems += _check_postings(reader, where)
            if len(problems) >= _MAX_PROBLEMS:
                break
    return problems[:_MAX_PROBLEMS]


def _check_documents(reader, where: str) -> list[str]:
    problems = []
    if reader.doc_count_all() == 0:
        return problems
    ids = reader.column_reader("article_id")
    ordinals = reader.column_reader("ordinal")
    leads = set()
    articles = set()
    scored = [name for name, field in reader.schema.items() if field.scorable]
    for docnum in range(reader.doc_count_all()):
        if reader.is_deleted(docnum):
            continue
        stored = reader.stored_fields(docnum)
        article = stored.get("article_id")
        if not isinstance(article, str) or not isinstance(stored.get("ordinal"), int):
            problems.append(f"{where}: document {docnum} has no article id or ordinal")
            continue
        if ids[docnum] != article:
            problems.append(
                f"{where}: document {docnum}: the article_id column says {ids[docnum]!r}, "
                f"the stored fields {article!r}"
            )
        if ordinals[docnum] != stored["ordinal"]:
            problems.append(
                f"{where}: document {docnum}: the ordinal column says {ordinals[docnum]!r}, "
                f"the stored fields {stored['ordinal']!r}"
            )
        articles.add(article)
        if stored["ordinal"] == 0:
            leads.add(article)
        for name in scored:
            reader.doc_field_length(docnum, name)
        if len(problems) >= _MAX_PROBLEMS:
            return problems
    for article in sorted(articles - leads)[:_MAX_PROBLEMS]:
        problems.append(f"{where}: article {article!r} has no lead section")
    return problems


def _check_postings(reader, where: str) -> list[str]:
    problems = []
    for fieldname, text in reader.all_terms():
        if not reader.schema[fieldname].indexed:
            continue
        info = reader.term_info(fieldname, text)
        postings = reader.postings(fieldname, text)
        count = 0
        while postings.is_active():
            postings.weight()
            count += 1
            postings.next()
        if count != info.doc_frequency():
            problems.append(
                f"{where}: {fieldname} term {text!r} has {count} postings, "
                f"the term index says {info.doc_frequency()}"
            )
            if len(problems) >= _MAX_PROBLEMS:
                break
    return problems
