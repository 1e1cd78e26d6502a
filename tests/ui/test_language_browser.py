"""One language at a time, in a real browser: every page and every tab of the planning map, in Chinese and in
English, with a map tooltip, the details panel, a snapshot and its history, an import review and the store's
history — the visible text is checked against the rule of ``tests/test_i18n.py`` (``zh_leaks``, ``en_leaks``).

The server works on a copy of the data (an import is stored) and its own snapshot folder.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from geo.io import importer
from geo.io.store import FileStore
from tests.browser_helpers import CHROMIUM, LAUNCH_ARGS, MAP_IFRAME, block_external, streamlit_server, wait_map
from tests.test_i18n import allowed_tokens, en_leaks, zh_leaks
from ui.auth import local_name

ROOT = Path(__file__).resolve().parents[2]
ART = ROOT / "artifacts"
GOOD = ROOT / "tests" / "io" / "import_corpus" / "good" / "wgs84.geojson"
BAD = ROOT / "tests" / "io" / "import_corpus" / "bad" / "far_away.geojson"
UPLOADED = frozenset({GOOD.name, BAD.name})  # the user's own file names, echoed by the uploader
FILE_NAMES = frozenset(json.loads(GOOD.read_text(encoding="utf-8"))["features"][0]["properties"].values())
"""What the uploaded file itself calls its feature: shown as the file says it, in either language."""

TEXT_JS = """
() => {
  const icons = new Set([...document.querySelectorAll('[data-testid="stIconMaterial"]')].map(e => e.textContent.trim()));
  const out = [];
  for (const sel of ['[data-testid="stSidebar"]', '[data-testid="stMain"]']) {
    const root = document.querySelector(sel);
    if (!root) continue;
    out.push(...root.innerText.split('\\n').filter(line => !icons.has(line.trim())));
    for (const grid of root.querySelectorAll('[data-testid="stDataFrame"], [data-testid="stDataFrameResizable"]')) {
      for (const row of grid.querySelectorAll('[role="row"]')) {
        // a ticked/unticked box reads "true"/"false" to assistive tech; on screen it is a check box
        out.push([...row.querySelectorAll('[role="columnheader"], [role="gridcell"]')].map(c => c.textContent)
          .filter(t => t !== 'true' && t !== 'false').join('\\t'));
      }
    }
  }
  return out.join('\\n');
}
"""


@pytest.fixture(scope="module")
def copy_server(tmp_path_factory):
    ART.mkdir(exist_ok=True)
    tmp = tmp_path_factory.mktemp("lang")
    local = shutil.ignore_patterns(".store.lock", "audit.jsonl*")  # a working copy's, never in a clone
    shutil.copytree(ROOT / "data", tmp / "data", ignore=local)
    shutil.copytree(ROOT / "layers", tmp / "layers", ignore=local)
    # one import stored beforehand (its overlap is flagged, so the page would not store it unticked): the
    # store's history has rows, with a note, to read in each language
    store = FileStore(tmp / "data", tmp / "layers")
    rv = importer.review(GOOD, store.load(), "parcels", None)
    store.save(rv.accepted(include_flagged=True), "parcels", "qa01", "surveyed", store.version("parcels"),
               note=f"import {GOOD.name}")
    env = {"SCIMAP_DATA_DIR": str(tmp / "data"), "SCIMAP_LAYERS_DIR": str(tmp / "layers"),
           "SCIMAP_SNAPSHOT_DIR": str(tmp / "snapshots"), "SCIMAP_LOCAL_EDITING": "1"}  # no sign-in: local editing
    with streamlit_server(env) as url:
        yield url


class Reader:
    """Collects the visible text of each place visited and the leaks the language's rule finds in it."""

    def __init__(self, page, lang: str, allowed: frozenset[str]) -> None:
        self.page, self.lang, self.allowed = page, lang, allowed
        self.leaks: dict[str, list[str]] = {}
        self.seen: dict[str, str] = {}

    def check(self, where: str, text: str) -> None:
        self.seen[where] = text
        found = zh_leaks(text, self.allowed) if self.lang == "zh" else \
            [c for c in en_leaks(text) if c not in FILE_NAMES]
        if found:
            self.leaks[where] = sorted(set(found))[:15]

    def page_text(self, where: str) -> None:
        self.page.wait_for_timeout(600)
        self.check(where, self.page.evaluate(TEXT_JS))

    def map_text(self, where: str) -> None:
        frame = self.page.frame_locator(MAP_IFRAME).first
        self.check(where, frame.locator("body").inner_text())

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(ART / f"lang_{self.lang}_{name}.png"), full_page=True)


def settle(page, timeout: float = 60) -> None:
    """Wait until Streamlit stops running the script (the status widget goes away)."""
    end = time.time() + timeout
    page.wait_for_timeout(400)
    while time.time() < end:
        if not page.locator('[data-testid="stStatusWidget"]').count():
            return
        page.wait_for_timeout(250)


