"""bnsearch as the Bengali front end of an OpenSearch cluster.

**Export** (:func:`export`): a bnsearch index's sections become OpenSearch
documents that carry bnsearch's own analysis: each of the six indexed
fields (title, heading, body; stem and exact) is sent as its terms joined
by spaces into a ``whitespace``-analyzed field, so OpenSearch holds exactly
bnsearch's terms (a position bnsearch leaves empty is filled with
:data:`GAP`, so phrases keep their positions) and no second analyzer can
drift from it. Each article also gets one document of its own (kind
``article``: title once, every heading, all its text), its evidence as a
whole, which also records the content hash the next export compares.
Documents have fixed ids (``section:ID:N``, ``article:ID``), so an export
is idempotent; an article's document is written only after its sections
are acknowledged, so an export that dies is resumed by running it again;
articles that changed are replaced and those gone are deleted.

**Search** (:class:`OpenSearchIndex`): the query is parsed and compiled by
bnsearch (question words, joined words, the common-word split, with word
frequencies asked of the cluster) and translated to the query DSL. The
article score is bnsearch's two levels: the best section's score (a
search of the sections, collapsed by article) plus ``article_level`` times
the article document's score, times the word coverage factor and the
genitive subject factor (from the words' matched queries). Where it
differs from the native engine: OpenSearch's BM25 scores each field on its
own and sums (not BM25F; on an index of several shards searches ask for
``dfs_query_then_fetch``, global statistics); Whoosh's coordination bonus
is not reproduced; close spellings and romanized readings read the
export's table of forms (``NAME-forms``; a close spelling of a word under
ten letters with one fuzzy query on the folded forms, which finds every
form the native engine's prefix scan would);
of the section rules, reference sections are skipped and the heading
rule, the genitive subject's lead and the holding rule applied to the
page's hits (from their sections' matched queries), but not the lead's
defining sentence. Snippets and highlights are bnsearch's own, from the
stored text of the page's sections (read in one request).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..analysis import exact_analyzer, normalize_tier1, stem_analyzer
from ..analysis.script import NUKTA
from ..engine.romanized import keyed
from ..engine.scoring import WRITTEN_FIELDS
from ..errors import BnsearchError, IndexNotFoundError, InvalidArgumentError, QueryError
from ..ingest.names import article_names, title_with_names
from ..model import PATH_SEPARATOR, Article, Hit, IndexStats, Message, Results, Section

__all__ = [
    "GAP",
    "MAPPING_VERSION",
    "ExportReport",
    "OpenSearchIndex",
    "OpenSearchUnavailableError",
    "document_terms",
    "export",
    "index_body",
    "parse_url",
    "whoosh_terms",
    "wire_term",
]

GAP = "\u2205"  # a position bnsearch's analysis leaves empty (never a term)
# A term bnsearch indexes with a space in it (digits grouped by a no-break
# space, "3160860 freely") is sent with no-break spaces: the whitespace
# analyzer would cut it (Java's isWhitespace excludes U+00A0).
_WIRE = str.maketrans({c: "\u00a0" for c in (" ", "\t", "\n", "\r", "\x0b", "\x0c")})


def wire_term(term: str) -> str:
    """A bnsearch term as OpenSearch's whitespace analyzer keeps it whole."""
    return term.translate(_WIRE)


# 2: the table of forms holds each form folded. 3: the title fields hold the
# names the lead gives (as the native index's, see searched_title), and the
# mapping's _meta says whether.
MAPPING_VERSION = 3
STEM_FIELDS = ("title", "heading", "body")
FIELDS = tuple(f for name in STEM_FIELDS for f in (name, f"{name}_exact"))


class OpenSearchUnavailableError(BnsearchError):
    """The cluster cannot be reached, or is red."""


def parse_url(url: str) -> tuple[str, str]:
    """``opensearch://host:port/NAME`` (or ``http(s)://host:port/NAME``) →
    (the cluster's HTTP address, the index name)."""
    parts = urlsplit(url)
    if parts.scheme not in ("opensearch", "http", "https") or not parts.netloc:
        raise InvalidArgumentError(
            f"not an OpenSearch address: {url!r} (give opensearch://HOST:PORT/NAME)"
        )
    name = parts.path.strip("/")
    if not name or "/" in name or name != name.lower() or name.startswith(("_", "-", "+")):
        raise InvalidArgumentError(
            f"the index name in {url!r} must be one lowercase path part (opensearch://HOST:PORT/NAME)"
        )
    scheme = "https" if parts.scheme == "https" else "http"
    return f"{scheme}://{parts.netloc}", name


# --- what OpenSearch holds -----------------------------------------------------------


def document_terms(fieldname: str, value: str) -> str:
    """bnsearch's terms of ``value`` in the field ``fieldname``, joined by
    spaces, positions kept (GAP where bnsearch has no term)."""
    analyzer = exact_analyzer() if fieldname.endswith("_exact") else stem_analyzer()
    terms: list[str] = []
    for token in analyzer(value, positions=True):
        while len(terms) < token.pos:
            terms.append(GAP)
        terms.append(wire_term(token.text))
    return " ".join(terms)


