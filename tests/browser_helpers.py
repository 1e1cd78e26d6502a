"""A real Streamlit server and headless Debian Chromium for browser tests (no skipping)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
MAP_IFRAME = 'iframe[title="ui.mapframe.map"], iframe[title="streamlit_folium.st_folium"]'
"""A map's frame: the planning map's own component (ui.mapframe) or st_folium's (other pages, earlier commits)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(env: dict | None = None, cwd: Path = ROOT):
    """Serve the app of the checkout ``cwd`` on a free local port; yields its URL."""
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(cwd / "server.py"), "--server.port", str(port),
           "--server.headless", "true", "--server.address", "127.0.0.1"]
    log = open(ROOT / "artifacts" / f"streamlit-{port}.log", "w") if (ROOT / "artifacts").exists() else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("streamlit did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def block_external(page, seen: list[str]):
    """Abort every request that leaves this machine, and record it."""
    def handler(route):
        u = route.request.url
        if u.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:", "about:")):
            return route.continue_()
        seen.append(u)
        return route.abort()
    page.route("**/*", handler)


def wait_map(page, timeout=60000):
    page.wait_for_selector(MAP_IFRAME, timeout=timeout)
    return page.frame_locator(MAP_IFRAME).last


MAP_VIEW_JS = """() => { const map = Object.values(window).find(v => v && v instanceof L.Map);
  if (!map) return null;
  const b = map.getBounds(), out = {view: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], zoom: map.getZoom(),
    selected: null, selectedInView: null, parcels: [], popups: document.querySelectorAll('.leaflet-popup').length};
  map.eachLayer(l => {
    if (l.options && l.options.className === 'scimap-selected' && l.getBounds) {
      const s = l.getBounds();
      out.selected = [s.getWest(), s.getSouth(), s.getEast(), s.getNorth()];
      out.selectedInView = b.contains(s);
    }
    if (l.feature && l.feature.properties && l.feature.properties._k === 'p' && l.getBounds) {
      const s = l.getBounds();
      out.parcels.push({id: l.feature.properties.project_id, inView: b.contains(s)});
    }
  });
  return out; }"""
"""The map's view (WGS84 on a WGS84 basemap), the selected outline's bounds and whether the view holds it,
the parcels drawn (id, inside the view), and how many popups are open."""


def map_frame(page, timeout=60000):
    """The map's frame (a ``Frame``, to evaluate JavaScript in)."""
    page.locator(MAP_IFRAME).last.wait_for(timeout=timeout)
    return page.locator(MAP_IFRAME).last.element_handle().content_frame()


def poll_map(page, js: str, cond, timeout: float = 60, frame_timeout: int = 60000) -> dict:
    """``js`` evaluated in the page's map, polled until ``cond(state)`` holds for the dict it returns; fails with
    the last state (or the error while a rerun replaced the frame) when it never does."""
    end, last = time.time() + timeout, None
    while time.time() < end:
        try:
            last = map_frame(page, frame_timeout).evaluate(js)
        except Exception as e:  # noqa: BLE001 - the iframe is being replaced by a rerun
            last = str(e)
        if isinstance(last, dict) and cond(last):
            return last
        time.sleep(0.25)
    raise AssertionError(f"map never reached the expected state: {str(last)[:400]}")


def map_view(page, until=None, timeout: float = 30) -> dict:
    """:data:`MAP_VIEW_JS` in the page's map, polled until ``until(view)`` holds (and the view has stopped
    moving); fails with the last view when it never does."""
    end, last, prev = time.time() + timeout, None, None
    while time.time() < end:
        try:
            last = map_frame(page).evaluate(MAP_VIEW_JS)
        except Exception:  # noqa: BLE001 - the iframe is being replaced by a rerun
            last = None
        if last and (until is None or until(last)) and prev and prev["view"] == last["view"]:
            return last
        prev = last
        time.sleep(0.3)
    raise AssertionError(f"the map never reached the expected view: {str(last)[:400]}")


def contains(outer, inner, tol: float = 1e-7) -> bool:
    """Whether bounds (minx, miny, maxx, maxy) ``outer`` hold ``inner``."""
    return outer[0] <= inner[0] + tol and outer[1] <= inner[1] + tol and outer[2] >= inner[2] - tol and \
        outer[3] >= inner[3] - tol


BIGGEST_PARCEL_JS = """() => { const map = Object.values(window).find(v => v && v instanceof L.Map);
  let best = null, size = -1;
  map.eachLayer(l => { if (!l.feature || l.feature.properties._k !== 'p' || !l.getBounds) return;
    const b = l.getBounds(), a = map.latLngToContainerPoint(b.getNorthWest()), c = map.latLngToContainerPoint(b.getSouthEast());
    const s = Math.abs(c.x - a.x) * Math.abs(c.y - a.y);
    if (s > size) { const m = map.latLngToContainerPoint(l.getCenter());
      size = s; best = {id: l.feature.properties.project_id, name: l.feature.properties._n, x: m.x, y: m.y, px: s}; } });
  return best; }"""
"""The parcel drawn biggest on screen: its id, name and centre (pixels in the map's frame)."""

VISIBLE_LABELS_JS = """() => Array.from(document.querySelectorAll('.scimap-label'))
  .filter(e => e.style.display !== 'none' && e.style.visibility !== 'hidden')
  .map(e => { const r = e.getBoundingClientRect(); return {t: e.textContent.replace('\\n', ''), x0: r.left, y0: r.top, x1: r.right, y1: r.bottom}; })"""
"""The map's names shown now, with their boxes on screen."""


def overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    """Pairs of label boxes (:data:`VISIBLE_LABELS_JS`) that overlap by more than half a pixel."""
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if min(a["x1"], b["x1"]) - max(a["x0"], b["x0"]) > 0.5 and min(a["y1"], b["y1"]) - max(a["y0"], b["y0"]) > 0.5:
                out.append((a["t"], b["t"]))
    return out
