"""Everything the faces print, in one place: hits and results as text for a
terminal, HTML and TREC lines; colour; and what keeps a document's control
characters from reaching the terminal.

Colour is on for a terminal unless NO_COLOR is set to something (an empty
NO_COLOR does not count, as no-color.org says) or TERM is dumb; click
writes the styles.
"""

from __future__ import annotations

import html
import os
from typing import TextIO

import click

from ..model import Hit, Results, Snippet
from .terminal import wrap

__all__ = [
    "count_line",
    "hit_lines",
    "notice_lines",
    "printable",
    "render_html",
    "render_text",
    "results_html",
    "results_lines",
    "trec_lines",
    "use_colour",
]


def use_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def bold(text: str, colour: bool) -> str:
    return click.style(text, bold=True) if colour else text


def dim(text: str, colour: bool) -> str:
    return click.style(text, dim=True) if colour else text


# Control characters from documents must not reach a terminal (an escape
# sequence can retitle it, plant links, ring the bell): each becomes one
# visible character, so offsets into the text stay valid. C0 controls and
# DEL become their Unicode control pictures (ESC → ␛), C1 controls U+FFFD.
_CONTROLS = {c: 0x2400 + c for c in range(0x20)} | {0x7F: 0x2421}
_CONTROLS |= dict.fromkeys(range(0x80, 0xA0), 0xFFFD)
# Bidirectional embeddings, overrides and isolates (U+202A–202E, U+2066–2069)
# would reorder what follows them ("exe.live" drawn as "evil.exe", the
# Bengali after it reversed): each is shown as U+FFFD, on every face.
_CONTROLS |= dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)], 0xFFFD)
_CONTROLS_BUT_LINES = {c: p for c, p in _CONTROLS.items() if c not in (0x09, 0x0A)}


def printable(text: str, lines: bool = False) -> str:
    """``text`` safe to print on a terminal; ``lines`` keeps newlines and tabs."""
    return text.translate(_CONTROLS_BUT_LINES if lines else _CONTROLS)


def render_text(snippet: Snippet, colour: bool) -> str:
    """The snippet for a terminal: bold yellow matches, or **markers** without
    colour; control characters shown as symbols."""
    text = printable(snippet.text, lines=True)
    out, position = [], 0
    for start, end in snippet.highlights:
        match = text[start:end]
        marked = click.style(match, fg="yellow", bold=True) if colour else f"**{match}**"
        out += [text[position:start], marked]
        position = end
    out.append(text[position:])
    return "".join(out)


