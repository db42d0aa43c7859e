"""The search page's screenshots for the docs: desktop and phone, light and dark.

    python tools/screenshots.py [OUTPUT_DIR]

Builds an index of corpus/ in a temporary directory, serves it with
``bnsearch serve`` and photographs a results page with Debian's Chromium
(Playwright), as a reader would see it: the page's own Bengali font, no
system font needed.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
QUERY = "/?q=%E0%A6%95%E0%A6%BE%E0%A6%A4%E0%A6%BE%E0%A6%B0%E0%A7%87%E0%A6%B0+%E0%A6%A6%E0%A7%82%E0%A6%A4%E0%A6%BE%E0%A6%AC%E0%A6%BE%E0%A6%B8&sections=true"  # noqa: E501 (কাতারের দূতাবাস)
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def main(output: Path) -> None:
    output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temporary:
        index = Path(temporary) / "index"
        bnsearch = [sys.executable, "-m", "bnsearch"]
        subprocess.run(
            [*bnsearch, "index", "--index", str(index), str(REPO / "corpus")], check=True
        )
        server = subprocess.Popen(
            [*bnsearch, "serve", "--index", str(index), "--port", "0"],
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            line = server.stderr.readline()
            base = re.search(r"at (http://127\.0\.0\.1:\d+)/", line).group(1)
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/api/v1/stats").close()
                    break
                except OSError:
                    time.sleep(0.1)
            shoot(base, output)
        finally:
            server.terminate()
            server.wait(timeout=20)


def shoot(base: str, output: Path) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for device, (width, height) in SIZES.items():
            for scheme in ("light", "dark"):
                context = browser.new_context(
                    viewport={"width": width, "height": height},
                    color_scheme=scheme,
                    device_scale_factor=1,
                )
                page = context.new_page()
                page.goto(base + QUERY)
                page.evaluate("document.fonts.ready.then(() => true)")
                path = output / f"search-{device}-{scheme}.png"
                page.screenshot(path=str(path))
                print(path)
                context.close()
        browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs")
