"""Digitising in Chromium: draw a polygon on the map, see its area in 亩, store it, undo it.
The server works on a copy of the data (SCIMAP_DATA_DIR / SCIMAP_LAYERS_DIR)."""

import json
import shutil
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from geo.io.audit import FileAuditLog
from tests.browser_helpers import CHROMIUM, LAUNCH_ARGS, streamlit_server, wait_map
from ui.auth import local_name

ROOT = Path(__file__).resolve().parents[2]
ART = ROOT / "artifacts"


@pytest.fixture(scope="module")
def copy_server(tmp_path_factory):
    ART.mkdir(exist_ok=True)
    tmp = tmp_path_factory.mktemp("edit")
    local = shutil.ignore_patterns(".store.lock", "audit.jsonl*")  # a working copy's, never in a clone
    shutil.copytree(ROOT / "data", tmp / "data", ignore=local)
    shutil.copytree(ROOT / "layers", tmp / "layers", ignore=local)
    env = {"SCIMAP_DATA_DIR": str(tmp / "data"), "SCIMAP_LAYERS_DIR": str(tmp / "layers"),
           "SCIMAP_SNAPSHOT_DIR": str(tmp / "snapshots"), "SCIMAP_LOCAL_EDITING": "1"}  # no sign-in: local editing
    with streamlit_server(env) as url:
        yield url, tmp


def parcel(tmp: Path, pid: str) -> dict:
    fc = json.loads((tmp / "data" / "parcels.geojson").read_text(encoding="utf-8"))
    return next(f for f in fc["features"] if f["properties"]["project_id"] == pid)


def test_digitise_store_and_undo(copy_server):
    url, tmp = copy_server
    before = parcel(tmp, "HTS-S35-01")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        page = b.new_page(viewport={"width": 1400, "height": 1400})
        page.goto(url + "/boundaries?base=none")
        expect(page.get_by_text("数据维护：导入测绘边界与数字化")).to_be_visible(timeout=60000)
        frame = wait_map(page)
        frame.locator(".leaflet-draw-draw-polygon").wait_for(timeout=30000)
        iframe = page.locator('iframe[title="streamlit_folium.st_folium"]').last
        iframe.scroll_into_view_if_needed()
        time.sleep(1)
        box = iframe.bounding_box()
        cx, cy = box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5
        frame.locator(".leaflet-draw-draw-polygon").click()
        pts = [(cx - 80, cy - 60), (cx + 80, cy - 60), (cx + 80, cy + 60), (cx - 80, cy + 60)]
        for x, y in pts:
            page.mouse.click(x, y)
            time.sleep(0.3)
        page.mouse.click(*pts[0])  # close the ring
        area = page.locator("[data-testid='drawn-area']")
        expect(area).to_be_visible(timeout=30000)
        mu = float(area.inner_text())
        assert 10 < mu < 5000
        page.screenshot(path=str(ART / "digitise_drawn.png"))
        page.get_by_role("button", name="保存为数字化边界").click()
        expect(page.get_by_text("已保存").first).to_be_visible(timeout=30000)
        stored = parcel(tmp, "HTS-S35-01")
        assert stored["properties"]["geometry_source"] == "digitised"
        assert abs(stored["properties"]["area_mu"] - mu) / mu < 0.01
        # the map now draws the stored outline (a digitised parcel is drawn with a solid line)
        frame = wait_map(page)
        expect(frame.locator("path.scimap-parcel:not([stroke-dasharray])")).to_have_count(1, timeout=30000)
        # undo from the history tab
        page.get_by_role("tab", name="修改记录").click()
        page.get_by_role("button", name="撤销所选修改").click()
        expect(page.get_by_text("已撤销").first).to_be_visible(timeout=30000)
        after = parcel(tmp, "HTS-S35-01")
        assert after["properties"] == before["properties"] and after["geometry"] == before["geometry"]
        b.close()
    # both are in the audit trail, chained, by the local user (not verified: nobody signed in), from the browser
    log = FileAuditLog(tmp / "data" / "audit.jsonl")
    records, problems = log.read()
    assert not problems and log.verify() == []
    save, undo = records
    assert (save["action"], undo["action"]) == ("save", "undo")
    assert save["who"] == undo["who"] == local_name() and not save["verified"] and save["client"] is None  # a local browser
    assert save["details"]["ids"] == ["HTS-S35-01"] and save["details"]["source"] == "digitised"
    assert undo["details"]["changes"] == save["details"]["changes"]