def largest_parcel(frame):
    paths = frame.locator("path.scimap-parcel")
    end = time.time() + 20
    sizes: list[float] = []
    while time.time() < end:
        boxes = [(paths.nth(i).bounding_box() or {"width": 0, "height": 0}) for i in range(paths.count())]
        sizes = [b["width"] * b["height"] for b in boxes]
        if sizes and max(sizes) > 100:
            return paths.nth(sizes.index(max(sizes)))
        time.sleep(0.3)
    raise AssertionError(f"no parcel drawn large enough to point at: {sizes}")


def open_options(r: Reader) -> None:
    """The sidebar's pickers, opened one by one: their options (districts, zones, sectors, plans)."""
    boxes = r.page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"], '
                           '[data-testid="stSidebar"] [data-testid="stSelectbox"]')
    for i in range(boxes.count()):
        boxes.nth(i).click()
        listbox = r.page.locator('[role="listbox"]')
        try:
            listbox.first.wait_for(timeout=3000)
            r.check(f"picker {i}", listbox.first.inner_text())
        except Exception:  # noqa: BLE001 - a picker with nothing to offer opens no list
            pass
        r.page.keyboard.press("Escape")


def planner(r: Reader, url: str) -> None:
    page = r.page
    page.goto(f"{url}/?base=none&lang={r.lang}")
    frame = wait_map(page)
    frame.locator("path.scimap-parcel").first.wait_for(timeout=60000)
    settle(page)
    r.page_text("planner")
    r.map_text("map (labels, legend)")
    open_options(r)
    target = largest_parcel(frame)
    page.frame_locator(MAP_IFRAME).first.owner.scroll_into_view_if_needed()
    target.hover()
    tip = frame.locator(".leaflet-tooltip")
    tip.first.wait_for(timeout=10000)
    r.check("map tooltip", tip.first.inner_text())
    target.click()
    settle(page)
    page.wait_for_timeout(1500)
    settle(page)
    r.page_text("planner after a click (details)")
    r.shot("planner")
    tabs = page.locator('[data-testid="stMain"] [data-testid="stButtonGroup"]').first.get_by_role("radio")
    assert tabs.count() == 6
    for i in range(tabs.count()):
        name = tabs.nth(i).inner_text()
        if i:  # the map is open already (a click on the open one would only unselect it)
            tabs.nth(i).click()
        settle(page)
        if i == 4:  # export: make a snapshot (one per language), then compare the two
            make = page.get_by_role("button", name={"zh": "生成快照", "en": "Make snapshot"}[r.lang])
            make.click()
            settle(page)
            compare = page.get_by_role("button", name={"zh": "比较两个快照", "en": "Compare the two snapshots"}[r.lang])
            if compare.count():
                compare.click()
                settle(page)
        r.page_text(f"tab {name}")
        r.shot(f"tab{i}")


def promoter(r: Reader, url: str) -> None:
    r.page.goto(f"{url}/promoter?base=none&lang={r.lang}")
    wait_map(r.page)
    settle(r.page)
    r.page_text("promoter")
    r.shot("promoter")


def boundaries(r: Reader, url: str) -> None:
    page = r.page
    page.goto(f"{url}/boundaries?base=none&lang={r.lang}")
    wait_map(page)
    settle(page)
    r.page_text("boundaries: digitise")
    tabs = page.get_by_role("tab")
    tabs.nth(1).click()
    settle(page)
    r.page_text("boundaries: import")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(BAD))
    settle(page)
    expect(page.locator('[data-testid="stAlert"]').first).to_be_visible(timeout=30000)
    r.page_text("boundaries: import refused")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(GOOD))
    settle(page)
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=30000)
    r.page_text("boundaries: import review")
    r.shot("import_review")
    page.get_by_role("button", name={"zh": "保存所选要素", "en": "Store the ticked features"}[r.lang]).click()
    settle(page)
    r.page_text("boundaries: stored")
    page.get_by_role("tab").nth(2).click()
    settle(page)
    page.locator('[data-testid="stDataFrame"]:visible').first.wait_for(timeout=30000)  # the other tabs' are hidden
    r.page_text("boundaries: history")
    r.shot("history")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_speaks_one_language(copy_server, data, lang):
    allowed = allowed_tokens(data) | UPLOADED | {local_name()}  # the user's own name, as their account spells it
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        page = b.new_page(viewport={"width": 1500, "height": 1300})
        external: list[str] = []
        block_external(page, external)
        r = Reader(page, lang, allowed)
        try:
            planner(r, copy_server)
            promoter(r, copy_server)
            boundaries(r, copy_server)
        finally:
            (ART / f"lang_{lang}_text.txt").write_text(
                "\n\n".join(f"=== {k}\n{v}" for k, v in r.seen.items()), encoding="utf-8")
            b.close()
    places = {"planner", "map (labels, legend)", "map tooltip", "planner after a click (details)", "promoter",
              "boundaries: import review", "boundaries: history"}
    assert places <= set(r.seen), sorted(places - set(r.seen))
    assert sum(k.startswith("tab ") for k in r.seen) == 6
    assert not r.leaks, r.leaks
