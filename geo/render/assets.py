"""Serve every JS/CSS asset the map uses from the app itself (no CDN).

Folium and its plugins point at public CDNs (jsdelivr, cdnjs …) that are blocked in China and
absent on government intranets: the map frame then stays silently empty. We vendor the npm
packages under static/vendor and rewrite every element's asset links to them.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import folium

from geo.config import ROOT

STATIC_DIR = ROOT / "static"
VENDOR = "vendor"

# CDN URL fragment → path under static/
LOCAL_ASSETS = {
    "leaflet@1.9.3/dist/leaflet.js": "vendor/leaflet/leaflet.js",
    "leaflet@1.9.3/dist/leaflet.css": "vendor/leaflet/leaflet.css",
    "Control.FullScreen.min.js": "vendor/leaflet.fullscreen/Control.FullScreen.js",
    "Control.FullScreen.css": "vendor/leaflet.fullscreen/Control.FullScreen.css",
    "leaflet-measure.min.js": "vendor/leaflet-measure/leaflet-measure.js",
    "leaflet-measure.min.css": "vendor/leaflet-measure/leaflet-measure.css",
    "Control.MiniMap.js": "vendor/leaflet-minimap/Control.MiniMap.min.js",
    "Control.MiniMap.css": "vendor/leaflet-minimap/Control.MiniMap.min.css",
    "leaflet.draw.js": "vendor/leaflet-draw/leaflet.draw.js",
    "leaflet.draw.css": "vendor/leaflet-draw/leaflet.draw.css",
}
# Folium's default page also loads jQuery, Bootstrap, awesome-markers and Font Awesome; the map
# uses none of them (no folium.Icon markers), so they are dropped rather than vendored.
DROP = ("jquery", "bootstrap", "awesome", "glyphicons", "fontawesome")
MIME = {"png": "image/png", "svg": "image/svg+xml", "gif": "image/gif"}


def local_url(cdn_url: str, base: str) -> str | None:
    """The vendored copy of a CDN asset, served from ``base``.

    Parameters
    ----------
    cdn_url : str
        The URL folium or a plugin points at.
    base : str
        URL the vendored files are served from.

    Returns
    -------
    str or None
        None when the asset is not vendored.
    """
    for frag, rel in LOCAL_ASSETS.items():
        if cdn_url.endswith(frag):
            return f"{base.rstrip('/')}/{rel}"
    return None


def localize(m: folium.Map, base: str = "/app/static") -> folium.Map:
    """Point the map's and every child element's ``default_js``/``default_css`` at ``base``.

    Parameters
    ----------
    m : folium.Map
    base : str, default "/app/static"
        URL the vendored files are served from.

    Returns
    -------
    folium.Map
        The same map, changed in place.

    Raises
    ------
    ValueError
        An element loads an asset that has no vendored copy.
    """
    def fix(links: list[tuple[str, str]]) -> list[tuple[str, str]]:
        out = []
        for name, url in links:
            if any(d in name.lower() or d in url.lower() for d in DROP):
                continue
            if url.startswith(base.rstrip("/") + "/"):
                out.append((name, url))  # already local
                continue
            loc = local_url(url, base)
            if loc is None:
                raise ValueError(f"asset {name} ({url}) has no local copy in static/{VENDOR}: vendor it first")
            out.append((name, loc))
        return out

    stack = [m]
    while stack:
        el = stack.pop()
        for attr in ("default_js", "default_css"):
            if getattr(el, attr, None):
                setattr(el, attr, fix(getattr(el, attr)))
        stack.extend(el._children.values())
    return m


def inline_assets(html: str, base: str = "/app/static") -> str:
    """Replace ``<script src>``/``<link href>`` pointing at ``base`` by the files' contents.

    For self-contained HTML exports that must open offline; images a stylesheet refers to become
    data URIs.

    Parameters
    ----------
    html : str
        A rendered page.
    base : str, default "/app/static"
        URL the vendored files were linked from.

    Returns
    -------
    str
    """
    b = re.escape(base.rstrip("/"))
    html = re.sub(r'<script src="(' + b + r'/[^"]+)"></script>',
                  lambda mt: "<script>" + _static_file(mt.group(1), base).read_text(encoding="utf-8") + "</script>", html)
    return re.sub(r'<link rel="stylesheet" href="(' + b + r'/[^"]+)"\s*/?>',
                  lambda mt: "<style>" + _inline_css(_static_file(mt.group(1), base)) + "</style>", html)


def _static_file(url: str, base: str) -> Path:
    return STATIC_DIR / url[len(base.rstrip("/")) + 1:]


def _inline_css(path: Path) -> str:
    """A vendored stylesheet with the images it refers to as data URIs."""
    def data_uri(m: re.Match) -> str:
        ref = m.group(1).strip("'\"")
        f = path.parent / ref
        if ref.startswith(("data:", "#", "http")) or not f.is_file():
            return m.group(0)
        mime = MIME.get(f.suffix[1:], "application/octet-stream")
        return f"url(data:{mime};base64,{base64.b64encode(f.read_bytes()).decode()})"

    return re.sub(r"url\(([^)]+)\)", data_uri, path.read_text(encoding="utf-8"))


def external_hosts(text: str) -> set[str]:
    """Hosts a page would load from.

    ``<script src>``, ``<link href>``, ``<img>``/``<iframe>``/``<source>`` src and CSS ``url()``.
    Hyperlinks (``<a href>``, e.g. Leaflet's attribution) load nothing and are not counted.

    Parameters
    ----------
    text : str
        A rendered page.

    Returns
    -------
    set of str
    """
    urls = re.findall(r'<(?:script|img|iframe|source|embed)\b[^>]*\bsrc\s*=\s*["\'](https?://[^"\']+)', text, re.I)
    urls += re.findall(r'<link\b[^>]*\bhref\s*=\s*["\'](https?://[^"\']+)', text, re.I)
    urls += re.findall(r'url\(\s*["\']?(https?://[^)"\']+)', text)
    return {re.match(r"https?://([^/:]+)", u).group(1) for u in urls}

