"""The planning map's Leaflet frame: streamlit-folium's front end, fed a base map rendered once.

``st_folium`` renders the whole folium map to JavaScript on every run (~0.1–0.25 s for the planning
map's ~80 layers) on a deep copy of the base map (it renumbers the map's elements as it renders them),
and its front end waits :data:`ORIGINAL_DELAY_MS` after every click or pan before the server hears of
it. Here:

- a base map is rendered **once** per base-map key (:class:`RenderedBase`, shared by every session
  through :class:`ui.mapcache.SharedMaps`); a run renders only the layers swapped in (parcels,
  highlight) and the layer control, against the rendered map, and then takes them off it again;
- the front end is streamlit-folium's own build, vendored in :data:`FRONTEND` (served by the app,
  like every other asset) with two changes: a click or a pan is reported after
  :data:`REPORT_DELAY_MS` instead of 250 ms (the click on a feature and the click on the map, and a
  zoom's ``zoomend`` and ``moveend``, fire in the same few milliseconds: they are still one report);
  and the map jumps to a selection instead of panning there in an animation that reported twice.
  :func:`patched_bundle` is those changes; ``python -m ui.mapframe`` writes the vendored copy from
  the installed, pinned streamlit-folium, and a test checks the shipped copy is exactly that.

The returned value, the component's key and its reruns are those of ``st_folium`` (the same
front end), so :mod:`ui.planner_map` reads clicks, bounds and zoom as before.
"""

from __future__ import annotations

import copy
import hashlib
import re
import shutil
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import folium
import streamlit as st
import streamlit.components.v1 as components
import streamlit_folium as sf
from streamlit import runtime

from geo.config import ROOT

FRONTEND = ROOT / "static" / "vendor" / "streamlit-folium"
"""The vendored, patched front end (index.html, static/js/main.*.js, licence)."""
ORIGINAL_DELAY_MS = 250
"""streamlit-folium's wait before reporting an interaction (an underscore.js ``debounce``)."""
REPORT_DELAY_MS = 20
"""Ours: long enough to merge the events of one click or one zoom, short enough not to be felt."""
_DEBOUNCE = re.compile(r"\(updateComponentValue,(\d+)\)")
_FLY = "view_changed&&window.map.setView(new_center,new_zoom)"
"""Where the front end moves the map to the centre and zoom the server asks for: animated, a pan is reported
twice (an interrupted animation ends with a ``moveend`` of its own), so each move cost two reruns."""
_JUMP = "view_changed&&window.map.setView(new_center,new_zoom,{animate:!1})"
_RENDER = "finalizeOnRender=()=>{if(window.map){"
"""Where each render of the frame begins once the map exists: streamlit-folium reads ``returned_objects`` only on the
first render, so a page that reports less later (the tiled parcel layer: no pan or zoom reports) kept reporting it."""
_RENDER_FOLLOWS = _RENDER + "window.__GLOBAL_DATA__.returned_objects=returned_objects;"

_component = components.declare_component("map", path=str(FRONTEND))
COMPONENT_NAME = _component.name
"""The component's name in the page (``ui.mapframe.map``; the title of its iframe)."""


def installed_build() -> Path:
    """The front-end build of the installed streamlit-folium package."""
    return Path(sf.__file__).resolve().parent / "frontend" / "build"


def patched_bundle(js: str) -> str:
    """streamlit-folium's ``main.*.js`` with the report delay :data:`REPORT_DELAY_MS`, moving the map to
    where the server asks without an animation (one report per move), and reporting what the latest render
    asks for (``returned_objects``), not what the first one did.

    Parameters
    ----------
    js : str
        The bundle as shipped by streamlit-folium.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        When the bundle does not debounce ``updateComponentValue`` by :data:`ORIGINAL_DELAY_MS` exactly
        once (another streamlit-folium version: look at it before vendoring it).
    """
    found = _DEBOUNCE.findall(js)
    if found != [str(ORIGINAL_DELAY_MS)]:
        raise ValueError(f"streamlit-folium's bundle debounces updateComponentValue by {found} ms, expected "
                         f"[{ORIGINAL_DELAY_MS}]: not vendored")
    if js.count(_FLY) != 1:
        raise ValueError(f"streamlit-folium's bundle moves the map {js.count(_FLY)} times by setView, expected 1: "
                         "not vendored")
    if js.count(_RENDER) != 1:
        raise ValueError(f"streamlit-folium's bundle has {js.count(_RENDER)} render hooks, expected 1: not vendored")
    return _DEBOUNCE.sub(f"(updateComponentValue,{REPORT_DELAY_MS})", js).replace(_FLY, _JUMP).replace(_RENDER, _RENDER_FOLLOWS)


