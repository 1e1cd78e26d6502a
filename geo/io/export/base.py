"""The export registry: what a format is (:class:`ExportFormat`), what its writer gets (:class:`Job`),
and the formats known (:func:`register`, :data:`FORMATS`, :data:`FORMAT_LABELS`).

A format is one module of :mod:`geo.io.export` holding ``FORMAT = ExportFormat(...)``; the package
registers every such module when it is imported. A format from elsewhere (a plug-in, a test) calls
:func:`register` itself. The lists below are live views of the registry: the app's format menu and
the CLI's ``--format`` choices show a format as soon as it is registered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd

from geo.core.filter import Selection
from geo.core.model import PlanData

CRS_CHOICES = {"EPSG:4326": "WGS84", "EPSG:4490": "CGCS2000", "EPSG:4544": "CGCS2000 3-degree GK CM105E",
               "GCJ02": "GCJ-02 (Gaode/Amap)"}
"""The CRSs a snapshot may be written in, with their names."""
LONLAT_CRS = ("EPSG:4326", "EPSG:4490", "GCJ02")
"""The CRSs in longitude/latitude degrees."""
LAYERS = ("parcels", "zones", "projects")
"""The layers of every snapshot."""
ID_COLUMN = {"parcels": "parcel_id", "zones": "zone_id", "projects": "project_id"}
"""The identifying column of each layer."""


class ExportError(Exception):
    """A snapshot cannot be written; the message says why and nothing was left behind."""


@dataclass(frozen=True)
class Snapshot:
    """A written snapshot.

    Attributes
    ----------
    path : Path
        The exported file (zip, gpkg, kml, xlsx, html …).
    metadata_path : Path
        The sidecar JSON beside it.
    metadata : dict
        Time, filter, CRS, data version, counts, totals, file name and SHA-256.
    """

    path: Path
    metadata_path: Path
    metadata: dict


@dataclass(frozen=True)
class Job:
    """What a format's writer gets: the selection as layers in the chosen CRS, and where to write.

    Attributes
    ----------
    data : PlanData
        All the data (the HTML map draws its context from it).
    selection : Selection
        The filtered tables.
    layers : dict of str to geopandas.GeoDataFrame
        :data:`LAYERS`, converted to the snapshot's CRS (GCJ-02 shifted, labelled WGS84).
    meta : dict
        The snapshot's metadata, to be stored inside the file where the format allows.
    folder : Path
        A private temporary folder: the writer writes its file (and any scratch files) here.
    stem : str
        The file name without the format's suffix.
    lang : {"zh", "en"}
    view : dict
        The app's map view (basemap, centre, zoom …) for formats that draw a map.
    """

    data: PlanData
    selection: Selection
    layers: dict[str, gpd.GeoDataFrame]
    meta: dict
    folder: Path
    stem: str
    lang: str = "zh"
    view: dict = field(default_factory=dict)

    @property
    def crs(self) -> str:
        """The snapshot's CRS (a key of :data:`CRS_CHOICES`)."""
        return self.meta["crs"]

    def path(self, suffix: str) -> Path:
        """The output file in the job's folder.

        Parameters
        ----------
        suffix : str
            The format's suffix (``.geojson.zip``).

        Returns
        -------
        Path
        """
        return self.folder / f"{self.stem}{suffix}"


Writer = Callable[[Job], Path]
Reader = Callable[[Path, str], dict[str, gpd.GeoDataFrame]]


@dataclass(frozen=True)
class ExportFormat:
    """One export format.

    Attributes
    ----------
    name : str
        The id used by the app, the CLI (``--format``) and the metadata (``geojson``).
    label : str
        What the app's menu shows (``GeoJSON (zip)``).
    suffix : str
        The end of the file name (``.geojson.zip``).
    write : callable
        ``write(job) -> Path``: writes the file into ``job.folder`` and returns it; raises
        :class:`ExportError` for what the format cannot hold.
    read : callable, optional
        ``read(path, crs) -> {layer: GeoDataFrame}`` in the file's CRS, for
        :func:`geo.io.export.read_snapshot`; None when the format is not read back.
    order : int, default 100
        Position in menus and choices (built-ins: 10, 20, …).
    """

    name: str
    label: str
    suffix: str
    write: Writer
    read: Reader | None = None
    order: int = 100


_REGISTRY: dict[str, ExportFormat] = {}


def register(fmt: ExportFormat, replace: bool = False) -> ExportFormat:
    """Make a format available to :func:`geo.io.export.export`, the app and the CLI.

    Parameters
    ----------
    fmt : ExportFormat
    replace : bool, default False
        Replace a registered format of the same name instead of refusing.

    Returns
    -------
    ExportFormat
        ``fmt`` (so ``FORMAT = register(ExportFormat(...))`` reads naturally).

    Raises
    ------
    ValueError
        When another format of that name is registered and ``replace`` is False.
    """
    old = _REGISTRY.get(fmt.name)
    if old is not None and old is not fmt and not replace:
        raise ValueError(f"export format {fmt.name!r} is already registered ({old.label})")
    _REGISTRY[fmt.name] = fmt
    return fmt


def unregister(name: str) -> ExportFormat:
    """Remove a format from the registry.

    Parameters
    ----------
    name : str

    Returns
    -------
    ExportFormat
        The format removed.

    Raises
    ------
    KeyError
        When no format of that name is registered.
    """
    return _REGISTRY.pop(name)


def registered() -> list[ExportFormat]:
    """The registered formats, in menu order.

    Returns
    -------
    list of ExportFormat
    """
    return sorted(_REGISTRY.values(), key=lambda f: (f.order, f.name))


def get(name: str) -> ExportFormat:
    """A registered format by name.

    Parameters
    ----------
    name : str

    Returns
    -------
    ExportFormat

    Raises
    ------
    ExportError
        Naming the formats there are.
    """
    if name not in _REGISTRY:
        raise ExportError(f"unknown format {name!r}: choose one of {', '.join(FORMATS)}")
    return _REGISTRY[name]


class _Names(Sequence[str]):
    """The registered formats' names, in menu order, read at each use."""

    def __getitem__(self, i: int | slice) -> str | tuple[str, ...]:
        return tuple(f.name for f in registered())[i]

    def __len__(self) -> int:
        return len(_REGISTRY)

    def __contains__(self, name: object) -> bool:
        return name in _REGISTRY

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(tuple(self))


class _Labels(Mapping[str, str]):
    """Name → label of the registered formats, read at each use."""

    def __getitem__(self, name: str) -> str:
        return _REGISTRY[name].label

    def __iter__(self) -> Iterator[str]:
        return iter(FORMATS)

    def __len__(self) -> int:
        return len(_REGISTRY)

    def __repr__(self) -> str:
        return repr(dict(self))


FORMATS: Sequence[str] = _Names()
"""The registered formats' names in menu order (a live view: ``"geojson" in FORMATS``, ``list(FORMATS)``)."""
FORMAT_LABELS: Mapping[str, str] = _Labels()
"""Name → menu label of the registered formats (a live view)."""
