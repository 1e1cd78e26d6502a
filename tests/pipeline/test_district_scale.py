"""A 100,000-parcel layer: the generator, the filters, the map layers, popups/clicks, exports and the
promoter view behave as on the shipped data."""

import re

import numpy as np
import pytest

from geo.core.crs import areas_mu
from geo.core.filter import Filter, apply_filter, bounds_of, unlocated, without_district
from geo.core.matching import FirmProfile, match
from geo.io import export
from geo.pipeline import synth
from geo.render import mapview
from geo.render.layers import parcels as parcel_layers
from geo.render.options import MapOptions

N = 100_000


@pytest.fixture(scope="module")
def big():
    data = synth.plan_data(N, seed=7)
    return data, data.enriched, data.memberships, data.parcels_joined


def test_generator_is_reproducible_valid_and_non_overlapping():
    a, b = synth.parcels(2000, seed=3), synth.parcels(2000, seed=3)
    assert a.geometry.equals(b.geometry) and a.area_mu.equals(b.area_mu)
    assert not synth.parcels(2000, seed=4).geometry.equals(a.geometry)
    assert a.geometry.is_valid.all()
    left, right = a.sindex.query(a.geometry, predicate="overlaps")
    assert len(left) == 0
    nverts = a.geometry.map(lambda g: len(g.exterior.coords) - 1)
    assert nverts.min() >= 4 and nverts.max() <= 8 and nverts.nunique() > 2


def test_filters_on_the_large_layer(big):
    data, e, m, pj = big
    assert len(data.parcels) == N + 25
    sel = apply_filter(data, Filter(sectors=["检验检测"]))
    expected = int((data.projects.set_index("project_id").loc[data.parcels.project_id].sector_zh == "检验检测").sum())
    assert len(sel.parcels) == expected and expected > N / 10
    rng = apply_filter(data, Filter(land_mu=(5, 10)))
    assert rng.projects.land_mu.between(5, 10).all() and len(rng.parcels) == int(data.projects.land_mu.between(5, 10).sum())


def test_district_view_sends_density_cells_not_parcels(big):
    data, e, m, pj = big
    sel = apply_filter(data, Filter())
    fg = parcel_layers.parcel_layer(sel, MapOptions(basemap="none", prefer_canvas=True), None, 11)
    counts = mapview.map_feature_counts(_in_map(fg))
    cells = sum(v for k, v in counts.items() if k.startswith("density-"))
    assert 0 < cells < 2000
    total = sum(int(re.match(r"(\d+)", f["properties"]["_n"]).group(1)) for sub in fg._children.values()
                if hasattr(sub, "data") for f in sub.data["features"])
    assert total == len(sel.parcels)  # every parcel is counted in exactly one cell


def test_street_view_sends_only_the_parcels_in_view_with_lean_popups(big):
    data, e, m, pj = big
    sel = apply_filter(data, Filter())
    bounds = (106.315, 29.52, 106.33, 29.53)
    fg = parcel_layers.parcel_layer(sel, MapOptions(basemap="none"), bounds, 16)
    feats = [f for sub in fg._children.values() if hasattr(sub, "data") for f in sub.data["features"]]
    assert 0 < len(feats) <= parcel_layers.DETAIL_MAX
    ids = {f["properties"]["project_id"] for f in feats}
    import shapely
    view = shapely.box(106.315 - 0.00375, 29.52 - 0.0025, 106.33 + 0.00375, 29.53 + 0.0025)
    inside = set(sel.parcels[sel.parcels.intersects(view)].project_id)
    assert ids == inside  # exactly the parcels of the padded view
    props = feats[0]["properties"]
    assert set(props) <= set(parcel_layers.LEAN_FIELDS) | {"_k", "_n", "_w", "_s"}  # details come on click
    # a click's tooltip text carries the id the app parses to show the full record
    tip = f"{props['_n']}\n编号 {props['project_id']}"
    assert re.search(r"(?:编号|ID)\s+(\S+)\s*$", tip).group(1) == props["project_id"]


def test_exports_on_the_large_layer(big, tmp_path):
    data, e, m, pj = big
    snap = export.export(data, Filter(sectors=["科技金融"]), "gpkg", tmp_path)
    back = export.read_snapshot(snap.path)
    assert len(back["parcels"]) == snap.metadata["counts"]["parcels"] > N / 10
    assert np.allclose(areas_mu(back["parcels"].geometry.values), back["parcels"].area_mu.astype(float), rtol=1e-3)


def test_promoter_on_the_large_layer(big):
    data, e, m, pj = big
    import time
    t = time.perf_counter()
    r = match(data, FirmProfile(sector_text="生物医药", land_min=5, land_max=8))
    assert time.perf_counter() - t < 60  # full scoring runs on the preselected best candidates
    assert 0 < len(r) <= 2000 + 25
    top = r.iloc[0]
    assert top.s_sector == 1.0 and 5 <= top.land_mu <= 8


def _in_map(fg):
    import folium
    mm = folium.Map()
    fg.add_to(mm)
    return mm


def test_districts_areas_and_bounds_at_district_scale(big):
    data, e, m, pj = big
    assert without_district(e) == 0 and (e.district_how != "").all()
    sel = apply_filter(data, Filter(sectors=["检验检测"]))
    b = bounds_of(data, sel)
    x0, y0, x1, y1 = sel.parcels.total_bounds
    assert b[0] <= x0 and b[1] <= y0 and b[2] >= x1 and b[3] >= y1
    hz = apply_filter(data, Filter(districts=["重庆高新区直管园"]))
    plan = data.catalogue.plan_ids[0]  # the synthetic projects cite the first plan (a High-tech Zone plan)
    assert len(hz.projects) == int(e.source_doc.isin([plan, "STI"]).sum()) and len(hz.parcels) == len(data.parcels)
    assert len(unlocated(data, hz)) == len(unlocated(data, apply_filter(data, Filter(plans=["HTS", "STI"]))))
