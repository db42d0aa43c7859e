"""What keeps ``bnsearch serve`` answering under hostile or careless clients.

- **Hosts and origins** (:class:`HostGuard`): a request whose ``Host`` is not
  a name the server is bound to is refused (400), so a page on another site
  cannot reach the API through DNS rebinding; a write whose ``Origin`` or
  ``Sec-Fetch-Site`` says it came from another site is refused (403).
- **Bodies** (:class:`BodyGuard`): a read-only server refuses a body before
  reading it (403); a writable one refuses one over ``max_body`` bytes, by
  its ``Content-Length`` or as it arrives (413).
- **Slow connections** (:class:`BoundedH11Protocol`): a request's headers
  must arrive within ``HEADER_TIMEOUT`` seconds and its body within
  ``BODY_TIMEOUT``; an idle kept-alive connection closes after
  ``KEEP_ALIVE`` seconds (uvicorn's own timer).
- **Costly searches** (:class:`CostGate`): queries with prefixes or many
  words run one at a time in a thread of their own, with at most
  ``queue`` more waiting; past that the answer is 503 with ``Retry-After``,
  so that they never take the threads the cheap searches need.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import anyio
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = [
    "BODY_TIMEOUT",
    "HEADER_TIMEOUT",
    "KEEP_ALIVE",
    "MAX_BODY",
    "MAX_CONNECTIONS",
    "BodyGuard",
    "BoundedH11Protocol",
    "CostGate",
    "HeadAsGet",
    "HostGuard",
    "allowed_hosts",
]

HEADER_TIMEOUT = 10.0  # seconds for a request's headers to arrive
BODY_TIMEOUT = 60.0  # seconds for its body (an article of tens of megabytes on a slow link)
KEEP_ALIVE = 5  # seconds an idle kept-alive connection stays open
MAX_CONNECTIONS = 100  # open connections and running requests; then 503
MAX_BODY = 64 << 20  # bytes: an article of 32 MB of text, JSON-escaped
_LOOPBACK = ("localhost", "127.0.0.1", "::1", "[::1]")
_T = TypeVar("_T")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


def allowed_hosts(bound: str, extra: Iterable[str] = ()) -> set[str]:
    """The host names a server bound to ``bound`` answers to: the loopback
    names, the address itself (unless it is every address) and ``extra``
    (``*``: any)."""
    hosts = {*_LOOPBACK, *(h.strip().lower() for h in extra if h.strip())}
    if bound not in ("", "0.0.0.0", "::"):
        hosts.add(bound.lower())
        hosts.add(f"[{bound.lower()}]")
    return hosts


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def _host_name(value: str) -> str:
    """The host of a Host header's value, without its port."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[: value.find("]") + 1] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


async def _respond(send: Send, status: int, message: str, headers: Iterable = ()) -> None:
    body = json.dumps({"error": {"status": status, "message": message}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class HostGuard:
    """Refuse requests for other host names, and writes from other sites."""

    def __init__(self, app: App, hosts: set[str]) -> None:
        self.app, self.hosts = app, hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or "*" in self.hosts:
            return await self.app(scope, receive, send)
        host = _host_name(_header(scope, b"host") or "")
        if host not in self.hosts:
            return await _respond(send, 400, "this server does not answer for that host name")
        if scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            origin = _header(scope, b"origin")
            fetch_site = _header(scope, b"sec-fetch-site")
            foreign = origin is not None and (
                origin == "null" or _host_name(urlsplit(origin).netloc) not in self.hosts
            )
            if foreign or fetch_site in ("cross-site", "same-site"):
                return await _respond(send, 403, "writes from other sites are refused")
        return await self.app(scope, receive, send)


class HeadAsGet:
    """HEAD answered as GET is, without the body (HTTP's rule; FastAPI's
    routes take only the methods they name)."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            return await self.app(scope, receive, send)

        async def headers_only(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body"):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


class BodyGuard:
    """Refuse bodies before reading them when nothing may be written, and
    bodies over ``max_body`` bytes otherwise."""

    def __init__(self, app: App, *, writable: bool, max_body: int = MAX_BODY) -> None:
        self.app, self.writable, self.max_body = app, writable, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        length = _header(scope, b"content-length")
        has_body = (length is not None and length.strip() != "0") or _header(
            scope, b"transfer-encoding"
        )
        if not self.writable and scope["path"].startswith("/api/v1/articles/"):
            message = "the server is read-only: start it with --allow-writes to change the index"
            return await _respond(send, 403, message)
        if length is not None and (not length.strip().isdigit() or int(length) > self.max_body):
            return await _respond(send, 413, f"the body is over {self.max_body:,} bytes")
        if not has_body:
            return await self.app(scope, receive, send)
        received = 0
        started = refused = False
        too_large = f"the body is over {self.max_body:,} bytes"

        async def counted() -> dict[str, Any]:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body:
                # Answered here, and the app is told the client went away.
                refused = True
                if not started:
                    await _respond(send, 413, too_large)
                return {"type": "http.disconnect"}
            return message

        async def watched(message: dict[str, Any]) -> None:
            nonlocal started
            if refused:
                return  # what the app says after the refusal is not sent
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except Exception:
            if not refused:
                raise


class BoundedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with time limits on reading a request:
    a connection that sends its headers or body too slowly (or not at all)
    is closed, so idle and half-sent connections cannot pile up."""

    header_timeout = HEADER_TIMEOUT
    body_timeout = BODY_TIMEOUT
    tick = 1.0

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._phase: tuple[int, str] | None = None
        self._since = self.loop.time()
        self._watch = self.loop.call_later(self.tick, self._check)

    def connection_lost(self, exc: Exception | None) -> None:
        self._watch.cancel()
        super().connection_lost(exc)

    def _check(self) -> None:
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is None or cycle.response_complete:
            phase = "headers"
        elif cycle.more_body:
            phase = "body"
        else:
            phase = "answering"
        key = (id(cycle), phase)
        now = self.loop.time()
        if key != self._phase:
            self._phase, self._since = key, now
        limit = {"headers": self.header_timeout, "body": self.body_timeout}.get(phase)
        if limit is not None and now - self._since > limit:
            self.transport.close()
            return
        self._watch = self.loop.call_later(self.tick, self._check)


class QueueFull(Exception):
    """Too many costly searches are waiting; try again later."""


class CostGate:
    """Costly work one at a time (in a thread of its own), with a bounded
    queue; cheap work in the server's shared threads."""

    def __init__(self, queue: int = 4, retry_after: int = 5) -> None:
        self.queue, self.retry_after = queue, retry_after
        self._limiter: anyio.CapacityLimiter | None = None
        self._waiting = 0

    async def run(self, costly: bool, work: Callable[[], _T]) -> _T:
        if not costly:
            return await anyio.to_thread.run_sync(work)
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(1)
        if self._waiting >= self.queue:
            raise QueueFull(
                f"too many costly searches (prefixes, many words) are running; "
                f"try again in {self.retry_after} s"
            )
        self._waiting += 1
        try:
            return await anyio.to_thread.run_sync(work, limiter=self._limiter)
        finally:
            self._waiting -= 1
