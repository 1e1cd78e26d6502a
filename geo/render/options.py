"""What a map shows and how: language, basemap, thematic layer, view, assets, renderer."""

from __future__ import annotations

from dataclasses import dataclass, field

from geo.render import basemaps

DEFAULT_CENTER = (29.55, 106.36)  # between 西永 and 金凤
DEFAULT_ZOOM = 11


@dataclass
class MapOptions:
    """Options of one map; every layer of a page is built with the same options.

    Attributes
    ----------
    lang : {"zh", "en"}
    basemap : str
        A key of :data:`geo.render.basemaps.BASEMAPS`; overlays follow its datum (GCJ-02 on Gaode).
    thematic : {"none", "land", "output", "per_mu"}
        Zones classified by Σ land, Σ output target or output per 亩 of the selected projects.
    thematic_layer : str
        The layer whose zones are classified (the others stay outlines).
    tianditu_key : str
        Tianditu's ``tk`` (its basemaps need one).
    center, zoom
        The view at start (WGS84 lat, lon).
    asset_base : str
        URL the vendored JS/CSS are served from.
    height : int
        Map height in pixels.
    show_layers : list of str
        Layer ids shown at start ([]: the catalogue's defaults).
    prefer_canvas : bool
        Canvas renderer: one ``<canvas>`` instead of a DOM path per feature (district scale).
    labels : bool
        Zone, place and parcel names on the map, by scale, never overlapping
        (:mod:`geo.render.layers.labels`).
    popups : bool
        Clicking a feature opens its record in a popup (HTML exports); off, a feature has only its
        compact tooltip (the app shows the record beside the map).
    focus_plans : tuple of str
        Plans (``source_doc``) the user filtered: their layers are shown at start even when hidden by
        default, and their zones without a position are drawn at their parent's place.
    """

    lang: str = "zh"
    basemap: str = basemaps.DEFAULT
    thematic: str = "none"
    thematic_layer: str = "towns"
    tianditu_key: str = ""
    center: tuple[float, float] = DEFAULT_CENTER
    zoom: int = DEFAULT_ZOOM
    asset_base: str = "/app/static"
    height: int = 700
    show_layers: list[str] = field(default_factory=list)
    prefer_canvas: bool = False
    labels: bool = True
    popups: bool = True
    focus_plans: tuple[str, ...] = ()

    @property
    def datum(self) -> str:
        """The basemap's datum: "wgs84", "gcj02" or "none"."""
        return basemaps.BASEMAPS[self.basemap].datum
