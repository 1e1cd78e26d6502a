"""A layer manifest of the wrong shape: every unusable record is an issue naming it, the rest loads, and no
record can point the loader outside the layers folder."""

from __future__ import annotations

import json

import pytest

from geo.io.files import load_all


@pytest.mark.parametrize(("manifest", "problem"), [
    ([], "is not an object with a list of layers"),
    ({"layers": 5}, "is not an object with a list of layers"),
    ("[" * 30000, "cannot be read: RecursionError"),
])
def test_a_manifest_of_the_wrong_shape_is_an_issue(data_copy, manifest, problem):
    d, lay = data_copy
    text = manifest if isinstance(manifest, str) else json.dumps(manifest)
    (lay / "manifest.json").write_text(text, encoding="utf-8")
    data = load_all(d, lay, strict=False)
    assert any(i.where == "file" and problem in i.problem for i in data.issues if "manifest.json" in i.file)
    assert len(data.zones) == 0


@pytest.mark.parametrize(("change", "problem"), [
    (lambda r: "not a record", "is a str, not an object"),
    (lambda r: {k: v for k, v in r.items() if k != "title_zh"}, "missing title_zh"),
    (lambda r: r | {"feature_count": "12"}, "wrong type of feature_count"),
    (lambda r: r | {"source_docs": "HTS"}, "wrong type of source_docs"),
    (lambda r: r | {"file": "../data/parcels.geojson"}, "is not the name of a .geojson file in the layers folder"),
    (lambda r: r | {"file": "/etc/hostname"}, "is not the name of a .geojson file in the layers folder"),
    (lambda r: r | {"file": "manifest.json"}, "is not the name of a .geojson file in the layers folder"),
])
def test_an_unusable_layer_record_is_named_and_the_others_load(data_copy, change, problem):
    d, lay = data_copy
    path = lay / "manifest.json"
    m = json.loads(path.read_text(encoding="utf-8"))
    first = m["layers"][0]
    m["layers"][0] = change(dict(first))
    path.write_text(json.dumps(m, ensure_ascii=False), encoding="utf-8")
    data = load_all(d, lay, strict=False)
    hit = [i for i in data.issues if "manifest.json" in i.file and i.where.startswith("layer 0")]
    assert hit and problem in hit[0].problem
    assert first["layer_id"] not in set(data.zones.layer_id)  # the record is left out …
    assert len(set(data.zones.layer_id)) >= 5  # … the other layers load


def test_a_duplicate_layer_id_is_named(data_copy):
    d, lay = data_copy
    path = lay / "manifest.json"
    m = json.loads(path.read_text(encoding="utf-8"))
    m["layers"].append(dict(m["layers"][0]))
    path.write_text(json.dumps(m, ensure_ascii=False), encoding="utf-8")
    data = load_all(d, lay, strict=False)
    assert any("duplicate layer_id" in i.problem for i in data.issues)
