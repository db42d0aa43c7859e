"""The search page in a real browser (Debian's headless Chromium, driven by
Playwright): typing Bengali, highlighted results, paging, did-you-mean, an
article opened at its section, a document with <script> shown as text, and
the page without JavaScript."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import SEED_DIR, serving

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


# A title with a right-to-left override: "exe.live" must not be drawn as
# "evil.exe", nor the Bengali after it reversed.
BIDI = Article("bidi", "নথি \u202eexe.live\u202c ফাইল", "নথি ফাইলের বিবরণ, একটি দলিল।")
# A long URL and a run of commas in pre-wrapped text: no wider than a phone.
WIDE = Article(
    "wide",
    "প্রশস্ত লেখা",
    "প্রশস্ত লেখার উদাহরণ https://example.com/" + "ক" * 300 + " এবং " + "," * 400,
)
# An article long enough that its matching section is far down, with a heading tree.
LONG = Article(
    "long",
    "দীর্ঘ নিবন্ধ",
    "দীর্ঘ নিবন্ধের ভূমিকা। " * 40
    + "".join(
        f"\n== অধ্যায় {n} ==\n" + "সাধারণ বিবরণ। " * 60 + f"\n=== উপঅধ্যায় {n} ===\n" + "আরও বিবরণ। " * 40
        for n in range(1, 9)
    )
    + "\n== স্মারক ==\nস্মারকস্তম্ভ নদীর ধারে।",
    "bnwiki-test.jsonl",
)
# The same page twice, under two ids: one hit, the copy named by its title.
COPIES = [Article(f"copy{n}", "যমজ পাতা", "যমজ পাতার লেখা একই, শুধু আইডি আলাদা। নদী ও সাগর।") for n in (1, 2)]
AXE = Path(__file__).resolve().parents[1] / ".cache" / "axe-core-4.14.1" / "axe.min.js"


# A passage without a title (a collection of paragraphs): shown by its id.
UNTITLED = Article("untitled", "", "শিরোনামহীন একটি অনুচ্ছেদ, যার কোনো শিরোনাম নেই।")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (apt-get install chromium; .ci/run installs it)")
    path = tmp_path_factory.mktemp("browser") / "ix"
    Index.build(path, [SEED_DIR])
    with Index.open(path) as index:
        index.add_many(
            [HOSTILE, BIDI, WIDE, LONG, UNTITLED, *COPIES]
            + [Article(f"p{n}", f"সম্পর্ক {n}", f"দ্বিপাক্ষিক সম্পর্ক নম্বর {n}") for n in range(25)]
        )
    with serving(path) as (_, url):
        yield url.rstrip("/")


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
    box = page.get_by_role("combobox", name="অনুসন্ধান")  # a searchbox the script made a combobox
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
    assert page.get_by_role("status").inner_text().strip().startswith("৪টি নিবন্ধ")
    assert page.get_by_role("combobox", name="অনুসন্ধান").input_value() == "কাতারের দূতাবাস"


def test_paging(page) -> None:
    search_by_typing(page, "দ্বিপাক্ষিক")
    first = page.locator("ol.hits > li").first.get_attribute("data-id")
    with page.expect_navigation():
        page.get_by_role("link", name="পরের পৃষ্ঠা →").click()
    assert "page=2" in page.url
    assert page.locator("[aria-current=page]").inner_text() == "২"
    assert page.locator("ol.hits > li").first.get_attribute("data-id") != first
    assert page.locator("ol.hits").get_attribute("start") == "11"


def test_follow_did_you_mean(page) -> None:
    search_by_typing(page, "মেক্সিকোা")
    suggestion = page.locator(".did-you-mean a")
    assert suggestion.inner_text() == "মেক্সিকো"
    with page.expect_navigation():
        suggestion.click()
    assert page.get_by_role("combobox", name="অনুসন্ধান").input_value() == "মেক্সিকো"
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


# --- the page as Bengali readers meet it (fonts, language, the article, suggestions) ---------


def _fonts_of(page, selector: str) -> list[dict]:
    """The platform fonts Chromium drew the element's text with (DevTools
    protocol: CSS.getPlatformFontsForNode)."""
    page.evaluate("document.fonts.ready.then(() => true)")
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]


def _system_bengali_fonts() -> list[str]:
    found = subprocess.run(["fc-list", ":lang=bn", "family"], capture_output=True, text=True)
    return [line for line in found.stdout.splitlines() if line.strip()]


def test_bengali_is_drawn_with_a_real_font_even_with_none_installed(page, server) -> None:
    """On a machine without a Bengali font (this one, unless fc-list finds
    one), the page's own font draws the title; and it is fetched once."""
    page.goto(server + "/article/long?q=স্মারক&section=17#s17")
    fonts = _fonts_of(page, "h1 bdi")
    drawn = [f for f in fonts if f["glyphCount"] > 0]
    assert drawn, fonts
    if not _system_bengali_fonts():
        assert any(f["isCustomFont"] and "Noto Sans Bengali" in f["familyName"] for f in drawn)
    # The second page of a session takes the font from the cache.
    page.goto(server + "/?q=দীর্ঘ")
    page.evaluate("document.fonts.ready.then(() => true)")
    entries = page.evaluate(
        "performance.getEntriesByType('resource').filter(e => e.name.includes('/fonts/'))"
        ".map(e => e.transferSize)"
    )
    assert all(size == 0 for size in entries), entries


