"""The planning map in a real browser: Streamlit + headless Debian Chromium via Playwright.

Fails (never skips) when /usr/bin/chromium is missing: scripts/test.sh installs it.
"""

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from geo.core.filter import Filter, apply_filter, bounds_of
from tests.browser_helpers import (
    BIGGEST_PARCEL_JS,
    CHROMIUM,
    LAUNCH_ARGS,
    VISIBLE_LABELS_JS,
    block_external,
    contains,
    map_frame,
    map_view,
    overlapping,
    streamlit_server,
    wait_map,
)
from tests.test_i18n import CJK

ROOT = Path(__file__).resolve().parents[2]
ART = ROOT / "artifacts"


@pytest.fixture(scope="module")
def server():
    ART.mkdir(exist_ok=True)
    with streamlit_server() as url:
        yield url


@pytest.fixture(scope="module")
def chromium_browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield b
        b.close()


def count(frame, selector, expected, timeout=30):
    end = time.time() + timeout
    n = -1
    while time.time() < end:
        n = frame.locator(selector).count()
        if n == expected:
            return n
        time.sleep(0.2)
    return n


def largest_parcel(frame):
    """The parcel drawn biggest on screen (small ones are a few pixels at district zoom)."""
    frame.owner.scroll_into_view_if_needed()  # a page scroll between mousedown and mouseup would lose the click
    paths = frame.locator("path.scimap-parcel")
    end = time.time() + 20
    while time.time() < end:
        boxes = [(paths.nth(i).bounding_box() or {"width": 0, "height": 0}) for i in range(paths.count())]
        sizes = [b["width"] * b["height"] for b in boxes]
        if sizes and max(sizes) > 400:  # ≥ 20 × 20 px: the map has flown to the hit
            return paths.nth(sizes.index(max(sizes)))
        time.sleep(0.3)
    raise AssertionError(f"no parcel drawn large enough to click: {sizes}")


def test_labels_filter_fits_click_selects_and_language_switches(server, chromium_browser, data):
    page = chromium_browser.new_page(viewport={"width": 1500, "height": 1400})
    external: list[str] = []
    block_external(page, external)
    page.goto(server + "/?base=none")
    frame = wait_map(page)
    n_parcels = len(data.parcels)
    assert count(frame, "path.scimap-parcel", n_parcels) == n_parcels
    expect(page.get_by_text("项目数").first).to_be_visible()
    # names on the map: several, in Chinese, none on top of another
    map_view(page)
    names = map_frame(page).evaluate(VISIBLE_LABELS_JS)
    assert len(names) >= 4 and all(CJK.search(n["t"]) for n in names), names
    assert not overlapping(names)

    # a filter change fits the map to what it selects: 集成电路 (places the plans name, close together) …
    ms = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').nth(2)

    def pick_sector(name: str, replace: bool = False) -> tuple[float, ...]:
        ms.click()
        if replace:
            page.keyboard.press("Backspace")
        page.keyboard.type(name)
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        return bounds_of(data, apply_filter(data, Filter(sectors=[name])))

    want = pick_sector("集成电路")
    v = map_view(page, until=lambda v: v["zoom"] >= 13 and contains(v["view"], want))
    expect(page.get_by_text(re.compile("筛选涉及 \\d+ / \\d+ 个片区")).first).to_be_visible(timeout=15000)  # which zones
    # … then 检验检测: its three parcels (HTS 表4) and the places of its other projects, all in view
    hit = data.parcels_joined[data.parcels_joined.sector_zh.fillna("").str.split(";").map(lambda s: "检验检测" in s)]
    want = pick_sector("检验检测", replace=True)
    frame = wait_map(page)
    assert count(frame, "path.scimap-parcel", len(hit)) == len(hit) == 3
    v = map_view(page, until=lambda v: contains(v["view"], want) and len(v["parcels"]) == 3)
    assert all(p["inView"] for p in v["parcels"])
    expect(page).to_have_url(re.compile("sector=%E6%A3%80|sector=检验检测"), timeout=15000)  # the filter is in the link
    page.screenshot(path=str(ART / "browser_zh_filtered.png"))

    # search: the hit is selected, outlined, in view, its record beside the map
    box = page.locator('[data-testid="stTextInput"] input').first
    box.fill("国家质检基地")
    box.press("Enter")
    details = page.locator('[data-testid="stColumn"]').filter(has_text="要素详情").last
    expect(details.get_by_text("来源表格/章节").first).to_be_visible(timeout=20000)
    v = map_view(page, until=lambda v: v["selected"] is not None and v["selectedInView"])

    # a click on the biggest parcel selects it the same way: no popup, the record beside the map, still in view
    map_frame(page).frame_element().scroll_into_view_if_needed()
    pick = map_frame(page).evaluate(BIGGEST_PARCEL_JS)
    off = map_frame(page).frame_element().bounding_box()
    page.mouse.click(off["x"] + pick["x"], off["y"] + pick["y"])
    expect(details.get_by_text(pick["name"]).first).to_be_visible(timeout=20000)
    own = data.parcels.set_index("project_id").geometry[pick["id"]].bounds
    v = map_view(page, until=lambda v: v["selected"] is not None and contains(v["selected"], own, 1e-6)
                 and v["selectedInView"])
    assert v["popups"] == 0
    page.wait_for_timeout(1500)  # after the rerun, the selection is still in view
    v = map_view(page)
    assert v["selectedInView"] and contains(v["selected"], own, 1e-6) and v["popups"] == 0
    page.screenshot(path=str(ART / "browser_zh_clicked.png"))

    # language switch: labels, legend and details follow; the filter and the selection stay
    page.get_by_text("English", exact=True).click()
    expect(page.get_by_text("Projects").first).to_be_visible(timeout=20000)
    frame = wait_map(page)
    expect(frame.locator(".scimap-legend")).to_contain_text("Parcel sector", timeout=20000)
    assert count(frame, "path.scimap-parcel", 3) == 3  # the filter survives the language switch
    en_details = page.locator('[data-testid="stColumn"]').filter(has_text="Feature details").last
    expect(en_details.get_by_text("Source document").first).to_be_visible(timeout=20000)
    v = map_view(page, until=lambda v: v["selected"] is not None)
    assert v["selectedInView"]
    names = map_frame(page).evaluate(VISIBLE_LABELS_JS)
    assert names and not overlapping(names)
    assert all(re.match(r"[A-Za-z0-9]", n["t"]) for n in names), names  # English names first
    page.screenshot(path=str(ART / "browser_en.png"))
    expect(page).to_have_url(re.compile("lang=en"), timeout=15000)
    assert external == [], f"the page reached outside this machine: {sorted(set(external))[:5]}"
    page.close()


