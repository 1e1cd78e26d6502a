"""`python -m geo build` reproduces the shipped files exactly, and refuses bad source rows clearly."""

import shutil
from pathlib import Path

import pandas as pd
import pytest

from geo.config import settings
from geo.pipeline import build

ROOT = Path(__file__).resolve().parents[2]
OUTPUTS = ["data/projects.csv", "data/targets.csv", "data/parcels.geojson", "layers/manifest.json"]


@pytest.fixture()
def src_copy(tmp_path):
    d = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "src", d / "src")
    shutil.copy(ROOT / "data" / "sources.csv", d / "sources.csv")  # the plans the rows must cite
    return d, tmp_path / "layers"


def test_build_reproduces_the_shipped_files_byte_for_byte(src_copy):
    d, lay = src_copy
    build.build(data_dir=d, layers_dir=lay, ref_dir=settings().reference_dir)
    for rel in OUTPUTS:
        out = (d if rel.startswith("data") else lay) / rel.split("/", 1)[1]
        assert out.read_bytes() == (ROOT / rel).read_bytes(), f"{rel} is stale: run python -m geo build"
    for f in (ROOT / "layers").glob("*.geojson"):
        assert (lay / f.name).read_bytes() == f.read_bytes(), f"layers/{f.name} is stale"


def test_build_keeps_surveyed_parcels(src_copy):
    """A surveyed boundary already stored is kept; only schematic footprints are regenerated."""
    import geopandas as gpd
    from shapely.affinity import translate

    d, lay = src_copy
    build.build(data_dir=d, layers_dir=lay, ref_dir=settings().reference_dir)
    parcels = gpd.read_file(d / "parcels.geojson")
    i = parcels.index[parcels.project_id == "HTS-T4-01"][0]
    moved = translate(parcels.geometry[i], xoff=0.002)
    parcels.loc[i, "geometry"] = moved
    parcels.loc[i, "geometry_source"] = "surveyed"
    parcels.to_file(d / "parcels.geojson", driver="GeoJSON")
    build.build(data_dir=d, layers_dir=lay, ref_dir=settings().reference_dir)
    again = gpd.read_file(d / "parcels.geojson").set_index("project_id")
    assert again.loc["HTS-T4-01", "geometry_source"] == "surveyed"
    assert again.loc["HTS-T4-01"].geometry.equals_exact(moved, 1e-9)
    others = again.drop(index="HTS-T4-01")
    assert not others.intersects(moved).any()


@pytest.mark.parametrize("file,col,value,message", [
    ("HTS_projects.csv", "zone_id", "atlantis", "zone_id is not a place"),
    ("HTS_projects.csv", "sector_zh", "炼金术", "is not in data/src/sectors.csv"),
    ("HTS_places.csv", "position_hint", "gaz:不存在的地方", "不存在的地方"),
])
def test_bad_source_rows_are_refused_with_file_and_row(src_copy, file, col, value, message):
    d, lay = src_copy
    path = d / "src" / file
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[1, col] = value
    df.to_csv(path, index=False)
    with pytest.raises(build.BuildError, match=message) as e:
        build.build(data_dir=d, layers_dir=lay, ref_dir=settings().reference_dir)
    assert not (d / "projects.csv").exists()  # nothing half-written
    if "places" in file:
        assert f"{file} row 3" in str(e.value)


def test_a_row_citing_a_plan_missing_from_sources_csv_is_refused(src_copy):
    d, lay = src_copy
    path = d / "src" / "HTS_projects.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[1, "source_doc"] = "XYZ"
    df.to_csv(path, index=False)
    with pytest.raises(build.BuildError, match="HTS_projects.csv row 3: source_doc 'XYZ'.*not a plan of data/sources.csv"):
        build.build(data_dir=d, layers_dir=lay, ref_dir=settings().reference_dir)
    assert not (d / "projects.csv").exists()


def test_a_layer_without_its_titles_and_colour_is_refused(src_copy):
    """Every layer's titles and colour come from data/src/layers.csv: none is made up."""
    d, lay = src_copy
    path = d / "src" / "layers.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df[df.layer_id != "jlp_places"].to_csv(path, index=False)
    with pytest.raises(build.BuildError, match="layer 'jlp_places' has no row in data/src/layers.csv"):
        build.build(data_dir=d, layers_dir=lay, ref_dir=settings().reference_dir)
    assert not (lay / "manifest.json").exists()


def test_manifest_carries_the_layer_table(src_copy):
    """Titles, colours, weights and visibility come from data/src/layers.csv row for row."""
    import json

    d, lay = src_copy
    build.build(data_dir=d, layers_dir=lay, ref_dir=settings().reference_dir)
    table = pd.read_csv(d / "src" / "layers.csv", dtype=str, keep_default_na=False).set_index("layer_id")
    layers = json.loads((lay / "manifest.json").read_text(encoding="utf-8"))["layers"]
    assert [x["layer_id"] for x in layers] == sorted(table.index[~table.kind.isin(["boundaries", "poi"])]) + ["districts", "poi"]
    for x in layers:
        row = table.loc[x["layer_id"]]
        assert (x["title_zh"], x["title_en"], x["kind"], x["default_style"]["color"]) == \
            (row.title_zh, row.title_en, row.kind, row.colour)
        assert x["default_style"]["weight"] == float(row.weight) and x["shown"] == (row.shown == "yes")
    assert {x["layer_id"] for x in layers if not x["shown"]} == {"hts_places", "sti_places", "yz_places", "lj_places",
                                                                  "jlp_places"}