def test_the_page_speaks_bengali_and_english_on_request(page, server) -> None:
    page.goto(server + "/?q=qatar+er+rajdhani")
    notices = page.locator("p.notice").all_inner_texts()
    assert notices and all("রোমান হরফে" in n or "খোঁজা হয়েছে" in n for n in notices), notices
    assert re.search("[০-৯]", page.get_by_role("status").inner_text())
    ranks = page.evaluate("getComputedStyle(document.querySelector('ol.hits')).listStyleType")
    assert ranks == "bengali"
    assert page.locator("[lang=en]").count() == 1  # the language link alone
    with page.expect_navigation():
        page.get_by_role("link", name="English").click()
    assert page.evaluate("document.documentElement.lang") == "en"
    assert any("read as romanized Bengali" in n for n in page.locator("p.notice").all_inner_texts())
    assert re.search("[0-9]+ articles", page.get_by_role("status").inner_text())
    page.goto(server + "/?q=ক*")
    assert "অন্তত ২টি অক্ষর" in page.get_by_role("alert").inner_text()


def test_an_article_opens_at_the_hit_with_its_title_and_contents_in_reach(page, server) -> None:
    page.set_viewport_size({"width": 1366, "height": 900})
    search_by_typing(page, "স্মারকস্তম্ভ")
    hit = page.locator("li[data-id=long]")
    assert hit.locator(".more a").inner_text().startswith("নিবন্ধের শুরু")
    with page.expect_navigation():
        hit.locator("h2 a").click()
    current = page.locator("section.current")
    assert current.locator("h2").inner_text() == "স্মারক"
    assert page.evaluate("window.scrollY") > 2000  # far down the article
    title = page.locator("h1").bounding_box()
    assert title and 0 <= title["y"] < 200  # the title stays in view
    toc = page.locator("nav details.toc")
    assert toc.locator("a[aria-current=location]").inner_text() == "স্মারক"
    assert toc.locator("ol ol a").count() == 8  # the heading tree: subsections nested
    assert page.locator("footer.licence").inner_text().count("CC BY-SA") >= 1
    with page.expect_navigation():
        page.get_by_role("link", name="← ফলাফলে ফিরুন").click()
    assert "q=" in page.url


def test_suggestions_while_typing_work_by_keyboard(page) -> None:
    box = page.get_by_role("combobox", name="অনুসন্ধান")
    box.click()
    page.keyboard.type("মেক্সি")
    listbox = page.get_by_role("listbox")
    listbox.wait_for(state="visible")
    assert box.get_attribute("aria-expanded") == "true"
    options = listbox.get_by_role("option")
    assert options.count() >= 1 and options.first.inner_text().startswith("মেক্সিকো")
    page.keyboard.press("ArrowDown")
    first = options.first
    assert first.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    page.keyboard.press("Escape")
    assert listbox.is_hidden() and box.get_attribute("aria-expanded") == "false"
    page.keyboard.type("ক")  # typing again brings the list back
    listbox.wait_for(state="visible")
    page.keyboard.press("ArrowDown")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "q=%E0%A6%AE%E0%A7%87%E0%A6%95%E0%A7%8D%E0%A6%B8%E0%A6%BF%E0%A6%95" in page.url
    assert box.input_value().startswith("মেক্সিক")


def test_a_romanized_query_gets_no_latin_did_you_mean(page, server) -> None:
    page.goto(server + "/?q=qatar+er+rajdhani")
    assert page.locator(".did-you-mean").count() == 0


