"""In Chromium: Markdown in data and in file names is shown as the characters it is in the app's messages —
a zone name in the map tab's reach note, a sidecar's name and a snapshot folder's path in the export tab.
No image is loaded, no link is made, no colour, bold or maths is drawn.

The server works on a copy of the data (every zone renamed) and its own snapshot folders.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser_helpers import CHROMIUM, LAUNCH_ARGS, ROOT, streamlit_server

NAME = "![x](http://127.0.0.1:9/x.png) [sign in again](http://evil.example) :red[x] $y$ **b**"
"""A zone name: an image, a link, a colour, maths and bold in Streamlit's Markdown."""
FILE_MD = "![x](x.png) [sign in again](javascript:evil) :red[x] $y$ **b**"
"""The same in a file name (no "/")."""
MARKUP = "img, a, strong, [data-testid=stMarkdownColoredText], .katex"


def _rename_zones(layers: Path) -> None:
    for f in layers.glob("*.geojson"):
        if f.name in ("districts.geojson", "poi.geojson"):
            continue
        fc = json.loads(f.read_text(encoding="utf-8"))
        for feat in fc.get("features", []):
            props = feat.get("properties") or {}
            if "name_zh" in props:
                props["name_zh"] = f"{NAME} {props['name_zh']}"
        f.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("md")
    shutil.copytree(ROOT / "data", tmp / "data")
    shutil.copytree(ROOT / "layers", tmp / "layers")
    _rename_zones(tmp / "layers")
    snaps = tmp / "snapshots"
    snaps.mkdir()
    (snaps / f"{FILE_MD}.geojson.zip.metadata.json").write_text(json.dumps({"file": "../../etc/hostname"}),
                                                                  encoding="utf-8")
    env = {"SCIMAP_DATA_DIR": str(tmp / "data"), "SCIMAP_LAYERS_DIR": str(tmp / "layers"),
           "SCIMAP_SNAPSHOT_DIR": str(snaps)}
    with streamlit_server(env) as url:
        yield url


def _page(b):
    page = b.new_page(viewport={"width": 1400, "height": 1000})
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if urlparse(r.url).netloc in ("127.0.0.1:9", "evil.example")
            else None)
    return page, asked


def _literal(locator, piece: str) -> None:
    texts = [t.replace("\u200b", "") for t in locator.all_inner_texts()]
    assert any(piece in t for t in texts), (piece, texts)
    assert locator.locator(MARKUP).count() == 0


def test_zone_names_in_the_reach_note_stay_text(server):
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        page, asked = _page(b)
        page.goto(f"{server}/?base=none&sector=检验检测")
        caps = page.locator("[data-testid=stCaptionContainer]").filter(has_text="sign in again")
        expect(caps.first).to_be_visible(timeout=90000)
        _literal(caps, NAME)
        assert asked == []
        b.close()


def test_file_names_and_paths_in_the_export_tab_stay_text(server):
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        page, asked = _page(b)
        page.goto(f"{server}/?base=none&sector=检验检测")
        tabs = page.locator('[data-testid="stMain"] [data-testid="stButtonGroup"]').first.get_by_role("radio")
        expect(tabs).to_have_count(6, timeout=90000)
        tabs.nth(4).click()
        alerts = page.locator("[data-testid=stAlert]").filter(has_text="sign in again")
        expect(alerts).to_have_count(1, timeout=60000)
        _literal(alerts, f"{FILE_MD}.geojson.zip.metadata.json")
        assert "hostname" not in page.locator("[data-testid=stMain]").inner_text().replace(
            alerts.first.inner_text(), "")  # named only in the warning about the sidecar, never listed
        assert asked == []
        b.close()
