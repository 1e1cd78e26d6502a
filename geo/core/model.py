"""The pure data model: what the app, the exports and the CLI read (`PlanData`), and the
`Issue`/`DataError` every loader and validator reports problems with.

Missing values have their own module (:mod:`geo.core.missing`); the plans and layers of a data
folder are its :attr:`PlanData.catalogue` (:mod:`geo.core.catalogue`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property

import geopandas as gpd
import pandas as pd

from geo.core.catalogue import Catalogue


@dataclass(frozen=True)
class Issue:
    """One problem found in the data, located precisely enough to fix it.

    Attributes
    ----------
    level : {"error", "warning"}
    file : str
        The file, relative to the repository (``data/projects.csv``).
    where : str
        ``"row 12 (HTS-T2-03)"``, ``"feature 4 (hts_core)"``, ``"header"``, ``"file"`` …
    problem : str
        What is wrong, in words.
    """

    level: str
    file: str
    where: str
    problem: str

    def __str__(self) -> str:
        return f"{self.level.upper()}: {self.file}: {self.where}: {self.problem}"


class DataError(Exception):
    """Data that cannot be used; ``issues`` lists every error found (the message has one per line)."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


@dataclass
class PlanData:
    """Everything the app, the exports and the CLI read."""

    projects: pd.DataFrame
    targets: pd.DataFrame
    zones: gpd.GeoDataFrame
    parcels: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    manifest: dict
    sources: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)
    pois: gpd.GeoDataFrame | None = None
    functional_areas: pd.DataFrame | None = None  # data/src/functional_areas.csv (geo.core.areas)

    @cached_property
    def layers(self) -> list[dict]:
        """The layer records of the manifest (id, titles, kind, file, style, sources)."""
        return self.manifest["layers"]

    @cached_property
    def catalogue(self) -> Catalogue:
        """The plans (``sources``) and layers (``manifest``) of this data, as a :class:`Catalogue`."""
        return Catalogue.from_tables(self.sources, self.manifest)

    def __copy__(self) -> PlanData:
        """A shallow copy without the derived tables (a copy whose tables are then replaced must not
        carry the original's enriched projects or memberships)."""
        return dataclasses.replace(self)

    def replace(self, **tables: pd.DataFrame) -> PlanData:
        """A copy with some tables replaced; its derived tables are computed afresh on first use.

        Parameters
        ----------
        **tables
            Fields to replace (``projects=``, ``parcels=``, …).

        Returns
        -------
        PlanData
        """
        return dataclasses.replace(self, **tables)

    # Derived tables: computed once per PlanData on first use, never passed around or recomputed.
    @cached_property
    def enriched(self) -> pd.DataFrame:
        """Projects with their zone, layout, district and output per 亩 (`geo.core.join.projects_enriched`)."""
        from geo.core import join
        return join.projects_enriched(self)

    @cached_property
    def memberships(self) -> pd.DataFrame:
        """One row per (project, zone it lies in, directly or through the zone's ancestors)."""
        from geo.core import join
        return join.project_memberships(self)

    @cached_property
    def area_summary(self) -> pd.DataFrame:
        """Districts and functional areas with their project counts (`geo.core.areas.functional_areas`)."""
        from geo.core import areas
        return areas.functional_areas(self)

    @cached_property
    def zone_facts(self) -> pd.DataFrame:
        """Per zone: districts, functional areas, located, drawn bounds (`geo.core.areas.zone_facts`)."""
        from geo.core import areas
        return areas.zone_facts(self)

    @cached_property
    def parcels_joined(self) -> gpd.GeoDataFrame:
        """Parcels with their project's names and sectors, ready to draw and filter."""
        from geo.core import join
        return join.parcels_joined(self)

