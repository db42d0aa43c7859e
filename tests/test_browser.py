"""The search page in a real browser (Debian's headless Chromium, driven by
Playwright): typing Bengali, highlighted results, paging, did-you-mean, an
article opened at its section, a document with <script> shown as text, and
the page without JavaScript."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import SEED_DIR

from bnsearch import Article, Index

pytestmark = pytest.mark.slow  # a browser and a server per module

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As root and with no network: no sandbox, none of Chromium's own connections.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

HOSTILE = Article(
    "xss",
    "দোহা <script>window.pwned = 1</script>",
    'দোহা বন্দর <script>window.pwned = 2</script><img src=x onerror="window.pwned = 3">',
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (apt-get install chromium; .ci/run installs it)")
    path = tmp_path_factory.mktemp("browser") / "ix"
    Index.build(path, [SEED_DIR])
    with Index.open(path) as index:
        index.add_many(
            [HOSTILE]
            + [Article(f"p{n}", f"সম্পর্ক {n}", f"দ্বিপাক্ষিক সম্পর্ক নম্বর {n}") for n in range(25)]
        )
    child = subprocess.Popen(
        [sys.executable, "-m", "bnsearch", "serve", "--index", str(path), "--port", "0"],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    line = child.stderr.readline()
    base = re.search(r"at (http://127\.0\.0\.1:\d+)/", line).group(1)
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/api/v1/stats").close()
            break
        except OSError:
            time.sleep(0.1)
    yield base
    child.terminate()
    child.wait(timeout=20)


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 420, "height": 900})  # a phone's width
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.goto(server + "/")
    yield opened
    context.close()
    assert errors == []


def search_by_typing(page, text: str) -> None:
    box = page.get_by_role("searchbox", name="অনুসন্ধান")
    box.click()
    page.keyboard.type(text)  # character by character, as a keyboard layout sends them
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_type_a_bengali_query_and_see_highlighted_results(page) -> None:
    search_by_typing(page, "কাতারের দূতাবাস")
    assert "q=%E0%A6%95" in page.url  # a bookmarkable URL
    assert page.locator("ol.hits > li").count() >= 1
    marks = page.locator("ol.hits mark").all_inner_texts()
    assert "কাতার" in marks and any(m.startswith("দূতাবাস") for m in marks)
    assert page.get_by_role("status").inner_text().strip().startswith("4টি নিবন্ধ")
    assert page.get_by_role("searchbox", name="অনুসন্ধান").input_value() == "কাতারের দূতাবাস"


def test_paging(page) -> None:
    search_by_typing(page, "দ্বিপাক্ষিক")
    first = page.locator("ol.hits > li").first.get_attribute("data-id")
    with page.expect_navigation():
        page.get_by_role("link", name="পরের →").click()
    assert "page=2" in page.url
    assert page.locator("[aria-current=page]").inner_text() == "2"
    assert page.locator("ol.hits > li").first.get_attribute("data-id") != first
    assert page.locator("ol.hits").get_attribute("start") == "11"


def test_follow_did_you_mean(page) -> None:
    search_by_typing(page, "মেক্সিকোা")
    suggestion = page.locator(".did-you-mean a")
    assert suggestion.inner_text() == "মেক্সিকো"
    with page.expect_navigation():
        suggestion.click()
    assert page.get_by_role("searchbox", name="অনুসন্ধান").input_value() == "মেক্সিকো"
    assert page.locator("ol.hits mark").count() > 0


def test_open_an_article_at_its_section(page) -> None:
    search_by_typing(page, "বাণিজ্য")
    link = page.locator("ol.hits > li h2 a").first
    heading = page.locator("ol.hits > li .path").first.inner_text()
    with page.expect_navigation():
        link.click()
    ordinal = re.search(r"#s(\d+)$", page.url).group(1)
    section = page.locator(f"section#s{ordinal}")
    assert section.get_attribute("class") == "current"
    assert section.locator("h2, h3, h4").first.inner_text() in heading
    assert section.locator("mark").count() > 0
    assert page.evaluate("document.activeElement.id") == f"s{ordinal}"
    assert section.is_visible()


def test_a_script_in_a_document_is_text_and_runs_nothing(page) -> None:
    search_by_typing(page, "দোহা বন্দর")
    hit = page.locator("li[data-id=xss]")
    assert "<script>window.pwned = 1</script>" in hit.locator("h2").inner_text()
    assert "<script>window.pwned = 2</script>" in hit.locator(".snippet").inner_text()
    with page.expect_navigation():
        hit.locator("h2 a").click()
    assert "<img src=x" in page.locator("article").inner_text()
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.locator("article img").count() == 0


def test_the_page_works_without_javascript(browser, server) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "/")
    page.get_by_role("searchbox", name="অনুসন্ধান").fill("মেক্সিকো")
    with page.expect_navigation():
        page.get_by_role("button", name="খুঁজুন").click()
    assert page.locator("ol.hits mark").count() > 0
    context.close()


def test_keyboard_slash_focuses_the_box_and_tab_reaches_the_hits(page) -> None:
    search_by_typing(page, "মেক্সিকো")
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('ol.hits') !== null"):
            break
    assert page.evaluate("document.activeElement.tagName") == "A"
