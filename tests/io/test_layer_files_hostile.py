"""A layer file of the wrong shape is read feature by feature: each problem names its feature, the other
features and layers load, and nothing raises."""

from __future__ import annotations

import json
import math

import pytest

from geo.io.files import load_all


def _with_first(fc: dict, **changes) -> str:
    return json.dumps({**fc, "features": [{**fc["features"][0], **changes}] + fc["features"][1:]})


CASES = {
    "deep nesting": (lambda fc: "[" * 30000 + "]" * 30000, "file", "is not valid JSON: RecursionError"),
    "a list": (lambda fc: "[1, 2]", "file", "is not a GeoJSON FeatureCollection"),
    "NaN vertex": (lambda fc: _with_first(fc, geometry={"type": "Polygon", "coordinates": [
        [[math.nan, 29.5], [106.4, 29.6], [106.5, 29.5], [math.nan, 29.5]]]}), "feature 0", "geometry cannot be read"),
    "infinite vertex": (lambda fc: _with_first(fc, geometry={"type": "Point", "coordinates": [math.inf, 29.5]}),
                        "feature 0", "coordinates that are not finite numbers"),
    "coordinates a number": (lambda fc: _with_first(fc, geometry={"type": "Polygon", "coordinates": 5}), "feature 0",
                             "geometry cannot be read: TypeError"),
    "properties a list": (lambda fc: _with_first(fc, properties=[1, 2]), "feature 0", "properties are not an object"),
    "feature a string": (lambda fc: json.dumps({**fc, "features": ["x"] + fc["features"][1:]}), "feature 0",
                         "is a str, not a GeoJSON feature"),
    "linked CRS": (lambda fc: json.dumps({**fc, "crs": {"type": "link", "properties": {"href": "http://127.0.0.1:9/"}}}),
                   "crs", "is not a named CRS"),
    "CRS a number": (lambda fc: json.dumps({**fc, "crs": 5}), "crs", "is not a named CRS"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_broken_layer_file_is_reported_where_it_is_broken(data_copy, case):
    make, where, problem = CASES[case]
    d, lay = data_copy
    f = lay / "towns.geojson"
    fc = json.loads(f.read_text(encoding="utf-8"))
    f.write_text(make(fc), encoding="utf-8")
    data = load_all(d, lay, strict=False)
    mine = [i for i in data.issues if i.file.endswith("towns.geojson")]
    assert any(i.where.startswith(where) and problem in i.problem for i in mine), mine[:3]
    assert len(data.zones) >= 171  # the other layers (and the file's other features) still load


def test_a_lone_surrogate_in_a_property_is_kept_printable(data_copy):
    """An undecodable byte of a file name, kept by the store as ``\\udcff``, loads as the text ``\\xff``."""
    d, lay = data_copy
    f = lay / "towns.geojson"
    fc = json.loads(f.read_text(encoding="utf-8"))
    fc["features"][0]["properties"]["name_en"] = "bad\udcff"
    f.write_text(json.dumps(fc), encoding="utf-8")  # ensure_ascii: the file holds the escape \udcff
    data = load_all(d, lay)
    assert "bad\\xff" in set(data.zones.name_en)