def index_body(shards: int = 1, replicas: int = 0, lead_names: bool = True) -> dict[str, Any]:
    """Settings and mappings of an exported index: the six term fields
    whitespace-analyzed (positions only where bnsearch has them), titles'
    length normalized as bnsearch's (B 0.5), the rest stored unindexed;
    ``lead_names``: whether the title fields hold the lead's names."""
    terms = {"type": "text", "analyzer": "whitespace", "norms": True}
    properties: dict[str, Any] = {
        "kind": {"type": "keyword"},
        "article_id": {"type": "keyword"},
        "ordinal": {"type": "integer"},
        "level": {"type": "integer", "index": False},
        "title_text": {"type": "text", "index": False},
        "title_names": {"type": "keyword", "index": False},
        "heading_path": {"type": "text", "index": False},
        "text": {"type": "text", "index": False},
        "is_reference": {"type": "boolean"},
        "source": {"type": "keyword"},
        "content_hash": {"type": "keyword"},
        "sections": {"type": "integer", "index": False},
    }
    for name in FIELDS:
        exact = name.endswith("_exact")
        properties[name] = {
            **terms,
            "index_options": "positions" if exact else "freqs",
            **({"similarity": "title_bm25"} if name.startswith("title") else {}),
        }
    return {
        "settings": {
            "index": {
                "number_of_shards": shards,
                "number_of_replicas": replicas,
                "similarity": {"title_bm25": {"type": "BM25", "k1": 1.2, "b": 0.5}},
            }
        },
        "mappings": {
            "dynamic": "strict",
            "_meta": {"bnsearch_mapping": MAPPING_VERSION, "bnsearch_lead_names": lead_names},
            "properties": properties,
        },
    }


def forms_body(shards: int = 1, replicas: int = 0) -> dict[str, Any]:
    """The index of Bengali forms beside an export (NAME-forms): each form
    as written, with its romanization key."""
    return {
        "settings": {"index": {"number_of_shards": shards, "number_of_replicas": replicas}},
        "mappings": {
            "dynamic": "strict",
            "_meta": {"bnsearch_mapping": MAPPING_VERSION},
            "properties": {
                "term": {"type": "keyword"},
                "key": {"type": "keyword"},
                "folded": {"type": "keyword"},
            },
        },
    }


def folded_form(term: str) -> str:
    """A form as close spellings compare it: tier-1 folded (ী/ি, ূ/ু cost
    nothing) and without the nukta (free to add or drop), so that every
    spelling within one weighted edit of a word is within two plain edits
    of it, which OpenSearch's fuzzy query finds."""
    return normalize_tier1(term).replace(NUKTA, "")


def form_doc(term: str, key: str) -> dict[str, str]:
    """A document of the table of forms: the form, its romanization key,
    and its folded form."""
    return {"term": term, "key": key, "folded": folded_form(term)}


def _forms_name(name: str) -> str:
    return f"{name}-forms"


def _id(kind: str, article_id: str, ordinal: int | None = None) -> str:
    """A document id: readable when short, hashed when the article id is
    long (OpenSearch takes ids of up to 512 bytes)."""
    key = (
        article_id
        if len(article_id.encode()) <= 400
        else hashlib.sha256(article_id.encode()).hexdigest()
    )
    return f"{kind}:{key}" if ordinal is None else f"{kind}:{key}:{ordinal}"


def _section_doc(article: Article, section: Section, names: tuple[str, ...]) -> dict[str, Any]:
    """A section's document; its title fields hold the title and ``names``,
    the names its lead gives (bnsearch.ingest.names), as the native index's."""
    doc: dict[str, Any] = {
        "kind": "section",
        "article_id": article.id,
        "ordinal": section.ordinal,
        "level": section.level,
        "title_text": article.title,
        "title_names": list(names),
        "heading_path": section.heading_path,
        "text": section.text,
        "is_reference": section.is_reference,
        "source": Path(article.source).name if article.source else "",
    }
    title = title_with_names(article.title, names)
    return {**doc, **_term_fields(title, section.heading, section.text)}


def _term_fields(title: str, heading: str, body: str) -> dict[str, str]:
    """The six indexed fields of a document, as bnsearch's terms."""
    values = {"title": title, "heading": heading, "body": body}
    return {name: document_terms(name, values[name.removesuffix("_exact")]) for name in FIELDS}


def _forms(docs: Iterable[dict[str, Any]]) -> Iterator[tuple[str, str]]:
    """(form, key) of the Bengali forms in the text of section documents
    (what the native index's table of forms holds for them)."""
    terms = {t for doc in docs for t in doc["body_exact"].split(" ") if t != GAP}
    return keyed(terms)


def _article_doc(
    article: Article, sections: list[Section], digest: str, names: tuple[str, ...]
) -> dict[str, Any]:
    """The article as a whole: title once, every heading, all the text
    (reference sections are kept out of the text, as bnsearch discounts them)."""
    headings = "\n".join(s.heading for s in sections if s.heading)
    body = "\n".join(s.text for s in sections if not s.is_reference)
    doc: dict[str, Any] = {
        "kind": "article",
        "article_id": article.id,
        "title_text": article.title,
        "source": Path(article.source).name if article.source else "",
        "content_hash": digest,
        "sections": len(sections),
    }
    return {**doc, **_term_fields(title_with_names(article.title, names), headings, body)}


# --- export ----------------------------------------------------------------------------


@dataclass
class ExportReport:
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    sections: int = 0
    seconds: float = 0.0
    bytes: int = 0

    def line(self) -> str:
        rate = self.bytes / self.seconds / 1e6 if self.seconds else 0.0
        return (
            f"added {self.added}, updated {self.updated}, deleted {self.deleted}, "
            f"unchanged {self.unchanged} ({self.sections} sections written) "
            f"in {self.seconds:.1f} s, {rate:.2f} MB/s"
        )


def _client(address: str, timeout: float = 30.0):
    try:
        from opensearchpy import OpenSearch
    except ImportError:
        raise InvalidArgumentError(
            "the OpenSearch backend needs its client: pip install 'bnsearch[opensearch]'"
        ) from None

    # Requests are gzipped over a network; on loopback that saves nothing
    # and cost 40% of an export's time (the client compresses at level 9).
    remote = urlsplit(address).hostname not in {"127.0.0.1", "localhost", "::1"}
    return OpenSearch(
        [address], timeout=timeout, max_retries=3, retry_on_timeout=True, http_compress=remote
    )