def vendor(target: Path = FRONTEND) -> list[Path]:
    """Write the patched front end from the installed streamlit-folium into ``target``.

    Returns
    -------
    list of Path
        The files written (the source map and the unused Bootstrap stylesheet are left out; ``LICENSE``,
        streamlit-folium's MIT licence, is kept: the wheel does not carry it).
    """
    build = installed_build()
    bundles = sorted((build / "static" / "js").glob("main.*.js"))
    if len(bundles) != 1:
        raise ValueError(f"{build}: expected one main.*.js, found {len(bundles)}")
    js_dir = target / "static" / "js"
    if js_dir.exists():
        shutil.rmtree(js_dir)
    js_dir.mkdir(parents=True)
    bundle = js_dir / bundles[0].name
    shutil.copyfile(build / "index.html", target / "index.html")
    bundle.write_text(patched_bundle(bundles[0].read_text(encoding="utf-8")), encoding="utf-8")
    notices = bundle.with_name(bundle.name + ".LICENSE.txt")  # the licences of what the bundle contains
    shutil.copyfile(bundles[0].with_name(notices.name), notices)
    return [target / "index.html", bundle, notices]


def _links(elements: Iterable[Any]) -> tuple[list[str], list[str]]:
    """The CSS and JS links of the elements and everything under them (as ``st_folium`` collects them)."""
    css: list[str] = []
    js: list[str] = []
    todo = list(elements)
    while todo:
        e = todo.pop(0)
        css.extend(href for _, href in getattr(e, "default_css", []))
        js.extend(src for _, src in getattr(e, "default_js", []))
        todo[:0] = list(getattr(e, "_children", {}).values())
    return list(dict.fromkeys(css)), list(dict.fromkeys(js))


@dataclass
class RenderedBase:
    """A base map rendered once: what the front end needs of it, and the rendered map to add overlays to.

    Parameters
    ----------
    m : folium.Map
        A never-rendered base map (left untouched: a copy is rendered).
    """

    m: folium.Map
    html: str = ""
    header: str = ""
    script: str = ""
    script_bytes: bytes = b""
    map_id: str = ""
    bounds: Any = None
    zoom: Any = None
    css: list[str] = field(default_factory=list)
    js: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        m = self.m = copy.deepcopy(self.m)
        m.get_root().render()
        m.render()
        self.html, self.header = sf._get_html(m), sf._get_header(m)
        self.script = sf._get_map_string(m)  # renames the map's elements (the map becomes ``map_div``)
        # the served file begins with the script's full digest: Streamlit names media files by a hash that
        # samples only the head, middle and tail of files over 1 MiB, and two maps differing elsewhere must
        # never share a name (a session would draw another's map)
        digest = hashlib.sha256(self.script.encode("utf-8")).hexdigest()
        self.script_bytes = f"// sha256 {digest}\n{self.script}".encode()
        self.map_id = sf.get_full_id(m)
        try:
            self.bounds = m.get_bounds()
        except AttributeError:
            self.bounds = [[None, None], [None, None]]
        self.zoom = m.options.get("zoom")
        self.css, self.js = _links([m])

    def overlays(self, groups: Sequence[folium.FeatureGroup], control: folium.LayerControl | None) -> tuple[str, str | None, list[str], list[str]]:
        """The scripts adding ``groups`` and the layer control to the map, and the groups' own links.

        The groups and the control are rendered against the rendered map (the control lists its layers)
        and taken off it again, with whatever their rendering added to the page: the map stays as it was
        rendered, for the next run of any session.

        Returns
        -------
        (str, str or None, list of str, list of str)
            The groups' script, the control's script, CSS links, JS links.
        """
        m = self.m
        root = m.get_root()
        parts = [p for p in (getattr(root, "header", None), getattr(root, "html", None), getattr(root, "script", None)) if p is not None]
        with self.lock:
            kept = OrderedDict(m._children), [OrderedDict(p._children) for p in parts]
            try:
                groups_js = "".join(sf._get_feature_group_string(g, map=m, idx=i) for i, g in enumerate(groups))
                control_js = sf._get_layer_control_string(control, m) if control is not None else None
            finally:
                m._children = kept[0]
                for p, children in zip(parts, kept[1]):
                    p._children = children
        css, js = _links(groups)
        return groups_js, control_js, css, js


