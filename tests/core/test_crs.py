"""Areas and distances in the projected CRS, checked against hand-computed values."""

import math

import pytest
from shapely.geometry import Point, Polygon, box

from geo.core import crs


def test_mu_is_exactly_ten_thousand_fifteenths_m2():
    assert crs.M2_PER_MU == 10000 / 15
    assert crs.mu_to_m2(15) == pytest.approx(10000, abs=1e-9)
    assert crs.m2_to_mu(1_000_000) == pytest.approx(1500, abs=1e-9)  # 1 km² = 1500 亩


@pytest.mark.parametrize("lon,epsg", [(105.0, 4544), (106.35, 4544), (106.49, 4544), (106.5, 4545), (106.57, 4545), (108.0, 4545)])
def test_gk_zone_by_longitude(lon, epsg):
    assert crs.gk_epsg_for_lon(lon) == epsg


def test_gk_coordinates_match_reference():
    # Reference value measured with pyproj/EPSG database (shared/notes/stack-probe.md)
    p = crs.project(Point(106.35, 29.55), "EPSG:4544")
    assert p.x == pytest.approx(630846.40, abs=0.01)
    assert p.y == pytest.approx(3270991.83, abs=0.01)


def test_square_of_100m_is_15_mu():
    sq_gk = box(630000, 3270000, 630100, 3270100)  # 100 m × 100 m in EPSG:4544
    sq_wgs = crs.project(sq_gk, crs.WGS84, src="EPSG:4544")
    assert crs.area_mu(sq_wgs) == pytest.approx(15.0, rel=1e-9)


def test_planar_area_exceeds_geodesic_by_gk_scale_factor():
    # At 106.35°E, 29.55°N the point is Δλ = 1.35° from CM 105°E. GK point scale
    # k ≈ 1 + (Δλ·cosφ)²/2, so areal scale k² ≈ 1 + (Δλ·cosφ)² = 1.000419 (hand-computed).
    dl = math.radians(1.35) * math.cos(math.radians(29.55))
    expected_ratio = 1 + dl**2
    sq = crs.project(box(-500, -500, 500, 500), crs.WGS84, src="+proj=aeqd +lat_0=29.55 +lon_0=106.35 +ellps=GRS80")
    ratio = crs.area_m2(sq) / crs.geodesic_area_m2(sq)
    assert ratio == pytest.approx(expected_ratio, abs=2e-5)


def test_yuzhong_feature_is_measured_in_its_own_zone():
    # A 1 km² square at 106.57°E (Yuzhong) is measured in CM 108 (EPSG:4545), where it is
    # closer to geodesic than in CM 105.
    sq = crs.project(box(-500, -500, 500, 500), crs.WGS84, src="+proj=aeqd +lat_0=29.55 +lon_0=106.57 +ellps=GRS80")
    assert crs.own_zone(sq) == "EPSG:4545"
    geod = crs.geodesic_area_m2(sq)
    own = crs.area_m2(sq)
    wrong = crs.area_m2(sq, "EPSG:4544")
    assert abs(own - geod) < abs(wrong - geod)
    # hand-computed areal scales 1 + (Δλ·cosφ)²: Δλ = 1.57° from CM 105, 1.43° from CM 108
    c = math.cos(math.radians(29.55))
    expected = (1 + (math.radians(1.57) * c) ** 2) / (1 + (math.radians(1.43) * c) ** 2)
    assert wrong / own == pytest.approx(expected, abs=1e-5)


def test_vectorised_areas_match_scalar():
    a = crs.project(box(630000, 3270000, 630300, 3270200), crs.WGS84, src="EPSG:4544")
    b = crs.project(box(362000, 3270000, 362100, 3270100), crs.WGS84, src="EPSG:4545")
    out = crs.areas_mu([a, b])
    assert out[0] == pytest.approx(90.0, rel=1e-9)  # 300 × 200 m = 60 000 m² = 90 亩
    assert out[1] == pytest.approx(15.0, rel=1e-9)


def test_distance_in_metres_against_geodesic():
    # 大学城站 → 微电园站 (reference stations), planar GK vs ellipsoidal distance
    a, b = Point(106.305071, 29.609994), Point(106.357895, 29.612217)
    planar = crs.distance_m(a, b)
    geod = crs.geodesic_distance_m(a.x, a.y, b.x, b.y)
    assert geod == pytest.approx(5116, abs=15)  # hand estimate: Δλ·cosφ·R ≈ 0.052824°×96.6 km
    assert planar == pytest.approx(geod, rel=5e-4)


def test_empty_geometry_has_zero_area_and_bad_longitude_is_refused():
    assert crs.area_m2(Polygon()) == 0.0
    with pytest.raises(ValueError, match="outside China"):
        crs.gk_epsg_for_lon(10.0)