def _guarded(work: Callable[[], Any], address: str) -> Any:
    """``work()``, with the client's transport errors as one line."""
    from opensearchpy.exceptions import ConnectionError as Unreachable
    from opensearchpy.exceptions import ConnectionTimeout, TransportError

    try:
        return work()
    except (Unreachable, ConnectionTimeout) as error:
        raise OpenSearchUnavailableError(
            f"OpenSearch at {address} cannot be reached ({type(error).__name__})"
        ) from None
    except TransportError as error:
        status = error.status_code if isinstance(error.status_code, int) else "?"
        raise OpenSearchUnavailableError(
            f"OpenSearch at {address} answered {status}: {_reason(error)}"
        ) from None


def _reason(error: Exception) -> str:
    info = getattr(error, "info", None)
    if isinstance(info, dict) and isinstance(info.get("error"), dict):
        return _reason_of(info)
    return str(getattr(error, "error", error))[:200]


def _healthy(client, address: str, name: str | None = None) -> None:
    """Refuse a red cluster (or index) at once, rather than time out later."""
    health = _guarded(lambda: client.cluster.health(index=name), address)
    if health.get("status") == "red":
        raise OpenSearchUnavailableError(
            f"OpenSearch at {address} is red: {health.get('unassigned_shards', '?')} shards "
            "unassigned; wait until it is yellow or green"
        )


def _exported(client, name: str) -> dict[str, tuple[str, int]]:
    """article id → (content hash, sections) of every article document the
    index holds."""
    from opensearchpy import helpers

    found = {}
    fields = ["article_id", "content_hash", "sections"]
    query = {"query": {"term": {"kind": "article"}}, "_source": fields}
    for hit in helpers.scan(client, index=name, query=query, size=2000, preserve_order=False):
        source = hit["_source"]
        found[source["article_id"]] = (source.get("content_hash", ""), source.get("sections", 0))
    return found


def export(
    index: Any,
    url: str,
    *,
    shards: int = 1,
    replicas: int = 0,
    batch: int = 200,
    progress: Callable[[int, int], None] | None = None,
) -> ExportReport:
    """Bring the OpenSearch index ``url`` (opensearch://HOST:PORT/NAME) up to
    date with the bnsearch ``index``: create it if missing, write the
    articles added or changed since the last export, delete those gone.
    ``progress(done, total)`` is called after each batch of articles."""
    from opensearchpy import helpers

    address, name = parse_url(url)
    client = _client(address)
    started = time.monotonic()
    report = ExportReport()
    if not _guarded(lambda: client.indices.exists(index=name), address):
        _guarded(
            lambda: client.indices.create(
                index=name, body=index_body(shards, replicas, index.lead_names)
            ),
            address,
        )
        _healthy(client, address, name)
    else:
        _healthy(client, address, name)  # a red index says so before its mapping is read
        mapping = _guarded(lambda: client.indices.get_mapping(index=name), address)
        meta = next(iter(mapping.values()))["mappings"].get("_meta", {})
        if meta.get("bnsearch_mapping") != MAPPING_VERSION:
            raise InvalidArgumentError(
                f"the OpenSearch index {name!r} was not exported by this bnsearch "
                f"(mapping {meta.get('bnsearch_mapping')!r}, this one writes {MAPPING_VERSION}); "
                "export to a new name"
            )
        if meta.get("bnsearch_lead_names") != index.lead_names:
            raise InvalidArgumentError(
                f"the OpenSearch index {name!r} was exported from an index that "
                f"{'does not search' if index.lead_names else 'searches'} titles by the "
                "names their leads give, and this one "
                f"{'does' if index.lead_names else 'does not'}; export to a new name"
            )
    local = index.manifest()
    remote = _guarded(lambda: _exported(client, name), address)
    changed = [a for a, digest in local.items() if remote.get(a, ("", 0))[0] != digest]
    gone = [a for a in remote if a not in local]
    report.unchanged = len(local) - len(changed)

    def send(actions: list[dict]) -> None:
        def bulk() -> None:
            for ok, item in helpers.streaming_bulk(
                client,
                actions,
                chunk_size=500,
                max_chunk_bytes=20 << 20,
                max_retries=8,
                initial_backoff=0.5,
                max_backoff=10,
                raise_on_error=False,
                raise_on_exception=True,
            ):
                if not ok:
                    ((operation, result),) = item.items()
                    if not (operation == "delete" and result.get("status") == 404):
                        raise OpenSearchUnavailableError(
                            f"OpenSearch refused a document ({operation} {result.get('_id')}): "
                            f"{_reason_of(result)}"
                        )

        _guarded(bulk, address)

    forms = _forms_name(name)
    if not _guarded(lambda: client.indices.exists(index=forms), address):
        _guarded(
            lambda: client.indices.create(index=forms, body=forms_body(shards, replicas)), address
        )
    for start in range(0, len(changed), batch):
        group = changed[start : start + batch]
        sections_sent, articles_sent = [], []
        for article_id in group:
            article, sections = index.read(article_id)
            names = article_names(article.title, sections) if index.lead_names else ()
            old = remote.get(article_id)
            if old is not None:  # replaced: its old sections may be more than its new
                sections_sent.extend(_old_sections(name, article_id, len(sections), old[1]))
            for section in sections:
                doc = _section_doc(article, section, names)
                report.bytes += len(section.text.encode())
                sections_sent.append(
                    {
                        "_index": name,
                        "_id": _id("section", article_id, section.ordinal),
                        "_source": doc,
                    }
                )
            report.sections += len(sections)
            articles_sent.append(
                {
                    "_index": name,
                    "_id": _id("article", article_id),
                    "_source": _article_doc(article, sections, local[article_id], names),
                }
            )
            if old is None:
                report.added += 1
            else:
                report.updated += 1
        # The Bengali forms of their text, for close spellings and romanized
        # readings: only added (a form no section holds any more counts 0 and
        # is never used).
        written = [action["_source"] for action in sections_sent if "_source" in action]
        send(
            [
                {"_index": forms, "_id": _id("form", term), "_source": form_doc(term, key)}
                for term, key in _forms(written)
            ]
        )
        send(sections_sent)
        send(articles_sent)  # last: the export of these articles is now complete
        if progress:
            progress(min(start + batch, len(changed)), len(changed))
    for start in range(0, len(gone), batch):
        actions = []
        for article_id in gone[start : start + batch]:
            actions.append(
                {"_op_type": "delete", "_index": name, "_id": _id("article", article_id)}
            )
            actions.extend(_old_sections(name, article_id, 0, remote[article_id][1]))
            report.deleted += 1
        send(actions)
    _guarded(lambda: client.indices.refresh(index=f"{name},{forms}"), address)
    report.seconds = time.monotonic() - started
    return report


