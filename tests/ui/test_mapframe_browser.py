"""The planning map's frame in Chromium: the base map arrives as one script file, fetched once; a click
on a parcel sends the server its id at once and gets back only the swapped-in layers, not the base map."""

from __future__ import annotations

import re
import time

from playwright.sync_api import sync_playwright

from tests.browser_helpers import (
    BIGGEST_PARCEL_JS,
    CHROMIUM,
    LAUNCH_ARGS,
    block_external,
    map_frame,
    map_view,
    streamlit_server,
)

RECORD_WS = """() => { window.__frames = []; const Orig = window.WebSocket;
  window.WebSocket = function(...a) { const ws = new Orig(...a);
    ws.addEventListener('message', e => window.__frames.push(['in', performance.now(), e.data.byteLength || e.data.size || 0]));
    const send = ws.send.bind(ws); ws.send = d => { window.__frames.push(['out', performance.now(), d.byteLength || d.length || 0]); return send(d); };
    return ws; };
  window.WebSocket.prototype = Orig.prototype; Object.assign(window.WebSocket, Orig); }"""


def test_base_map_is_one_script_file_and_a_click_sends_only_the_layers(data):
    sector = "检验检测"
    with streamlit_server() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        ctx = browser.new_context(viewport={"width": 1500, "height": 1100})
        ctx.add_init_script(f"({RECORD_WS})()")
        page = ctx.new_page()
        outside: list[str] = []
        block_external(page, outside)
        media: list[tuple[str, str]] = []
        page.on("response", lambda r: media.append((r.url, r.headers.get("content-type", "")))
                if re.search(r"^https?://[^/]+/media/", r.url) else None)
        page.goto(url + "/?base=none")
        map_view(page, until=lambda v: len(v["parcels"]) > 0)
        picker = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text="赛道")
        picker.click()
        page.keyboard.type(sector)
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        expected = {pid for pid, sectors in zip(data.parcels_joined.project_id, data.parcels_joined.sector_zh.fillna(""))
                    if sector in sectors.split(";")}
        map_view(page, until=lambda v: {x["id"] for x in v["parcels"]} == expected)
        assert len(media) == 1 and media[0][0].endswith(".js") and "javascript" in media[0][1], media
        script = map_frame(page).evaluate("() => Array.from(document.scripts).map(s => s.src).filter(s => /^https?:\\/\\/[^/]+\\/media\\//.test(s))")
        assert script == [media[0][0]]  # the frame ran the base map from that file

        time.sleep(1.0)
        map_frame(page).frame_element().scroll_into_view_if_needed()  # a click outside the viewport is lost
        pick = map_frame(page).evaluate(BIGGEST_PARCEL_JS)
        frame_box = map_frame(page).frame_element().bounding_box()
        page.evaluate("() => { window.__frames = []; }")
        clicked = time.perf_counter()
        page.mouse.click(frame_box["x"] + pick["x"], frame_box["y"] + pick["y"])
        page.wait_for_function("(name) => [...document.querySelectorAll('[data-testid=\"stColumn\"]')]"
                               ".some(c => c.innerText.includes('要素详情') && c.innerText.includes(name))",
                               arg=pick["name"], timeout=30_000)
        took = time.perf_counter() - clicked
        time.sleep(1.5)  # the map settles (it centres on the parcel and reports its new view)
        frames = page.evaluate("window.__frames")
        sent = [f for f in frames if f[0] == "out"]
        received = sum(f[2] for f in frames if f[0] == "in")
        assert sent, "the click was never reported"
        assert received < 150_000, f"{received} bytes came back after a click: the base map was sent again"
        assert len(media) == 1, f"the base map script was fetched again: {media}"
        assert not outside, outside
        print(f"click → record shown {took:.2f} s; {received} bytes back over {len(sent)} report(s)")
        browser.close()
