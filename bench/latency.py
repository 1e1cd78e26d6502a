"""Benchmark: what a planner waits for in the planning map, in headless Chromium on the shipped data.

Four steps, each timed from the user's action to the moment the browser shows its result:

- ``load``: open the page (no basemap tiles, as on an intranet) → the map's features drawn;
- ``filter``: pick the sector 检验检测 in the sidebar → the map shows exactly its parcels;
- ``click``: click the biggest of those parcels → its record in the details panel beside the map;
- ``language``: switch to English → the page and the map's legend in English.

The same steps run against an earlier commit (default: the one before issue 12's work) checked out
in a temporary git worktree, served by the same Python, in the same run, so the two columns are
comparable. Prints a table (medians over ``--reps``) and writes ``bench/latency.json``.

    .venv/bin/python -m bench.latency [--before REV] [--reps 5]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Frame, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser_helpers import CHROMIUM, LAUNCH_ARGS, MAP_IFRAME, streamlit_server  # noqa: E402

BEFORE = "960d2a2"  # main before issue 12 (labels, zoom to selection, fragments)
OUTSIDE = re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)[:/]|data:|blob:|about:)")
SECTOR = "检验检测"
STEPS = ("load", "filter", "click", "language")
TARGETS_S = {"load": 2.0, "filter": 0.5, "click": 0.3, "language": 1.0}


def _idle(page: Page, timeout: float = 60) -> None:
    """Wait until Streamlit has finished running the script (its status widget gone for 300 ms)."""
    end, quiet = time.time() + timeout, 0
    while time.time() < end and quiet < 3:
        quiet = 0 if page.locator('[data-testid="stStatusWidget"]').count() else quiet + 1
        time.sleep(0.1)


DETAILS_SHOW = """(name) => [...document.querySelectorAll('[data-testid="stColumn"]')]
  .some(c => c.innerText.includes('要素详情') && c.innerText.includes(name))"""
IN_MAP = """(test) => [...document.querySelectorAll('""" + MAP_IFRAME + """')]
  .some(f => { const d = f.contentDocument; return !!d && !!d.body && new Function('d', test)(d); })"""
MAP_DRAWN = "return d.querySelectorAll('.leaflet-overlay-pane path, .leaflet-overlay-pane canvas').length > 0"
MAP_ENGLISH = "return /Parcel sector|Legend/.test(d.body.textContent)"
PAGE_SAYS = "(text) => document.querySelector('[data-testid=\"stMain\"]').innerText.includes(text)"


def _shown(page: Page, js: str, arg: str, timeout: float = 30_000) -> None:
    """Wait for a condition on the page, checked every 20 ms (a locator's wait backs off to every
    500 ms, which would be the step's resolution)."""
    page.wait_for_function(js, arg=arg, timeout=timeout, polling=20)


def _map(page: Page, timeout: float = 60_000) -> Frame:
    """The shown map's frame (retried while a rerun replaces the iframe: the old one lingers hidden)."""
    end = time.time() + timeout / 1000
    shown = page.locator(f"{MAP_IFRAME} >> visible=true").last
    while True:
        shown.wait_for(timeout=timeout)
        try:
            frame = shown.element_handle(timeout=1000).content_frame()
        except Exception:  # noqa: BLE001 - detached between the two calls
            frame = None
        if frame is not None or time.time() > end:
            return frame
        time.sleep(0.02)


def _parcels(frame: Frame, n: int, timeout: float = 60_000) -> None:
    frame.wait_for_function(f"() => document.querySelectorAll('path.scimap-parcel').length === {n}",
                            timeout=timeout, polling=20)


def _biggest_parcel_centre(page: Page) -> tuple[float, float]:
    frame = _map(page)
    frame.frame_element().scroll_into_view_if_needed()
    box = frame.evaluate("""() => { let best = null, size = -1;
        document.querySelectorAll('path.scimap-parcel').forEach(p => { const r = p.getBoundingClientRect();
          if (r.width * r.height > size) { size = r.width * r.height; best = r; } });
        return best && {x: best.x + best.width / 2, y: best.y + best.height / 2}; }""")
    off = frame.frame_element().bounding_box()
    return off["x"] + box["x"], off["y"] + box["y"]


def run_once(page: Page, url: str, n_sector: int, name: str, out: dict[str, float]) -> dict[str, float]:
    """One pass of the four steps; seconds per step, written into ``out`` as each completes."""
    t = time.perf_counter()
    page.goto(url + "/?base=none")
    _shown(page, IN_MAP, MAP_DRAWN, timeout=60_000)
    out["load"] = time.perf_counter() - t
    _idle(page)
    ms = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text="赛道")
    ms.click()
    page.keyboard.type(SECTOR)
    t = time.perf_counter()
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    _parcels(_map(page), n_sector)
    out["filter"] = time.perf_counter() - t
    _idle(page)
    time.sleep(1.0)  # let a map that flies to the selection settle
    x, y = _biggest_parcel_centre(page)
    t = time.perf_counter()
    page.mouse.click(x, y)
    _shown(page, DETAILS_SHOW, name)
    out["click"] = time.perf_counter() - t
    _idle(page)
    t = time.perf_counter()
    page.get_by_text("English", exact=True).click()
    _shown(page, PAGE_SAYS, "Projects")
    _shown(page, IN_MAP, MAP_ENGLISH)  # the map's own legend (the iframe is replaced on the switch)
    out["language"] = time.perf_counter() - t
    _idle(page)
    return out


