"""A parcel is a polygon in the store too: the importer, the validator and the store speak one rule
(:func:`geo.core.storable.problems` with the layer). A point, a line or a collection sent to the store's API
for a parcel is a message and nothing is written; so is undoing a forged record whose previous parcel is one."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
from shapely.geometry import GeometryCollection, LineString, MultiPoint, Point, box, mapping

from geo import i18n
from geo.core import storable
from geo.core.crs import WGS84
from geo.io import importer
from geo.io.store import FileStore, StoreError
from tests.io.stored import data_files
from tests.io.test_store_faults import TARGET

KINDS = {"point": Point(106.33, 29.5), "line": LineString([(106.33, 29.5), (106.34, 29.51)]),
         "multipoint": MultiPoint([(106.33, 29.5), (106.34, 29.51)]),
         "collection": GeometryCollection([box(106.33, 29.5, 106.34, 29.51), Point(106.33, 29.5)])}


@pytest.mark.parametrize("kind", KINDS)
def test_a_parcel_that_is_not_a_polygon_is_refused_by_the_one_rule(data_copy, kind):
    d, lay = data_copy
    fs = FileStore(d, lay)
    geom = KINDS[kind]
    rule = f"a {geom.geom_type} cannot be a parcel (polygons only)"
    assert rule in storable.problems(storable.snap(geom), "parcels")
    assert storable.problems(storable.snap(geom), "zones") == []
    before = data_files(d, lay)
    with pytest.raises(StoreError) as e:
        fs.save(gpd.GeoDataFrame({"target_id": [TARGET]}, geometry=[geom], crs=WGS84), "parcels", "t", "surveyed",
                fs.version("parcels"))
    assert str(e.value) == f"{TARGET}: {rule}"
    assert i18n.message(str(e.value), "zh") == f"{TARGET}：{geom.geom_type} 不能作为地块（只接受多边形）"
    assert data_files(d, lay) == before
    b = importer.storable_boundary(geom, "parcels")  # the importer blocks it with the same sentence
    assert b.blocking and any(rule in p for p in b.problems)


def test_undo_refuses_a_previous_parcel_that_is_not_a_polygon(data_copy):
    d, lay = data_copy
    fs = FileStore(d, lay)
    rec = {"change_id": "forged000003", "when": "2026-01-01T00:00:00+08:00", "who": "x", "action": "save",
           "layer": "parcels", "target_id": TARGET, "file": "parcels.geojson", "undoes": None, "note": "",
           "previous": {"geometry": mapping(Point(106.33, 29.5)), "properties": {"project_id": TARGET}}}
    with open(d / "history.jsonl", "ab") as f:
        f.write(json.dumps(rec).encode() + b"\n")
    before = data_files(d, lay)
    with pytest.raises(StoreError, match="forged000003: its previous geometry a Point cannot be a parcel "
                                         r"\(polygons only\): not undone"):
        fs.undo("forged000003", "x")
    assert data_files(d, lay) == before
