"""The one polygon repair, the one missing-value test and the one nearest-point query."""

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, Polygon, box

from geo.core import crs, nearest
from geo.core.geometry import repair
from geo.core.missing import is_blank, is_missing


def test_repair_keeps_a_valid_polygon_and_splits_a_bowtie():
    sq = box(106.3, 29.5, 106.31, 29.51)
    assert repair(sq) == (sq, "")
    bowtie = Polygon([(106.3, 29.5), (106.31, 29.51), (106.31, 29.5), (106.3, 29.51), (106.3, 29.5)])
    fixed, note = repair(bowtie)
    assert fixed.is_valid and fixed.geom_type == "MultiPolygon" and len(fixed.geoms) == 2
    assert note.startswith("invalid geometry: Self-intersection")
    assert fixed.area == pytest.approx(sq.area / 2)


def test_repair_of_a_collapsed_ring_leaves_nothing_polygonal():
    flat = Polygon([(106.3, 29.5), (106.31, 29.5), (106.32, 29.5), (106.3, 29.5)])
    fixed, note = repair(flat)
    assert fixed is None and note.startswith("invalid geometry")


@pytest.mark.parametrize("v", [None, math.nan, np.nan, np.float32("nan"), pd.NA, pd.NaT])
def test_missing_values(v):
    assert is_missing(v) and is_blank(v)


@pytest.mark.parametrize("v", [0, 0.0, "", "0", False, np.int64(0), pd.Timestamp("2025-01-01")])
def test_real_values_are_not_missing(v):
    assert not is_missing(v)
    assert is_blank(v) == (v == "")


def _stations():
    return gpd.GeoDataFrame({"name_zh": ["甲", "乙", "乙", "丙"]},
                            geometry=[Point(106.30, 29.60), Point(106.32, 29.60), Point(106.321, 29.60),
                                      Point(106.60, 29.55)], crs="EPSG:4326")


def test_nearest_matches_brute_force_in_each_features_own_zone():
    st = _stations()
    feats = gpd.GeoDataFrame(geometry=[box(106.305, 29.59, 106.31, 29.595), Point(106.58, 29.55), Point(106.32, 29.60)],
                             crs="EPSG:4326")
    got = nearest.nearest(st, feats)
    for i, g in enumerate(feats.geometry):
        d = [crs.distance_m(g, p, crs.own_zone(g)) for p in st.geometry]
        assert got.distance_m.iloc[i] == pytest.approx(min(d), rel=1e-9)
        assert got.name.iloc[i] == st.name_zh.iloc[int(np.argmin(d))]
    assert got.distance_m.iloc[2] == 0.0  # a point on the station
    assert nearest.nearest(st.iloc[0:0], feats).name.isna().all()


def test_nearest_k_counts_each_name_once_and_within_sorts():
    st = _stations()
    parcel = box(106.315, 29.598, 106.316, 29.599)
    top = nearest.nearest_k(st, parcel, 2, distinct="name_zh")
    assert list(top.name_zh) == ["乙", "甲"] and top.distance_m.is_monotonic_increasing
    assert len(nearest.nearest_k(st, parcel, 10, distinct="name_zh")) == 3  # all there are
    near = nearest.within(st, parcel, 2000)
    assert list(near.name_zh) == ["乙", "乙", "甲"]
    assert near.distance_m.iloc[0] == pytest.approx(crs.distance_m(parcel, st.geometry.iloc[1]), rel=1e-9)


def test_own_zones_vectorised_like_own_zone():
    geoms = [Point(106.3, 29.5), Point(106.6, 29.5), None, Polygon(), LineString([(106.49, 29.5), (106.6, 29.5)])]
    zones = crs.own_zones(geoms)
    assert list(zones[:4]) == ["EPSG:4544", "EPSG:4545", "", ""]
    assert zones[4] == crs.own_zone(geoms[4])
