"""``bnsearch serve``: a search page and a JSON HTTP API, on the library.

FastAPI (with Starlette) gives the routes, the request validation and an
OpenAPI document; uvicorn serves it. The page is rendered on the server
(Jinja2, every value escaped; snippets go through render_html, which escapes
the text and adds only ``<mark>``), so it works without JavaScript; a small
script only adds keyboard shortcuts. Every response carries a
Content-Security-Policy that allows nothing but this server's own files.

Errors are JSON ``{"error": {"status": N, "message": "one line"}}`` from the
API (an HTML page with the message from the page routes): a query that
cannot be searched 400, one beyond the cost bounds 422, an unknown article,
section or path 404, invalid parameters 422, writes to a read-only server
403; never a 500 with a traceback.

Sync endpoints run in the server's thread pool; the Index is safe to share
between threads and picks up commits made by another process.
"""

from __future__ import annotations

import os
import re
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl, quote, unquote, urlencode

import anyio
from fastapi import FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..api import (
    MAX_COMPLETIONS,
    Article,
    ArticleNotFoundError,
    BnsearchError,
    Index,
    InvalidArgumentError,
    QueryError,
    QueryTooBroadError,
    __version__,
    analyze,
    highlight,
    is_costly,
)
from ..model import Message, Snippet
from .language import Language, choose, digits, say, text_of
from .render import printable, render_html
from .serving import (
    MAX_BODY,
    BodyGuard,
    CostGate,
    HeadAsGet,
    HostGuard,
    QueueFull,
    allowed_hosts,
)

__all__ = ["MAX_LIMIT", "MAX_PAGE", "create_app"]

HERE = Path(__file__).resolve().parent
MAX_LIMIT = 100  # hits per page
MAX_PAGE = 1000
MAX_QUERY = 4000  # characters, as the query language allows
MAX_TEXT = 100_000  # characters for /analyze
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'; connect-src 'self'"
)
# The page's own files: the font for a year (it never changes under its
# name), the rest for a day (their links carry the version).
CACHE_FONTS = "public, max-age=31536000, immutable"
CACHE_STATIC = "public, max-age=86400"
DEFAULT_LIMIT = 10
# The examples of the empty page: (query, what it shows, its language).
EXAMPLES = (
    ("কাতার দোহা", "example_words", "bn"),
    ('"আল থানি"', "example_phrase", "bn"),
    ("কাতার -রাশিয়া", "example_exclude", "bn"),
    ("+দোহা বন্দর", "example_require", "bn"),
    ("title:কাতার", "example_title", "bn"),
    ("কাতারের রাজধানী কোথায়", "example_question", "bn"),
    ("qatar er rajdhani", "example_romanized", "en"),
)

# An empty query is the library's to refuse (400, "type one or more words").
QueryText = Annotated[str, Query(max_length=MAX_QUERY, description="The query")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Hits per page")]
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE, description="The page, from 1")]
SectionFilter = Annotated[
    str | None,
    Query(max_length=MAX_QUERY, description="Only sections whose heading has these words"),
]


class ErrorBody(BaseModel):
    status: int
    message: str


class ErrorResponse(BaseModel):
    error: ErrorBody


class ArticleIn(BaseModel):
    title: str = Field(max_length=10_000)
    text: str = Field(max_length=32 << 20)


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "The query cannot be searched"},
    422: {"model": ErrorResponse, "description": "Invalid parameters, or a query too broad"},
}


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": {"status": status, "message": message}}, status_code=status)


def _status(error: BnsearchError) -> int:
    if isinstance(error, ArticleNotFoundError):
        return 404
    if isinstance(error, QueryTooBroadError | InvalidArgumentError):
        return 422
    if isinstance(error, QueryError):
        return 400
    return 503  # a damaged or locked index: the server cannot answer now


