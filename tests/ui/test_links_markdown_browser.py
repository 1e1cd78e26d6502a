"""In Chromium: Markdown in a link's values (an image, a link, a colour, maths, a bare URL) is shown as the
characters it is in the page's warnings — no image is loaded, no link is made."""

from __future__ import annotations

from urllib.parse import urlencode, urlparse

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser_helpers import CHROMIUM, LAUNCH_ARGS, streamlit_server

PIECES = ["![x](http://127.0.0.1:9/x.png)", "[sign in again](http://evil.example)", ":red[x] $y$ **b**",
          "www.evil.example a@b.cn"]
PAYLOAD = ",".join(PIECES)  # a list parameter: each piece is an item of its own


@pytest.fixture(scope="module")
def server():
    with streamlit_server() as url:
        yield url


@pytest.mark.parametrize(("path", "params"), [("/", {"base": "none", "sector": PAYLOAD, "z": "inf"}),
                                             ("/promoter", {"base": "none", "fsec": PAYLOAD, "fmin": "nan"})])
def test_markdown_in_a_link_stays_text(server, path, params):
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        asked = []
        page.on("request", lambda r: asked.append(r.url) if urlparse(r.url).netloc in ("127.0.0.1:9", "evil.example",
                                                                                     "www.evil.example") else None)
        page.goto(f"{server}{path}?{urlencode(params)}")
        alerts = page.locator("[data-testid=stAlert]")
        expect(alerts.filter(has_text="sign in again")).to_have_count(1, timeout=60000)
        texts = [t.replace("\u200b", "") for t in alerts.all_inner_texts()]
        for piece in PIECES:
            assert any(piece in t for t in texts), (piece, texts)
        assert alerts.locator("img, a, strong, [data-testid=stMarkdownColoredText], .katex").count() == 0
        assert page.locator("[data-testid=stAlert]").filter(has_text="nan" if "fmin" in params else "inf").count() \
            or page.locator("[data-testid=stAlert]").filter(has_text="地图视图").count()
        assert asked == []
        b.close()