def _reason_of(result: dict) -> str:
    """The reason OpenSearch gave in an answer or a bulk item's result."""
    error = result.get("error")
    if isinstance(error, dict):
        return str(error.get("reason") or error.get("type"))[:200]
    return str(error)[:200]


def _old_sections(name: str, article_id: str, keep: int, count: int) -> list[dict]:
    """Deletions of an exported article's sections from ``keep`` up to the
    ``count`` its article document said it had."""
    return [
        {"_op_type": "delete", "_index": name, "_id": _id("section", article_id, ordinal)}
        for ordinal in range(keep, count)
    ]


def export_ndjson(index: Any, folder: Path, name: str, *, per_file: int = 5000) -> ExportReport:
    """The same documents as bulk files (``bulk-00001.ndjson`` …), with the
    settings and mappings of the index and of its table of forms
    (``index.json``, ``forms.json``), for loading offline (``curl -XPUT
    …/NAME -d @index.json``, ``…/NAME-forms -d @forms.json``; ``curl -XPOST
    …/_bulk --data-binary @bulk-00001.ndjson``)."""
    folder.mkdir(parents=True, exist_ok=True)
    body = index_body(lead_names=index.lead_names)
    (folder / "index.json").write_text(json.dumps(body, ensure_ascii=False, indent=1))
    (folder / "forms.json").write_text(json.dumps(forms_body(), ensure_ascii=False, indent=1))
    forms: dict[str, str] = {}
    report = ExportReport()
    started = time.monotonic()
    lines: list[str] = []
    number = 0

    def flush() -> None:
        nonlocal number, lines
        if lines:
            number += 1
            (folder / f"bulk-{number:05d}.ndjson").write_text("".join(lines), encoding="utf-8")
            lines = []

    for article_id, digest in sorted(index.manifest().items()):
        article, sections = index.read(article_id)
        names = article_names(article.title, sections) if index.lead_names else ()
        docs = [
            (_id("section", article_id, s.ordinal), _section_doc(article, s, names))
            for s in sections
        ]
        docs.append((_id("article", article_id), _article_doc(article, sections, digest, names)))
        for doc_id, doc in docs:
            lines.append(json.dumps({"index": {"_index": name, "_id": doc_id}}) + "\n")
            lines.append(json.dumps(doc, ensure_ascii=False) + "\n")
        forms.update(_forms(doc for _, doc in docs[:-1]))
        report.added += 1
        report.sections += len(sections)
        report.bytes += sum(len(s.text.encode()) for s in sections)
        if len(lines) >= 2 * per_file:
            flush()
    for term, key in sorted(forms.items()):
        action = {"index": {"_index": _forms_name(name), "_id": _id("form", term)}}
        lines.append(json.dumps(action, ensure_ascii=False) + "\n")
        lines.append(json.dumps(form_doc(term, key), ensure_ascii=False) + "\n")
        if len(lines) >= 2 * per_file:
            flush()
    flush()
    report.seconds = time.monotonic() - started
    return report


# --- search ----------------------------------------------------------------------------


def _dsl(query) -> dict[str, Any]:
    """A compiled bnsearch (Whoosh) query as the query DSL."""
    from whoosh import query as wq

    kind = type(query)
    if kind is wq.Term:
        value = wire_term(query.text) if isinstance(query.text, str) else query.text
        return {"term": {query.fieldname: {"value": value, "boost": query.boost}}}
    if isinstance(query, wq.Or):
        return {"bool": {"should": [_dsl(q) for q in query.subqueries], "boost": query.boost}}
    if isinstance(query, wq.And):
        return {"bool": {"must": [_dsl(q) for q in query.subqueries], "boost": query.boost}}
    if kind is wq.AndMaybe:
        return {"bool": {"must": [_dsl(query.a)], "should": [_dsl(query.b)]}}
    if kind is wq.AndNot:
        return {"bool": {"must": [_dsl(query.a)], "must_not": [_dsl(query.b)]}}
    if kind is wq.Not:
        return {"bool": {"must_not": [_dsl(query.query)]}}
    if kind is wq.Phrase:
        return {
            "match_phrase": {
                query.fieldname: {"query": " ".join(map(wire_term, query.words)),
                                  "analyzer": "whitespace", "boost": query.boost}
            }
        }  # fmt: skip
    if kind is wq.Prefix:
        return {"prefix": {query.fieldname: {"value": query.text, "boost": query.boost}}}
    if query is wq.NullQuery:
        return {"match_none": {}}
    raise QueryError(f"this query cannot be searched on OpenSearch yet ({kind.__name__})")


