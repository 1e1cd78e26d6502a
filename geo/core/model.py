"""The pure data model: what the app, the exports and the CLI read (`PlanData`), and the
`Issue`/`DataError` every loader and validator reports problems with."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import geopandas as gpd
import pandas as pd


@dataclass(frozen=True)
class Issue:
    level: str  # "error" | "warning"
    file: str
    where: str  # "row 12 (HTS-T2-03)" or "feature 4 (hts_core)"
    problem: str

    def __str__(self) -> str:
        return f"{self.level.upper()}: {self.file}: {self.where}: {self.problem}"


class DataError(Exception):
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

    @cached_property
    def layers(self) -> list[dict]:
        return self.manifest["layers"]


def is_missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA
