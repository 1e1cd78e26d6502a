"""WGS84 ↔ GCJ-02 against published reference values and the reference station table."""

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo.config import settings
from geo.core import gcj02
from geo.core.crs import geodesic_distance_m


def test_forward_matches_published_reference_point():
    # wandergis/coordtransform README: wgs84togcj02(116.404, 39.915)
    lon, lat = gcj02.wgs84_to_gcj02(116.404, 39.915)
    assert lon == pytest.approx(116.41024449916938, abs=1e-12)
    assert lat == pytest.approx(39.91640428150164, abs=1e-12)


def test_inverse_is_exact_and_close_to_published_one_step_inverse():
    lon, lat = gcj02.gcj02_to_wgs84(116.404, 39.915)
    # our iterative inverse round-trips to < 1e-9° …
    flon, flat = gcj02.wgs84_to_gcj02(lon, lat)
    assert abs(flon - 116.404) < 1e-9 and abs(flat - 39.915) < 1e-9
    # … and differs from the published one-step approximation (116.39775550083061, 39.91359571849836) by < 2 m
    assert geodesic_distance_m(lon, lat, 116.39775550083061, 39.91359571849836) < 2.0


def test_all_reference_metro_stations():
    st = pd.read_csv(settings().reference_dir / "cq_metro_stations_wgs84.csv")
    glon, glat = gcj02.wgs84_to_gcj02(st.lon_wgs84.values, st.lat_wgs84.values)
    # the table rounds both columns to 6 decimals: allow 1.5e-6° (~15 cm)
    assert np.max(np.abs(glon - st.lon_gcj02.values)) < 1.5e-6
    assert np.max(np.abs(glat - st.lat_gcj02.values)) < 1.5e-6
    wlon, wlat = gcj02.gcj02_to_wgs84(st.lon_gcj02.values, st.lat_gcj02.values)
    assert np.max(np.abs(wlon - st.lon_wgs84.values)) < 1.5e-6


def test_shift_in_chongqing_is_about_480_m():
    lon, lat = gcj02.wgs84_to_gcj02(106.35, 29.55)
    d = geodesic_distance_m(106.35, 29.55, lon, lat)
    assert 400 < d < 600
    assert lon > 106.35 and lat < 29.55  # east and south, as the reference README notes


def test_outside_china_is_unchanged():
    assert gcj02.wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)


def test_geometry_round_trip_within_a_millimetre():
    g = box(106.30, 29.60, 106.31, 29.61)
    back = gcj02.geom_from_gcj02(gcj02.geom_to_gcj02(g))
    assert g.hausdorff_distance(back) < 1e-8  # degrees ≈ 1 mm