def _named_words(plan) -> list[dict[str, Any]]:
    """One clause per query word, named by its number: which words an
    article holds (its matched queries), for the word coverage."""
    from ..search.rank import _article_terms

    clauses: dict[int, list[dict]] = {}
    for (fieldname, text), (slot, _) in _article_terms(plan, 1.0).items():
        term = wire_term(text.decode("utf-8"))
        clauses.setdefault(slot // 3, []).append({"term": {fieldname: term}})
    return [
        {"bool": {"should": terms, "_name": f"w{number}"}}
        for number, terms in sorted(clauses.items())
    ]


@dataclass
class _Scored:
    article_id: str
    score: float
    best: float
    article: float
    coverage: float
    section: dict = field(default_factory=dict)


class OpenSearchIndex:
    """A bnsearch index exported to OpenSearch, searched through the same
    API as a native one (``Index.open("opensearch://HOST:PORT/NAME")``)."""

    candidates = 200  # articles rescored with their best section, at least

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.url = url
        self.address, self.name = parse_url(url)
        self._client = _client(self.address, timeout)
        exists = _guarded(lambda: self._client.indices.exists(index=self.name), self.address)
        if not exists:
            raise IndexNotFoundError(f"OpenSearch at {self.address} has no index {self.name!r}")
        self._counts: dict[tuple[str, str], int] = {}
        self._sections = self._count({"term": {"kind": "section"}})
        # Global term statistics need a round of their own (dfs) only when
        # the index has several shards: one shard's are the index's.
        settings = _guarded(
            lambda: self._client.indices.get_settings(index=self.name), self.address
        )
        shards = int(next(iter(settings.values()))["settings"]["index"]["number_of_shards"])
        self._search_type = "dfs_query_then_fetch" if shards > 1 else "query_then_fetch"

    def __enter__(self) -> OpenSearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def _count(self, query: dict) -> int:
        body = {"query": query}
        found = _guarded(lambda: self._client.count(index=self.name, body=body), self.address)
        return int(found["count"])

    def _frequency(self, fieldname: str, term: str) -> int:
        key = (fieldname, wire_term(term))
        found = self._counts.get(key)
        if found is None:
            self._count_all([key])
            found = self._counts[key]
        return found

    def _holding(self, term: str, suffix: str = "") -> int:
        return max(self._frequency(name + suffix, term) for name in STEM_FIELDS)

    def _written(self, term: str) -> int:
        """How often the texts write ``term`` (bnsearch.engine.scoring.WRITTEN_FIELDS)."""
        return max(self._frequency(name, term) for name in WRITTEN_FIELDS)

    def _frequencies(self, fieldname: str, terms: list[str]) -> dict[str, int]:
        """Sections holding each of ``terms`` in ``fieldname``: one request
        for those not known yet."""
        self._count_all([(fieldname, wire_term(term)) for term in terms])
        return {t: self._counts[(fieldname, wire_term(t))] for t in terms}

    def _count_all(self, pairs: list[tuple[str, str]]) -> None:
        """Count the sections holding each (field, term) not counted yet, in
        one ``_msearch`` per 200."""
        missing = [pair for pair in dict.fromkeys(pairs) if pair not in self._counts]
        for start in range(0, len(missing), 200):
            part = missing[start : start + 200]
            lines: list[dict] = []
            for fieldname, term in part:
                lines.append({"index": self.name})
                lines.append(
                    {"size": 0, "track_total_hits": True,
                     "query": {"bool": {"filter": [{"term": {"kind": "section"}},
                                                   {"term": {fieldname: term}}]}}}
                )  # fmt: skip
            found = _guarded(lambda lines=lines: self._client.msearch(body=lines), self.address)
            for pair, response in zip(part, found["responses"], strict=True):
                self._counts[pair] = response["hits"]["total"]["value"]

    def _prefetch(self, query: str) -> None:
        """The frequencies a query's compilation asks for, in one request:
        each word's stem and exact form in the three fields."""
        from ..analysis import analyze

        pairs = []
        for suffix, kind in (("", "stem"), ("_exact", "exact")):
            for token in analyze(query, kind):
                if token.term:
                    term = wire_term(token.term)
                    pairs += [(name + suffix, term) for name in STEM_FIELDS]
        self._count_all(pairs)

    def _forms_with(self, query: dict) -> list[str]:
        body = {"query": query, "size": 10_000, "sort": ["term"], "_source": ["term"]}
        found = _guarded(
            lambda: self._client.search(index=_forms_name(self.name), body=body), self.address
        )
        return [hit["_source"]["term"] for hit in found["hits"]["hits"]]

    def _spellings(self, exact: str) -> list[str]:
        """Close spellings of a rare word (bnsearch.search.variants), the
        forms read from the export's table of forms."""
        from ..search.pipeline import _stem_of
        from ..search.variants import close_spellings, rare_limit, spelling_limit

        near: list[str] | None = None

        def terms(prefix: str) -> list[str]:
            nonlocal near
            if spelling_limit(exact) > 1.0:
                found = self._forms_with({"prefix": {"term": prefix}})
                self._frequencies("body_exact", found)  # one request for them all
                return found
            # Within one weighted edit is within two plain edits of the folded
            # form: one fuzzy query (asked once, and only when the word is rare
            # enough to need it), not every form of each prefix.
            if near is None:
                fuzzy = {"value": folded_form(exact), "fuzziness": 2, "rewrite": "constant_score"}
                near = self._forms_with({"fuzzy": {"folded": fuzzy}})
                self._frequencies("body_exact", near)
            return [term for term in near if term.startswith(prefix)]

        def word_of(term: str) -> tuple[str, int]:
            stem = _stem_of(term)
            return stem, self._written(stem)

        return close_spellings(
            exact,
            self._written(_stem_of(exact)),
            rare_limit(self._sections),
            terms,
            lambda term: self._frequency("body_exact", term),
            word_of,
        )

    def _written_apart(self, first: str, second: str) -> bool:
        """Whether a section holds two exact forms one after the other
        (bnsearch.search.pipeline._written_apart)."""
        from whoosh import query as wq

        phrases = [_dsl(wq.Phrase(f"{name}_exact", [first, second])) for name in STEM_FIELDS]
        only = [{"term": {"kind": "section"}}, {"bool": {"should": phrases}}]
        return self._count({"bool": {"filter": only}}) > 0

    def _readings(self, word: str) -> list[tuple[str, int]]:
        """The Bengali readings of a Latin-typed word (bnsearch.search.transliterate)."""
        from ..engine.romanized import Forms
        from ..search.pipeline import _is_function_word
        from ..search.transliterate import candidates, is_latin_word

        if not is_latin_word(word):
            return []
        index = self

        class Keyed(Forms):
            def __call__(self, key: str) -> list[str]:
                found = index._forms_with({"term": {"key": key}})
                index._frequencies("body_exact", found)
                return found

        outside = self._count(
            {"bool": {"filter": [{"term": {"kind": "section"}},
                                 {"term": {"body_exact": word.lower()}}],
                      "must_not": [{"term": {"is_reference": True}}]}}
        )  # fmt: skip
        found = candidates(
            word,
            Keyed(),
            lambda term: self._frequency("body_exact", term),
            outside,
            _is_function_word,
        )
        return [(term, count) for term, count, _ in found]

    def plan(
        self,
        query: str,
        section: str | None = None,
        stemming: bool = True,
        transliterate: bool = True,
    ):
        from ..search.compile import compile_query
        from ..search.parse import Filter, Group, parse
        from ..search.pipeline import DEFAULT_WEIGHTS

        self._prefetch(query)
        tree = parse(query)
        if section:
            words = parse(section)
            if words.nodes:
                tree = Group((*tree.nodes, Filter("section", words)))
        plan = compile_query(
            tree,
            DEFAULT_WEIGHTS,
            stemming=stemming,
            frequency=self._holding,
            sections=self._sections,
            speller=self._spellings,
            romanizer=self._readings if transliterate else None,
            joiner=lambda exact: self._holding(exact, "_exact"),
            apart=self._written_apart,
        )
        if plan.query is None:
            raise QueryError(
                Message(
                    "nothing_to_search",
                    "nothing to search for in {query!r}: type one or more words",
                    query=query,
                )
            )
        return plan

    def search(
        self,
        query: str,
        limit: int = 10,
        section: str | None = None,
        *,
        page: int = 1,
        stemming: bool = True,
        snippets: bool = True,
        snippet_size: int = 240,
        transliterate: bool = True,
        **_: Any,
    ) -> Results:
        from ..search.pipeline import DEFAULT_WEIGHTS, _snippet, _spans
        from ..search.rank import _idfs, _title_key, subject_words

        if limit < 1 or page < 1:
            raise QueryError("limit and page must be 1 or more")
        plan = self.plan(query, section, stemming, transliterate)
        weights = DEFAULT_WEIGHTS
        wanted = limit * page
        selecting = _dsl(plan.query)
        excluded = [_dsl(plan.excluded)] if plan.excluded is not None else []
        words = _named_words(plan)
        # The articles: their documents scored as a whole, with the words they hold.
        article_query = {
            "bool": {
                "filter": [{"term": {"kind": "article"}}],
                "must": [selecting],
                "should": words,
                "must_not": excluded,
            }
        }
        size = max(self.candidates, wanted * 2)
        body = {"query": article_query, "size": size, "_source": ["article_id"],
                "track_total_hits": True}  # fmt: skip
        found = self._search(body)
        total = found["hits"]["total"]["value"]
        articles = {
            hit["_source"]["article_id"]: (hit["_score"] or 0.0, hit.get("matched_queries", []))
            for hit in found["hits"]["hits"]
        }
        if not articles:
            return Results(query, total, page, limit, [], section=section)
        # Their best sections: the sections of those articles, collapsed by article.
        section_query = {
            "bool": {
                "filter": [{"term": {"kind": "section"}},
                           {"terms": {"article_id": list(articles)}}],
                "must": [{"function_score": {
                    "query": selecting,
                    "functions": [{"filter": {"term": {"is_reference": True}},
                                   "weight": 0.3}],
                    "score_mode": "multiply", "boost_mode": "multiply"}}],
            }
        }  # fmt: skip
        body = {
            "query": section_query,
            "size": len(articles),
            "collapse": {"field": "article_id"},
            "_source": ["article_id", "ordinal", "title_text", "title_names", "heading_path"],
        }
        best = {hit["_source"]["article_id"]: hit for hit in self._search(body)["hits"]["hits"]}
        idfs = _idfs(_Frequencies(self), plan) if words else []
        weight_all = sum(idfs)
        # The subject factor (bnsearch.search.rank.subject_held): an article
        # without the subject of a question that opens with it in the genitive.
        subjects = {f"w{number}" for number in subject_words(plan)} if idfs else set()
        holders = {a for a, (_, matched) in articles.items() if subjects & set(matched)}
        scored = []
        for article_id, (article_score, matched) in articles.items():
            hit = best.get(article_id)
            section_score = (hit["_score"] or 0.0) if hit else 0.0
            coverage = 1.0
            if len(idfs) >= 2 and weights.coverage and weight_all > 0:
                held = sum(idfs[int(name[1:])] for name in matched if name[1:].isdigit())
                coverage = (held / weight_all) ** weights.coverage
            if holders and article_id not in holders:
                coverage *= weights.subject_absent
            score = (
                weights.section_level * section_score + weights.article_level * article_score
            ) * coverage
            scored.append(
                _Scored(
                    article_id,
                    score,
                    section_score,
                    article_score,
                    coverage,
                    hit["_source"] if hit else {},
                )
            )
        scored.sort(key=lambda s: (-round(s.score, 6), s.article_id))
        # An article whose title is the query comes first, shown by its lead,
        # its score raised by the best score (bnsearch.search.rank).
        if plan.words and scored:
            query_key = _title_key(" ".join(typed for typed, _, _ in plan.words))
            lift = scored[0].score
            for entry in scored[: wanted + 20]:
                section = entry.section or {}
                titles = [section.get("title_text", ""), *section.get("title_names", [])]
                if query_key and any(_title_key(title) == query_key for title in titles):
                    entry.score += lift
                    entry.section = {}  # its lead
            scored.sort(key=lambda s: (-round(s.score, 6), s.article_id))
        page_entries = scored[wanted - limit : wanted]
        if len(idfs) >= 2 and page_entries:
            self._choose_sections(selecting, words, idfs, page_entries, query_key_of(plan), plan)
        shown = self._sections_shown(page_entries)
        hits = []
        for rank, entry in enumerate(page_entries, wanted - limit + 1):
            stored = shown.get(entry.article_id, {})
            text = stored.get("text", "")
            snippet = _snippet(text, plan, snippet_size) if snippets else None
            path = stored.get("heading_path", "")
            title = stored.get("title_text", "")
            hits.append(
                Hit(
                    rank=rank,
                    id=entry.article_id,
                    title=title,
                    section=path,
                    ordinal=int(stored.get("ordinal", 0)),
                    score=round(entry.score, 6),
                    snippet=snippet.text if snippet else "",
                    highlights=list(snippet.highlights) if snippet else [],
                    text=text,
                    title_highlights=_spans(title, plan, "title"),
                    section_highlights=_spans(path, plan, "section") if path else [],
                )
            )
        return Results(query, total, page, limit, hits, notices=plan.notices, section=section)

    def _choose_sections(
        self,
        selecting: dict,
        words: list[dict],
        idfs: list[float],
        entries: list,
        key,
        plan,
    ) -> None:
        """The section each shown article opens at, by bnsearch's rules:
        among its matching sections (reference sections only when no other
        matches), the best-scored whose heading names a query word the title
        lacks; else, in the article of a question's genitive subject, the
        lead when it holds every other word; else the best-scored of those
        holding the most of the query's word weight. (The lead's defining
        sentence is not reproduced.) An article whose title is the query
        keeps its lead."""
        from ..search.rank import _terms, subject_in_title

        plan_words = plan.words
        every = (1 << len(plan_words)) - 1
        wanted = [e.article_id for e in entries if e.section or _title_key_of(e) != key]
        if not wanted:
            return
        stems = [stem for _, _, stem in plan_words if stem]
        named = [{"constant_score": {"filter": word, "boost": 0.0}} for word in words]
        query = {
            "bool": {
                "filter": [{"term": {"kind": "section"}}, {"terms": {"article_id": wanted}}],
                "must": [selecting],
                "should": named,
            }
        }
        body = {"query": query, "size": 2000,
                "_source": ["article_id", "ordinal", "is_reference", "heading_path"]}  # fmt: skip
        found: dict[str, list] = {}
        for hit in self._search(body)["hits"]["hits"]:
            numbers = [int(n[1:]) for n in hit.get("matched_queries", []) if n[1:].isdigit()]
            held = sum(idfs[number] for number in numbers)
            source = hit["_source"]
            heading = (source.get("heading_path") or "").split(PATH_SEPARATOR)[-1]
            found.setdefault(source["article_id"], []).append(
                (bool(source.get("is_reference")), -round(held, 6), -(hit["_score"] or 0.0),
                 source["ordinal"], heading, sum(1 << number for number in set(numbers)))
            )  # fmt: skip
        for entry in entries:
            sections = found.get(entry.article_id)
            if not sections:
                continue
            own = [s for s in sections if not s[0]] or sections
            # The heading rule: a heading naming a query word the title lacks.
            title = _terms(entry.section.get("title_text", "")) if entry.section else frozenset()
            lacking = [
                stem
                for stem in stems
                if len(stem) >= 3 and not any(t.startswith(stem) for t in title)
            ]
            headed = [
                s for s in own
                if s[4] and any(t.startswith(stem) for t in _terms(s[4]) for stem in lacking)
            ]  # fmt: skip
            ordinal = min(headed or own, key=lambda s: (s[2], s[3]) if headed else s[1:4])[3]
            # The genitive subject's lead (bnsearch.search.rank._by_subject_lead).
            named = [entry.section.get("title_text", ""), *entry.section.get("title_names", [])]
            subject = subject_in_title(plan, "\n".join(named))
            lead = next((s for s in own if s[3] == 0), None)
            if not headed and subject and lead is not None and lead[5] | subject == every:
                ordinal = 0
            entry.section = {**entry.section, "ordinal": ordinal}

    def _sections_shown(self, entries: list[_Scored]) -> dict[str, dict]:
        """The stored section each of ``entries`` is shown by (its lead when
        none was chosen), text included, in one request: the text of the
        page's sections only, not of every candidate's best section."""
        if not entries:
            return {}
        ids = [_id("section", e.article_id, int(e.section.get("ordinal", 0))) for e in entries]
        found = _guarded(
            lambda: self._client.mget(index=self.name, body={"ids": ids}), self.address
        )
        return {
            entry.article_id: doc.get("_source", {})
            for entry, doc in zip(entries, found["docs"], strict=True)
        }

    def _search(self, body: dict) -> dict:
        return _guarded(
            lambda: self._client.search(index=self.name, body=body, search_type=self._search_type),
            self.address,
        )

    def count(self, query: str, section: str | None = None, *, stemming: bool = True) -> int:
        return self.search(query, limit=1, section=section, stemming=stemming, snippets=False).total

    def read(self, article_id: str) -> tuple[Article, list[Section]]:
        """The article's sections as exported."""
        from opensearchpy import helpers

        query = {"query": {"bool": {"filter": [{"term": {"kind": "section"}},
                                               {"term": {"article_id": article_id}}]}}}  # fmt: skip
        docs = sorted(
            (hit["_source"] for hit in helpers.scan(self._client, index=self.name, query=query)),
            key=lambda doc: doc["ordinal"],
        )
        if not docs:
            from ..errors import ArticleNotFoundError

            raise ArticleNotFoundError(f"no article with id {article_id!r} in the index")
        sections = [
            Section(
                ordinal=d["ordinal"],
                level=d.get("level", 1),
                heading=(d.get("heading_path") or "").split(PATH_SEPARATOR)[-1],
                path=tuple(d["heading_path"].split(PATH_SEPARATOR))
                if d.get("heading_path")
                else (),
                text=d.get("text", ""),
                is_reference=bool(d.get("is_reference")),
            )
            for d in docs
        ]
        return Article(article_id, docs[0].get("title_text", ""), ""), sections

    def complete(self, prefix: str, limit: int = 10) -> list[str]:
        """Forms that start with ``prefix`` (2 letters or more), the most
        frequent first (the native index's completions)."""
        from ..search.suggest import MAX_COMPLETIONS

        if len(prefix) < 2:
            raise QueryError("a completion needs a prefix of 2 letters or more")
        found = self._forms_with({"prefix": {"term": prefix}})[:2000]
        counts = self._frequencies("body_exact", found)
        ranked = sorted((c for c in found if counts[c]), key=lambda t: (-counts[t], t))
        return ranked[: min(limit, MAX_COMPLETIONS)]

    def stats(self) -> IndexStats:
        """What the cluster holds of this export (sizes as OpenSearch counts them)."""
        found = _guarded(lambda: self._client.indices.stats(index=self.name), self.address)
        size = found["_all"]["primaries"]["store"]["size_in_bytes"]
        mapping = _guarded(lambda: self._client.indices.get_mapping(index=self.name), self.address)
        meta = next(iter(mapping.values()))["mappings"].get("_meta", {})
        return IndexStats(
            articles=self._count({"term": {"kind": "article"}}),
            sections=self._sections,
            terms={},
            size_bytes=size,
            schema_version=None,
            analyzer_version=None,
            created=None,
            last_written=None,
            sources=[],
            path=self.url,
            lead_names=bool(meta.get("bnsearch_lead_names")),
        )

    def terms_of(self, ids: list[str]) -> dict[str, dict[str, dict[str, int]]]:
        """``terms`` of many documents, in requests of 200."""
        found: dict[str, dict[str, dict[str, int]]] = {}
        for start in range(0, len(ids), 200):
            part = ids[start : start + 200]
            answer = _guarded(
                lambda part=part: self._client.mtermvectors(
                    index=self.name, body={"ids": part}, fields=list(FIELDS),
                    term_statistics=False, field_statistics=False, positions=False,
                    offsets=False,
                ),
                self.address,
            )  # fmt: skip
            for doc in answer["docs"]:
                found[doc["_id"]] = {
                    name: {term: info["term_freq"] for term, info in vectors["terms"].items()}
                    for name, vectors in doc.get("term_vectors", {}).items()
                }
        return found

    def terms(self, doc_id: str) -> dict[str, dict[str, int]]:
        """field → term → frequency of one document, as OpenSearch holds them
        (its term vectors, computed from the stored fields)."""
        found = _guarded(
            lambda: self._client.termvectors(
                index=self.name, id=doc_id, fields=list(FIELDS), term_statistics=False,
                field_statistics=False, positions=False, offsets=False,
            ),
            self.address,
        )  # fmt: skip
        return {
            name: {term: info["term_freq"] for term, info in vectors["terms"].items()}
            for name, vectors in found.get("term_vectors", {}).items()
        }


def query_key_of(plan) -> frozenset[str] | None:
    from ..search.rank import _title_key

    return _title_key(" ".join(typed for typed, _, _ in plan.words)) if plan.words else None


def _title_key_of(entry: _Scored):
    from ..search.rank import _title_key

    return _title_key(entry.section.get("title_text", "")) if entry.section else None


class _Frequencies:
    """What bnsearch.search.rank._idfs asks of a searcher, answered by OpenSearch."""

    def __init__(self, index: OpenSearchIndex) -> None:
        self.index = index

    def doc_count(self) -> int:
        return self.index._sections

    def doc_frequency(self, fieldname: str, term: str) -> int:
        return self.index._frequency(fieldname, term)


def whoosh_terms(
    article: Article, section: Section, title: str | None = None
) -> dict[str, dict[str, int]]:
    """field → term → frequency of a section as the native index holds it:
    each field's own indexing in bnsearch's Whoosh schema (not this
    module's export), for comparing with what OpenSearch holds. ``title``:
    what the title fields index, when not only the title (searched_title)."""
    from ..engine.schema import make_schema

    schema = _schema(make_schema)
    searched = article.title if title is None else title
    values = {"title": searched, "heading": section.heading, "body": section.text}
    found: dict[str, dict[str, int]] = {}
    for name in FIELDS:
        value = values[name.removesuffix("_exact")]
        counts = {
            wire_term(text.decode("utf-8")): frequency
            for text, frequency, _, _ in schema[name].index(value)
        }
        if counts:
            found[name] = counts
    return found


_SCHEMA: list = []


def _schema(make: Callable[[], Any]) -> Any:
    if not _SCHEMA:
        _SCHEMA.append(make())
    return _SCHEMA[0]