def script_url(base: RenderedBase, coordinates: str) -> str | None:
    """The base map's script as a file the server serves (Streamlit's media files, held in memory for as
    long as a session shows the map), or None outside a running server (``AppTest``, bare mode).

    A file instead of the component's ``script`` argument: every rerun sends the component all its
    arguments, and the base map is ~0.4 MB of the ~0.42 MB a click used to send; the browser fetches
    the file once per map (content-addressed: the same map is the same URL for every session).

    Parameters
    ----------
    base : RenderedBase
    coordinates : str
        The map element's position in the page (Streamlit drops the file when no element holds it).
    """
    if not runtime.exists():
        return None
    return runtime.get_instance().media_file_mgr.add(base.script_bytes, "application/javascript", coordinates)


def leaflet_map(base: RenderedBase, *, key: str, height: int, groups: Sequence[folium.FeatureGroup] = (),
                layer_control: folium.LayerControl | None = None, returned_objects: Sequence[str] = (),
                center: tuple[float, float] | None = None, zoom: int | None = None) -> dict[str, Any] | None:
    """Show the rendered base map with ``groups`` swapped in; the map's report, as ``st_folium`` returns it.

    Parameters
    ----------
    base : RenderedBase
    key : str
        The session-state key the report is also kept under (``st.session_state[key]``).
    height : int
        Pixels.
    groups : sequence of folium.FeatureGroup
        Layers replaced on every run without reloading the map.
    layer_control : folium.LayerControl, optional
    returned_objects : sequence of str
        What the map reports (``last_object_clicked_tooltip``, ``bounds``, ``zoom``, ``center`` …).
    center, zoom : optional
        Where the map moves to without reloading.

    Returns
    -------
    dict or None
    """
    groups_js, control_js, css, js = base.overlays(groups, layer_control)
    hash_key = sf.generate_js_hash(base.script, key, False)
    script, js = base.script, list(dict.fromkeys(base.js + js))
    if url := script_url(base, st._main._get_delta_path_str()):  # the map's own position in the page
        script, js = "", [*js, url]

    def remember() -> None:
        st.session_state[key] = st.session_state.get(hash_key, {})

    sw, ne = base.bounds
    defaults = {"last_object_clicked_tooltip": None, "zoom": base.zoom, "center": None,
                "bounds": {"_southWest": {"lat": sw[0], "lng": sw[1]}, "_northEast": {"lat": ne[0], "lng": ne[1]}},
                "last_clicked": None, "last_object_clicked": None}
    return _component(script=script, header=base.header, html=base.html, id=base.map_id, key=hash_key,
                      height=height, width=None, returned_objects=list(returned_objects),
                      default={k: v for k, v in defaults.items() if k in returned_objects},
                      zoom=zoom, center=center, feature_group=groups_js or None, return_on_hover=False,
                      layer_control=control_js, pixelated=False, css_links=list(dict.fromkeys(base.css + css)),
                      js_links=js, on_change=remember, wrap_longitude=False)


if __name__ == "__main__":  # python -m ui.mapframe: vendor the patched front end
    for path in vendor():
        print(path.relative_to(ROOT), file=sys.stdout)