def render_html(snippet: Snippet) -> str:
    """The snippet as HTML: text escaped, matches in <mark>, control
    characters shown as symbols."""
    text = printable(snippet.text, lines=True)
    out, position = [], 0
    for start, end in snippet.highlights:
        out.append(html.escape(text[position:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        position = end
    out.append(html.escape(text[position:]))
    return "".join(out)


INDENT = "     "  # under a hit's rank


def _fitted(snippet: Snippet, width: int | None) -> Snippet:
    return wrap(snippet, width, INDENT) if width else snippet


def hit_lines(hit: Hit, colour: bool, *, score: bool = True, width: int | None = None) -> list[str]:
    """A hit for a terminal: rank, title › section, id; the snippet (wrapped
    at spaces to ``width`` cells, when given); the merged copies; and the
    other matching sections when the hit has them."""
    where = f" › {render_text(hit.marked_section, colour)}" if hit.section else ""
    # An article without a title is shown by its id (Hit.marked_title): not twice.
    about = f"[{printable(hit.id)}]" if hit.title else ""
    about = f"{about} {hit.score:.2f}".strip() if score else about
    title = bold(render_text(hit.marked_title, colour), colour)
    lines = [
        f"{hit.rank:>3}. {title}{where}  {dim(about, colour)}",
        f"{INDENT}{render_text(_fitted(hit.marked, width), colour)}",
    ]
    if hit.duplicates:
        copies = printable(", ".join(hit.duplicates))
        lines.append(f"     {dim(f'(same article as {copies})', colour)}")
    for other in hit.sections:
        text = render_text(_fitted(other.marked, width), colour)
        lines.append(f"     {dim('›', colour)} {printable(other.section) or '(lead)'}: {text}")
    if hit.more_sections:
        lines.append(f"     {dim('› … more sections match (see the article)', colour)}")
    return lines


def notice_lines(results: Results, colour: bool) -> list[str]:
    """What the reader should know before the hits: how the query was cut
    down, and a spelling suggestion."""
    lines = [f"note: {printable(notice)}" for notice in results.notices]
    if results.did_you_mean:
        lines.append(f"did you mean: {bold(printable(results.did_you_mean), colour)}")
    return lines


def _scope(results: Results) -> str:
    return f" in sections headed {results.section!r}" if results.section else ""


def count_line(results: Results) -> str:
    """How many articles match, or why this page has none: nothing matches
    (the section filter named), or the page is past the end."""
    query = printable(repr(results.query)) + printable(_scope(results))
    articles = "1 article" if results.total == 1 else f"{results.total:,} articles"
    if results.total_relation == "gte":
        articles = f"at least {articles}"
    if not results.total:
        return f"no articles match {query}"
    if not results.hits:
        pages = "1 page" if results.pages == 1 else f"{results.pages:,} pages"
        return (
            f"page {results.page:,} is past the end: {articles} match {query} "
            f"({pages} of {results.limit})"
        )
    first, last = results.hits[0].rank, results.hits[-1].rank
    return (
        f"{articles} match {query}: {first:,}-{last:,} shown, "
        f"page {results.page:,} of {results.pages:,}"
    )


def results_lines(results: Results, colour: bool, width: int | None = None) -> list[str]:
    """A page of results for a terminal: notices, a count, the hits
    (snippets wrapped to ``width`` cells when given)."""
    lines = notice_lines(results, colour)
    lines.append(count_line(results))
    for hit in results:
        lines.append("\n" + "\n".join(hit_lines(hit, colour, width=width)))
    return lines


def results_html(results: Results) -> str:
    """A page of results as an HTML fragment: everything escaped, matches in <mark>."""
    lines = [f'<section class="bnsearch-results" data-total="{results.total}">']
    for notice in results.notices:
        lines.append(f'<p class="notice">{html.escape(notice)}</p>')
    if results.did_you_mean:
        lines.append(f"<p>did you mean: <b>{html.escape(results.did_you_mean)}</b></p>")
    lines.append(f'<ol start="{results.hits[0].rank if results.hits else 1}">')
    for hit in results:
        section = f" › {render_html(hit.marked_section)}" if hit.section else ""
        title = render_html(hit.marked_title)
        others = "".join(
            f"<li><b>{html.escape(printable(other.section)) or '(lead)'}</b>: "
            f"{render_html(other.marked)}</li>"
            for other in hit.sections
        )
        if hit.more_sections:
            others += "<li>… more sections match</li>"
        others = f'<ul class="sections">{others}</ul>' if others else ""
        lines.append(
            f'<li data-id="{html.escape(printable(hit.id), quote=True)}"><h3>{title}'
            f"{section}</h3><p>{render_html(hit.marked)}</p>{others}</li>"
        )
    lines += ["</ol>", "</section>"]
    return "\n".join(lines)


def explanation_lines(results: Results) -> list[str]:
    """Each hit's explanation: its contributions (which sum to its score),
    the features behind them, and the rule that chose its section."""
    lines = ["", "why:"]
    for hit in results:
        if hit.explanation is None:
            continue
        parts = " + ".join(
            f"{value:.4f} ({name})"
            for name, value in hit.explanation["contributions"].items()
            if value
        )
        lines.append(f"{hit.rank:>3}. {printable(hit.id)}: {hit.score:.4f} = {parts or '0'}")
        features = ", ".join(
            f"{name} {value:g}" for name, value in hit.explanation["features"].items()
        )
        lines.append(f"     {features}")
        lines.append(f"     section: {hit.explanation['section rule']}")
        names = hit.explanation.get("title names")
        if names:
            shown = ", ".join(printable(name) for name in names)
            lines.append(f"     title: also searched as {shown}, a name its lead gives")
        for typed, name in hit.explanation.get("Bengali names", []):
            lines.append(f"     holds {printable(name)}, the Bengali name of {printable(typed)}")
    return lines


def trec_lines(qid: str, results: Results, tag: str = "bnsearch") -> list[str]:
    """A TREC run's lines for one query: ``qid Q0 id rank score tag``."""
    return [
        f"{printable(qid)} Q0 {printable(hit.id)} {hit.rank} {hit.score:.4f} {tag}"
        for hit in results
    ]