def test_nothing_is_wider_than_a_phone(browser, server) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    for path in ("/article/wide?q=প্রশস্ত", "/?q=প্রশস্ত", "/article/long", "/?q=ক*"):
        page.goto(server + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
    context.close()


def test_a_bidi_override_in_a_title_is_shown_in_logical_order(page, server) -> None:
    page.goto(server + "/?q=নথি")
    title = page.locator("li[data-id=bidi] h2 a").inner_text()
    assert "\u202e" not in title and "\ufffdexe.live\ufffd" in title
    order = page.evaluate(
        """() => {
        const a = document.querySelector('li[data-id=bidi] h2 a bdi');
        const walker = document.createTreeWalker(a, NodeFilter.SHOW_TEXT);
        const boxes = {};
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          for (const [i, ch] of [...node.data].entries()) {
            if (ch === 'x' || ch === 'v') {
              const range = document.createRange();
              range.setStart(node, i); range.setEnd(node, i + 1);
              boxes[ch] = range.getBoundingClientRect().left;
            }
          }
        }
        return boxes;
      }"""
    )
    assert order["x"] < order["v"]  # e-x-e before l-i-v-e, left to right


def test_small_things(page, server) -> None:
    page.goto(server + "/")
    examples = page.locator("ul.examples a")
    assert examples.count() >= 5
    with page.expect_navigation():
        examples.first.click()
    assert page.locator("ol.hits > li").count() > 0
    assert re.search("সেকেন্ডে", page.get_by_role("status").inner_text())
    # One URL per page: a form sent with empty fields lands on the short URL.
    page.goto(server + "/?q=সম্পর্ক&section=&limit=10&page=1")
    assert (
        page.url == server + "/?q=%E0%A6%B8%E0%A6%AE%E0%A7%8D%E0%A6%AA%E0%A6%B0%E0%A7%8D%E0%A6%95"
    )
    with page.expect_navigation():
        page.get_by_role("link", name="পরের পৃষ্ঠা →").click()
    with page.expect_navigation():
        page.locator("ol.hits > li h2 a").first.click()
    with page.expect_navigation():
        page.get_by_role("link", name="← ফলাফলে ফিরুন").click()
    assert "page=2" in page.url  # back to the page the article was opened from
    page.goto(server + "/?q=যমজ")
    assert page.locator("ol.hits > li").count() == 1
    assert "যমজ পাতা" in page.locator("p.copies").inner_text()
    assert page.request.get(server + "/favicon.ico").ok
    assert page.request.head(server + "/?q=যমজ").status == 200


def _axe(page) -> list:
    page.add_script_tag(path=str(AXE))
    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
    return page.evaluate(
        """async (tags) => {
        const run = await axe.run(document, {
          runOnly: {type: 'tag', values: tags}, resultTypes: ['violations', 'passes']});
        return {rules: run.passes.length + run.violations.length,
                violations: run.violations.map(v => ({id: v.id, impact: v.impact,
                  nodes: v.nodes.map(n => n.target.join(' '))}))};
      }""",
        tags,
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_accessibility_violations_on_any_page_kind(browser, server, scheme: str) -> None:
    """axe-core (WCAG 2.2 AA and its best practices) on the empty page,
    results, no results, an error, an article and a passage without a
    title (an empty heading or link before its fix), light and dark."""
    if not AXE.exists() and shutil.which("npm"):
        subprocess.run(["make", "-s", "axe"], cwd=AXE.parents[2], capture_output=True)
    if not AXE.exists():
        if shutil.which("npm"):
            pytest.fail(f"make axe could not fetch axe-core into {AXE.parent}")
        pytest.skip("axe-core needs npm to be fetched (apt-get install npm; .ci/run does)")
    # The CSP forbids injected scripts: axe runs in a context that bypasses it.
    context = browser.new_context(bypass_csp=True, color_scheme=scheme)
    page = context.new_page()
    pages = {
        "empty": "/",
        "results": "/?q=কাতার",
        "no results": "/?q=অজানাশব্দ",
        "error": "/?q=ক*",
        "not found": "/article/nope",
        "article": "/article/long?q=স্মারক&section=17#s17",
        "an untitled passage's results": "/?q=শিরোনামহীন",
        "an untitled passage": "/article/untitled?q=শিরোনামহীন",
    }
    found = {}
    for kind, path in pages.items():
        page.goto(server + path)
        report = _axe(page)
        assert report["rules"] > 20  # axe ran its rules
        if report["violations"]:
            found[kind] = report["violations"]
    context.close()
    assert found == {}


def test_dark_mode_follows_the_system(browser, server) -> None:
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    page.goto(server + "/?q=কাতার")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(18, 18, 18)"
    assert page.locator("meta[name=color-scheme]").get_attribute("content") == "light dark"
    context.close()
