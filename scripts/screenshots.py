"""README screenshots of the planning map, taken in headless Debian Chromium on the shipped data with no
basemap (what an intranet sees): ``python scripts/screenshots.py [--out docs/img]``.

Each view is a shareable link of the app, so a screenshot can be reproduced by opening the same URL.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser_helpers import CHROMIUM, LAUNCH_ARGS, MAP_IFRAME, block_external, streamlit_server  # noqa: E402

VIEWS = {
    "planner_zh": "/?base=none",
    "planner_zh_sector": "/?base=none&sector=检验检测&sel=HTS-T4-01",
    "planner_zh_liangjiang": "/?base=none&plan=LJ",
    "planner_en_district": "/?base=none&lang=en&district=渝中区",
}
"""File name → the app's link (path and query)."""


def settle(page, timeout: float = 60) -> None:
    """Wait until the script has stopped running and the map has drawn."""
    page.wait_for_selector(MAP_IFRAME, timeout=timeout * 1000)
    end, quiet = time.time() + timeout, 0
    while time.time() < end and quiet < 6:
        quiet = 0 if page.locator('[data-testid="stStatusWidget"]').count() else quiet + 1
        time.sleep(0.25)
    time.sleep(2.0)  # the map's fly-to animation and the label layout


def main(argv: list[str] | None = None) -> list[Path]:
    """Take the screenshots; returns their paths."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "docs" / "img"), help="folder for the PNG files")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (ROOT / "artifacts").mkdir(exist_ok=True)
    shots = []
    with streamlit_server() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        for name, link in VIEWS.items():
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            block_external(page, [])
            page.goto(url + link)
            settle(page)
            path = out / f"{name}.png"
            page.screenshot(path=str(path))
            shots.append(path)
            page.close()
        browser.close()
    for s in shots:
        print(s.relative_to(ROOT))
    return shots


if __name__ == "__main__":
    main()