def create_app(
    index: Index,
    *,
    allow_writes: bool = False,
    workers: int | None = None,
    hosts: set[str] | None = None,
    gate: CostGate | None = None,
    max_body: int = MAX_BODY,
) -> FastAPI:
    """The web app over an open index; ``allow_writes`` enables PUT and
    DELETE of articles (off: the server is read-only); ``workers`` threads
    answer requests (default: one per core, at least two); ``hosts`` are
    the host names it answers to (default: loopback names; see
    :mod:`bnsearch.faces.serving`); ``gate`` runs costly searches apart;
    a request body may have ``max_body`` bytes."""
    workers = workers or max(2, os.cpu_count() or 1)
    hosts = hosts if hosts is not None else allowed_hosts("127.0.0.1")
    gate = gate or CostGate()
    hidden = _server_paths(index)

    def public(message: str) -> str:
        """A message without the server's paths: clients need not know them."""
        for path in hidden:
            message = message.replace(path, "")
        return message.replace("index at  is", "the index is")

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Searches hold the GIL: more threads than cores only add switching,
        # and each thread keeps a searcher with caches of its own.
        anyio.to_thread.current_default_thread_limiter().total_tokens = workers
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="bnsearch",
        version=__version__,
        description="Full-text search for Bengali: the JSON API of `bnsearch serve`.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # Swagger UI loads scripts from elsewhere: not under this CSP
        redoc_url=None,
    )
    app.add_middleware(BodyGuard, writable=allow_writes, max_body=max_body)
    app.add_middleware(HeadAsGet)
    app.add_middleware(HostGuard, hosts=hosts)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        path = request.url.path
        if path.startswith("/static/") and response.status_code == 200:
            fonts = path.startswith("/static/fonts/")
            response.headers["Cache-Control"] = CACHE_FONTS if fonts else CACHE_STATIC
        return response

    def wants_html(request: Request) -> bool:
        return not request.url.path.startswith("/api/")

    def render(request: Request, name: str, context: dict, status_code: int = 200) -> Response:
        """A page in the language the request asks for (bnsearch.faces.language)."""
        return templates.TemplateResponse(
            request, name, {**_page_context(request), **context}, status_code=status_code
        )

    def error_page(
        request: Request, status: int, message: str, headers: dict[str, str] | None = None
    ) -> Response:
        if not wants_html(request):
            response = _error(status, message)
        else:
            lang = _language(request)
            key = f"status_{status}"
            context = {
                "status": status,
                "status_text": text_of(key, lang) if key in _STATUS_KEYS else str(status),
                "message": say(message, lang),
            }
            response = render(request, "error.html", context, status_code=status)
        response.headers.update(headers or {})
        return response

    @app.exception_handler(BnsearchError)
    async def library_error(request: Request, error: BnsearchError) -> Response:
        return error_page(request, _status(error), _message_of(error, public))

    @app.exception_handler(QueueFull)
    async def queue_full(request: Request, error: QueueFull) -> Response:
        message = Message("busy", str(error))
        return error_page(request, 503, message, {"Retry-After": str(gate.retry_after)})

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()) if part != "query")
        text = f"{where}: {first.get('msg', 'invalid')}" if where else "invalid request"
        return error_page(request, 422, Message("invalid", printable(text), where=where))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        message = error.detail if isinstance(error.detail, str) else "error"
        if error.status_code == 404 and message == "Not Found":
            return error_page(request, 404, Message("no_page", "Not Found"), error.headers)
        return error_page(request, error.status_code, printable(message), error.headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        # Logged by the server; the client gets one line, never a traceback.
        message = Message("internal", "internal error: the server could not answer")
        return error_page(request, 500, message)

    # --- the JSON API ------------------------------------------------------------

    async def searching(query: str, work):
        """``work()`` in a thread: costly queries one at a time, apart."""
        return await gate.run(is_costly(query), work)

    @app.get("/api/v1/search", responses=ERRORS, tags=["search"], response_model=None)
    async def api_search(
        q: QueryText,
        limit: Limit = 10,
        page: PageNumber = 1,
        section: SectionFilter = None,
        sections: bool = False,
        transliterate: bool = True,
        explain: bool = False,
    ) -> JSONResponse:
        """Search: one page of hits, as `bnsearch search --json` gives it
        (``transliterate=false``: Latin-typed words are not read as Bengali;
        ``explain=true``: each hit says what its score is made of)."""
        results = await searching(
            q,
            lambda: index.search(
                q,
                limit=limit,
                page=page,
                section=section or None,
                sections=sections,
                transliterate=transliterate,
                explain=explain,
            ),
        )
        # Already JSON-ready: skip FastAPI's walk over it (a third of a request's time).
        return JSONResponse(results.to_dict())

    @app.get("/api/v1/analyze", responses=ERRORS, tags=["analysis"])
    def api_analyze(
        text: Annotated[str, Query(max_length=MAX_TEXT)],
        field: Literal["stem", "exact"] = "stem",
    ) -> dict:
        """What the index sees for a text (like Elasticsearch's _analyze)."""
        return {"field": field, "tokens": [t._asdict() for t in analyze(text, field)]}

    @app.get(
        "/api/v1/articles/{article_id:path}/sections/{ordinal}",  # before the article
        responses={404: ERRORS[400]},
        tags=["articles"],
    )
    def api_section(
        request: Request,
        article_id: Annotated[str, PathParam(max_length=1000)],
        ordinal: Annotated[int, PathParam(ge=0, le=100_000)],
    ) -> dict:
        """One section of an article, by its number (0: the lead)."""
        article_id = _sent_id(request, article_id)
        raw = request.scope.get("raw_path") or b"/sections/"
        if not re.search(rb"/sections/\d+$", raw):  # an id that holds "/sections/3", escaped
            return _article_dict(index, article_id)
        data = _article_dict(index, article_id)
        found = [s for s in data["sections"] if s["ordinal"] == ordinal]
        if not found:
            raise ArticleNotFoundError(
                f"article {article_id!r} has no section {ordinal} "
                f"(it has {len(data['sections'])}, from 0)"
            )
        return {"id": article_id, "title": data["title"], **found[0]}

    @app.get("/api/v1/articles/{article_id:path}", responses={404: ERRORS[400]}, tags=["articles"])
    def api_article(
        request: Request, article_id: Annotated[str, PathParam(max_length=1000)]
    ) -> dict:
        """An article as indexed: its title and its sections in order (an id
        may hold "/": the path's rest is the id; other characters escaped)."""
        return _article_dict(index, _sent_id(request, article_id))

    @app.get("/api/v1/stats", tags=["index"])
    def api_stats() -> dict:
        """Facts about the index: its size, versions and sources (named
        without the server's directories)."""
        facts = dict(index.stats().__dict__)
        facts["path"] = Path(facts["path"]).name
        facts["sources"] = [Path(source).name for source in facts["sources"]]
        return facts

    @app.get("/api/v1/suggest", responses=ERRORS, tags=["search"])
    async def api_suggest(
        q: QueryText,
        limit: Annotated[int, Query(ge=1, le=MAX_COMPLETIONS)] = 10,
        spelling: bool = True,
    ) -> dict:
        """Did you mean (spelling suggestions for the query's words) and
        completions of its last word, read as a prefix; ``spelling=false``:
        completions only (the search box asks so while a reader types: no
        search is run)."""
        results = None
        if spelling:
            results = await searching(q, lambda: index.search(q, limit=1, snippets=False))
        last = q.split()[-1] if q.split() else ""
        try:
            completions = index.complete(last, limit) if len(last) >= 2 else []
        except QueryError:
            completions = []
        return {
            "query": q,
            "did_you_mean": results.did_you_mean if results else None,
            "suggestions": results.suggestions if results else {},
            "completions": completions,
        }

    @app.put("/api/v1/articles/{article_id:path}", tags=["articles"], responses={403: ERRORS[400]})
    def api_put(
        request: Request, article_id: Annotated[str, PathParam(max_length=1000)], body: ArticleIn
    ) -> dict:
        """Add or replace an article (only when the server allows writes)."""
        refuse_writes()
        article_id = _sent_id(request, article_id)
        report = index.add(Article(article_id, body.title, body.text))
        if report.skipped:
            raise QueryError(f"article not indexed: {report.skipped[0].reason}")
        return {"id": article_id, "added": report.added, "updated": report.updated}

    @app.delete(
        "/api/v1/articles/{article_id:path}", tags=["articles"], responses={403: ERRORS[400]}
    )
    def api_delete(
        request: Request, article_id: Annotated[str, PathParam(max_length=1000)]
    ) -> dict:
        """Delete an article (only when the server allows writes)."""
        refuse_writes()
        article_id = _sent_id(request, article_id)
        if not index.delete(article_id):
            raise ArticleNotFoundError(f"no article with id {article_id!r} in the index")
        return {"id": article_id, "deleted": True}

    def refuse_writes() -> None:
        if not allow_writes:
            raise StarletteHTTPException(
                403, "the server is read-only: start it with --allow-writes to change the index"
            )

    # --- the page ------------------------------------------------------------------

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        icon = (HERE / "static" / "favicon.svg").read_bytes()
        return Response(icon, media_type="image/svg+xml", headers={"Cache-Control": CACHE_STATIC})

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page(
        request: Request,
        q: Annotated[str, Query(max_length=MAX_QUERY)] = "",
        page: PageNumber = 1,
        section: SectionFilter = None,
        sections: bool = False,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Response:
        lang = _language(request)
        asked = _asked_language(request)
        # One URL per page of results: no empty or default parameters (a
        # form sent without the page's script sends them all).
        canonical = _link(q=q.strip() and q, page=page, section=section, sections=sections,
                          limit=limit, lang=asked)  # fmt: skip
        if _query_pairs(request.url.query) != _query_pairs(canonical.partition("?")[2]):
            return RedirectResponse(canonical, status_code=302)
        context: dict[str, Any] = {
            "q": q, "section": section or "", "show_sections": sections, "results": None,
            "error": None, "hits": [], "pages": [], "notices": [],
            "examples": [
                {"query": text, "what": text_of(what, lang), "lang": language,
                 "href": _link(q=text, lang=asked)}
                for text, what, language in EXAMPLES
            ],
        }  # fmt: skip
        if q.strip():
            started = time.perf_counter()
            try:
                results = await searching(
                    q,
                    lambda: index.search(
                        q, limit=limit, page=page, section=section or None, sections=sections
                    ),
                )
            except QueryError as error:
                context["error"] = say(_message_of(error, public), lang)
            else:
                took = time.perf_counter() - started
                context.update(
                    _results_context(index, results, q, section, sections, limit, lang, asked)
                )
                context["took"] = digits(f"{took:.3f}", lang)
        status = 400 if context["error"] else 200
        return render(request, "search.html", context, status_code=status)

    @app.get("/article", response_class=HTMLResponse, include_in_schema=False)
    def article_by_query(
        request: Request,
        id: Annotated[str, Query(max_length=1000)],
        q: Annotated[str, Query(max_length=MAX_QUERY)] = "",
        section: Annotated[int | None, Query(ge=0, le=100_000)] = None,
        page: PageNumber = 1,
    ) -> Response:
        """The article page for an id no path can hold ("..", say)."""
        return article_page(request, id, q, section, page)

    @app.get("/article/{article_id:path}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(
        request: Request,
        article_id: Annotated[str, PathParam(max_length=1000)],
        q: Annotated[str, Query(max_length=MAX_QUERY)] = "",
        section: Annotated[int | None, Query(ge=0, le=100_000)] = None,
        page: PageNumber = 1,
    ) -> Response:
        if request.url.path != "/article":
            article_id = _sent_id(request, article_id)
        article, parts = index.read(article_id)
        lang = _language(request)
        title = printable(article.shown_title)
        shown = []
        for part in parts:
            spans = highlight(q, part.text) if q.strip() else []
            shown.append(
                {
                    "ordinal": part.ordinal,
                    # By depth in the heading tree: h2 under the title, and no
                    # level skipped whatever the source's markers were.
                    "level": min(len(part.path) + 1, 6),
                    "depth": max(len(part.path), 1),  # the lead beside the top sections
                    "heading": printable(part.heading) or text_of("lead", lang),
                    "html": Markup(render_html(Snippet(part.text, tuple(spans)))),
                    "current": part.ordinal == section,
                }
            )
        source = Path(article.source).name if article.source else ""
        back = _link(q=q, page=page, lang=_asked_language(request)) if q else _home(request)
        return render(
            request,
            "article.html",
            # "parts", not "sections": the search form of base.html reads
            # "show_sections" as the show-other-sections option.
            {
                "id": article_id,
                "title": title,
                "parts": shown,
                "toc": _contents(shown) if len(shown) > 2 else [],
                "q": q,
                "back": back,
                "source": source,
                "wikipedia": "wiki" in source.lower(),
            },
        )

    return app


_ID_IN_PATH = re.compile(r"^/(?:article|api/v1/articles)/(.*?)(?:/sections/\d+)?$", re.DOTALL)


def _sent_id(request: Request, decoded: str) -> str:
    """The article id of a request's path, decoded once from the path as
    sent (a client's "%2500" is the id "%00"; every server decodes the path
    once, but some test clients twice)."""
    raw = request.scope.get("raw_path")
    if not raw:
        return decoded
    found = _ID_IN_PATH.match(raw.decode("ascii", "replace"))
    return unquote(found.group(1)) if found else decoded


def _server_paths(index: Index) -> list[str]:
    """The index's directory as given and as an absolute path, longest first
    (none for an index on OpenSearch)."""
    if not hasattr(index, "directory"):
        return []
    given = str(index.directory.path)
    absolute = str(index.directory.path.resolve())
    return sorted({given, absolute}, key=len, reverse=True)


def _article_dict(index: Index, article_id: str) -> dict:
    article, parts = index.read(article_id)
    return {
        "id": article_id,
        "title": article.title,
        "source": Path(article.source).name,  # the file, not the server's directories
        "sections": [
            {
                "ordinal": s.ordinal,
                "level": s.level,
                "section": s.heading_path,
                "is_reference": s.is_reference,
                "text": s.text,
            }
            for s in parts
        ],
    }


_STATUS_KEYS = {f"status_{n}" for n in (400, 403, 404, 405, 413, 422, 500, 503)}


def _asked_language(request: Request) -> Language | None:
    """The language a ``?lang=`` names, when it names one."""
    asked = request.query_params.get("lang")
    return asked if asked in ("bn", "en") else None  # type: ignore[return-value]


def _language(request: Request) -> Language:
    return choose(request.query_params.get("lang"))


def _home(request: Request) -> str:
    return _link(lang=_asked_language(request))


def _page_context(request: Request) -> dict[str, Any]:
    """What every page's frame needs: the language, its texts and digits,
    and the link to the same page in the other language."""
    lang = _language(request)
    other = "en" if lang == "bn" else "bn"
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    switch = request.url.path + "?" + urlencode([*pairs, ("lang", other)])
    return {
        "lang": lang,
        "other_lang": other,
        "lang_param": _asked_language(request),
        "switch_href": switch,
        "home": _home(request),
        "version": __version__,
        "t": lambda key, **values: text_of(key, lang, **values),
        "num": lambda value: digits(value, lang),
        "q": request.query_params.get("q", ""),
        "section": request.query_params.get("section", ""),
        "show_sections": request.query_params.get("sections") == "true",
    }


def _message_of(error: BnsearchError, public) -> str:
    """The error's message: the library's Message when it gave one (the
    page says it in Bengali), else its text without the server's paths."""
    first = error.args[0] if error.args else ""
    if isinstance(first, Message):
        return first
    return printable(public(str(error)))


def _query_pairs(query: str) -> list[tuple[str, str]]:
    return sorted(parse_qsl(query, keep_blank_values=True))


def _contents(parts: list[dict]) -> list[dict]:
    """The heading tree of an article's sections, for its table of contents."""
    root: list[dict] = []
    stack: list[tuple[int, list[dict]]] = [(0, root)]
    for part in parts:
        item = {**part, "children": []}
        while len(stack) > 1 and stack[-1][0] >= part["depth"]:
            stack.pop()
        stack[-1][1].append(item)
        stack.append((part["depth"], item["children"]))
    return root


def article_href(
    article_id: str, q: str, ordinal: int, page: int = 1, lang: str | None = None
) -> str:
    """The link to an article's page at a section: the id escaped whole in
    the path ("sub/meghna" → sub%2Fmeghna), or, where a browser would read
    part of it as "." or ".." and drop it, in the query string. The results
    page it came from (``page``) is kept for its link back."""
    query = {"q": q, "section": ordinal}
    if page > 1:
        query["page"] = page
    if lang:
        query["lang"] = lang
    if any(part in (".", "..") for part in article_id.split("/")):
        return "/article?" + urlencode({"id": article_id, **query}) + f"#s{ordinal}"
    return f"/article/{quote(article_id, safe='')}?" + urlencode(query) + f"#s{ordinal}"


def _link(**params: Any) -> str:
    """A link to the search page with the parameters that are not empty or
    their defaults (page 1, DEFAULT_LIMIT hits, no other sections)."""
    defaults = {"page": 1, "limit": DEFAULT_LIMIT, "sections": False}
    kept = {
        k: ("true" if v is True else v)
        for k, v in params.items()
        if v not in (None, "", False) and defaults.get(k, object()) != v
    }
    return "/?" + urlencode(kept) if kept else "/"


def _results_context(
    index: Index,
    results,
    q: str,
    section: str | None,
    sections: bool,
    limit: int,
    lang: Language,
    asked: str | None,
) -> dict:
    def marked(text: str, spans) -> Markup:
        return Markup(render_html(Snippet(text, tuple(spans))))

    def title_of(article_id: str) -> str:
        try:
            return printable(index.read(article_id)[0].shown_title)
        except BnsearchError:
            return article_id

    page = results.page
    hits = []
    for hit in results:
        hits.append(
            {
                "rank": hit.rank,
                "id": hit.id,
                "title": Markup(render_html(hit.marked_title)),
                "plain_title": printable(hit.shown_title),
                "section": marked(hit.section, hit.section_highlights) if hit.section else "",
                "snippet": marked(hit.snippet, hit.highlights),
                "href": article_href(hit.id, q, hit.ordinal, page, asked),
                "lead_href": article_href(hit.id, q, 0, page, asked) if hit.ordinal else None,
                "duplicates": [
                    {"title": title_of(d), "href": article_href(d, q, 0, page, asked)}
                    for d in hit.duplicates
                ],
                "others": [
                    {
                        "section": other.section or text_of("lead", lang),
                        "snippet": marked(other.snippet, other.highlights),
                        "href": article_href(hit.id, q, other.ordinal, page, asked),
                    }
                    for other in hit.sections
                ],
            }
        )

    def link(number: int) -> str:
        return _link(q=q, page=number, section=section, sections=sections, limit=limit, lang=asked)

    pages = []
    first = max(1, min(page - 4, results.pages - 8))
    for number in range(first, min(results.pages, first + 8) + 1):
        pages.append({"number": number, "href": link(number), "current": number == page})
    suggestion = results.did_you_mean
    return {
        "results": results,
        "hits": hits,
        # A close spelling searched for a word the did-you-mean corrects is
        # said once, by the did-you-mean.
        "notices": [
            say(notice, lang)
            for notice in results.notices
            if not (
                suggestion
                and isinstance(notice, Message)
                and notice.key == "spellings"
                and notice.values.get("word") in results.suggestions
            )
        ],
        "pages": pages if results.pages > 1 else [],
        "previous": link(page - 1) if page > 1 else None,
        "next": link(page + 1) if page < results.pages else None,
        "did_you_mean": {
            "text": suggestion,
            "href": _link(q=suggestion, section=section, sections=sections, lang=asked),
            "lang": "en" if suggestion.isascii() else "bn",
        }
        if suggestion
        else None,
    }
