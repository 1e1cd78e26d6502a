"""Fitting the map to bounds: the fitted view contains the bounds and is the closest whole zoom that does."""

import pytest

from geo.render.layers.parcels import viewport_bounds
from geo.render.viewport import MAX_FIT_ZOOM, fit

SIZE = (900, 700)


@pytest.mark.parametrize("bounds", [
    (106.30, 29.50, 106.45, 29.62),  # a few towns
    (106.10, 29.30, 106.80, 29.90),  # the whole study area around 西永
    (106.5700, 29.5500, 106.5712, 29.5509),  # one street-block parcel
    (106.20, 29.58, 106.60, 29.60),  # wide and flat
])
def test_fitted_view_contains_the_bounds_and_one_zoom_closer_does_not(bounds):
    (lat, lon), z = fit(bounds, SIZE, padding_px=0)
    minx, miny, maxx, maxy = bounds
    vx0, vy0, vx1, vy1 = viewport_bounds((lat, lon), z, SIZE)
    assert vx0 <= minx and vx1 >= maxx and vy0 <= miny and vy1 >= maxy
    if z < MAX_FIT_ZOOM:  # the next zoom would cut the bounds
        cx0, cy0, cx1, cy1 = viewport_bounds((lat, lon), z + 1, SIZE)
        assert cx0 > minx or cx1 < maxx or cy0 > miny or cy1 < maxy


def test_a_point_gets_the_closest_allowed_zoom_not_infinity():
    (lat, lon), z = fit((106.4, 29.6, 106.4, 29.6), SIZE)
    assert z == MAX_FIT_ZOOM and (lat, lon) == pytest.approx((29.6, 106.4))