def measure(tree: Path, reps: int, n_sector: int, name: str) -> dict[str, list[float]]:
    """Serve the app of one checkout and time ``reps`` passes (plus one warm-up pass, not counted)."""
    times: dict[str, list[float]] = {s: [] for s in STEPS}
    with streamlit_server(cwd=tree) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        for i in range(reps + 1):
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            # outside requests aborted by pattern: a Python route handler on every local request (what
            # tests.browser_helpers.block_external does, to record them) would add its own latency
            page.route(OUTSIDE, lambda route: route.abort())
            one: dict[str, float] = {}
            try:
                one = run_once(page, url, n_sector, name, one)
            except PlaywrightError as err:  # a step that never completes is reported, not hidden
                failed = next(s for s in STEPS if s not in one)
                page.screenshot(path=str(ROOT / "artifacts" / f"latency_failed_{tree.name}_{i}_{failed}.png"))
                print(f"{tree.name} pass {i}: {failed} did not complete: {str(err).splitlines()[0]}", file=sys.stderr)
                one[failed] = float("nan")
            page.close()
            if i:  # the first pass warms the server's caches
                for s in STEPS:
                    times[s].append(one.get(s, float("nan")))
        browser.close()
    return times


def sector_case() -> tuple[int, str]:
    """How many parcels the sector has in the shipped data, and the name of its biggest one."""
    from geo.io import open_store
    data = open_store().load()
    joined = data.parcels_joined
    hit = joined[joined.sector_zh.fillna("").str.split(";").map(lambda s: SECTOR in s)]
    biggest = hit.iloc[hit.area_mu.argmax()]
    return len(hit), str(biggest.name_zh)


def _no_nan(v: object) -> object:
    """NaN (a step that did not complete) as null, for strict JSON."""
    if isinstance(v, dict):
        return {k: _no_nan(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_no_nan(x) for x in v]
    return None if isinstance(v, float) and v != v else v


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark; print the table; write bench/latency.json."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", default=BEFORE, help="the earlier commit to compare with")
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args(argv)
    n_sector, name = sector_case()
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "before"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(old), args.before],
                       check=True, capture_output=True)
        try:
            runs = {"before": measure(old, args.reps, n_sector, name), "now": measure(ROOT, args.reps, n_sector, name)}
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], capture_output=True)
    med = {k: {s: statistics.median([x for x in v[s] if x == x] or [float("nan")]) for s in STEPS}
           for k, v in runs.items()}
    failures = {k: {s: sum(x != x for x in v[s]) for s in STEPS} for k, v in runs.items()}
    result = {"before_commit": args.before, "reps": args.reps, "targets_s": TARGETS_S, "median_s": med,
              "failed_passes": failures, "runs_s": runs}
    (ROOT / "bench" / "latency.json").write_text(json.dumps(_no_nan(result), indent=1, ensure_ascii=False))
    print(f"{'step':10} {'target':>8} {'before':>8} {'now':>8}  failed (before/now)")
    for s in STEPS:
        print(f"{s:10} {TARGETS_S[s]:8.2f} {med['before'][s]:8.2f} {med['now'][s]:8.2f}  "
              f"{failures['before'][s]}/{failures['now'][s]}")
    return result


if __name__ == "__main__":
    main()