def test_shared_link_reopens_the_same_view(server, chromium_browser):
    page = chromium_browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server + "/?base=none&sector=数字文创&lang=en&sel=HTS-T5-08")
    frame = wait_map(page)
    assert count(frame, "path.scimap-parcel", 7) == 7  # 表5 has 7 rows with land area
    expect(page.get_by_text("虎溪山村文创基地").first).to_be_visible(timeout=20000)  # details of the selected parcel
    assert count(frame, "path.scimap-selected", 1) == 1
    page.close()


def test_pages_have_their_own_paths_and_old_links_follow(server, chromium_browser):
    page = chromium_browser.new_page(viewport={"width": 1400, "height": 1000})
    external: list[str] = []
    block_external(page, external)
    page.goto(server + "/promoter?base=none&firm=Acme")
    expect(page.get_by_text("招商推介：为企业匹配地块")).to_be_visible(timeout=60000)
    expect(page.get_by_label("企业名称")).to_have_value("Acme", timeout=20000)
    page.screenshot(path=str(ART / "browser_promoter_path.png"))
    page.goto(server + "/boundaries?base=none")
    expect(page.get_by_text("数据维护：导入测绘边界与数字化")).to_be_visible(timeout=60000)
    page.screenshot(path=str(ART / "browser_boundaries_path.png"))

    # links from before the pages had paths open the page they meant, with their other parameters
    page.goto(server + "/?mode=promoter&base=none&firm=Acme&fmin=50")
    expect(page).to_have_url(re.compile(r"/promoter\?(.*&)?firm=Acme"), timeout=30000)
    expect(page.get_by_text("招商推介：为企业匹配地块")).to_be_visible(timeout=60000)
    expect(page.get_by_label("用地需求下限（亩）")).to_have_value("50.00", timeout=20000)
    assert "mode=" not in page.url
    page.goto(server + "/?mode=edit&base=none")
    expect(page).to_have_url(re.compile(r"/boundaries\?base=none$"), timeout=30000)
    expect(page.get_by_text("数据维护：导入测绘边界与数字化")).to_be_visible(timeout=60000)

    # the navigation replaces the mode switch: titled in the language, and the map's filter survives a visit
    page.goto(server + "/?base=none&sector=检验检测")
    frame = wait_map(page)
    assert count(frame, "path.scimap-parcel", 3) == 3
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav).to_contain_text("规划浏览")
    nav.get_by_text("招商推介").click()
    expect(page).to_have_url(re.compile(r"/promoter"), timeout=30000)
    expect(page.get_by_text("招商推介：为企业匹配地块")).to_be_visible(timeout=60000)
    page.get_by_text("English", exact=True).click()
    expect(page.get_by_text("Investment promotion: parcels for a prospective firm")).to_be_visible(timeout=30000)
    expect(nav).to_contain_text("Planning map", timeout=20000)
    nav.get_by_text("Planning map").click()
    frame = wait_map(page)
    expect(page.get_by_text("Projects").first).to_be_visible(timeout=30000)
    assert count(frame, "path.scimap-parcel", 3) == 3
    expect(page).to_have_url(re.compile("sector="), timeout=15000)
    page.screenshot(path=str(ART / "browser_en_back_to_map.png"))
    assert external == [], sorted(set(external))[:5]
    page.close()
