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
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(env: dict | None = None, cwd: Path = ROOT):
    """Serve the app of the checkout ``cwd`` on a free local port; yields its URL."""
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(cwd / "app.py"), "--server.port", str(port),
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
