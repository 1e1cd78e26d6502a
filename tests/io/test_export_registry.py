"""The export registry: each built-in format is one module of geo.io.export; a toy format registered
from this test module exports through the CLI (in-process), with real data, and reads back."""

import argparse
import json
import pkgutil
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geo import __main__ as cli
from geo.core.filter import Filter, apply_filter
from geo.io import export
from geo.io.export import ID_COLUMN, ExportFormat, Job

BUILT_IN = ("geojson", "gpkg", "shp", "kml", "csv", "xlsx", "html")


def _write_wkt_lines(job: Job) -> Path:
    """One line per feature: layer, id, full-precision WKT."""
    p = job.path(".wkt.txt")
    lines = [f"{layer}\t{ident}\t{shapely.to_wkt(geom, rounding_precision=-1)}"
             for layer, g in job.layers.items() for ident, geom in zip(g[ID_COLUMN[layer]], g.geometry, strict=True)
             if geom is not None]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def _read_wkt_lines(path: Path, crs: str) -> dict[str, gpd.GeoDataFrame]:
    rows: dict[str, list] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        layer, ident, wkt = line.split("\t")
        rows.setdefault(layer, []).append((ident, shapely.from_wkt(wkt)))
    return {layer: gpd.GeoDataFrame({ID_COLUMN[layer]: [i for i, _ in r]}, geometry=[g for _, g in r], crs=crs)
            for layer, r in rows.items()}


TOY = ExportFormat("wkt-lines", "WKT lines (text)", ".wkt.txt", _write_wkt_lines, _read_wkt_lines)


@pytest.fixture()
def toy():
    export.register(TOY)
    yield TOY
    export.unregister(TOY.name)


def _format_choices() -> list[str]:
    sub = next(a for a in cli.parser()._actions if isinstance(a, argparse._SubParsersAction))
    return list(next(a for a in sub.choices["export"]._actions if a.dest == "format").choices)


def test_registry_lists_exactly_the_built_in_formats_one_module_each():
    assert tuple(export.FORMATS) == BUILT_IN
    assert list(export.FORMAT_LABELS) == list(BUILT_IN) and "wkt-lines" not in export.FORMATS
    assert _format_choices() == list(BUILT_IN)
    modules = {m.name for m in pkgutil.iter_modules(export.__path__)} - set(export._SHARED)  # base, common, readback
    assert {export.get(f).write.__module__ for f in BUILT_IN} == {f"geo.io.export.{m}" for m in modules}


def test_a_registered_format_is_in_the_cli_choices_and_help(toy, capsys):
    assert tuple(export.FORMATS) == BUILT_IN + ("wkt-lines",)
    assert export.FORMAT_LABELS["wkt-lines"] == "WKT lines (text)"
    assert "wkt-lines" in _format_choices()
    with pytest.raises(SystemExit) as e:
        cli.main(["export", "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert "wkt-lines" in out and "WKT lines (text)" in out


def test_a_toy_format_exports_real_data_through_the_cli(toy, data, tmp_path, capsys):
    rc = cli.main(["export", "--format", "wkt-lines", "--sector", "检验检测", "-o", str(tmp_path)])
    out = capsys.readouterr().out
    assert rc == 0 and "3 parcels" in out
    [path] = tmp_path.glob("*.wkt.txt")
    meta = json.loads(Path(str(path) + ".metadata.json").read_text(encoding="utf-8"))
    assert meta["format"] == "wkt-lines" and meta["file"] == path.name and meta["counts"]["parcels"] == 3
    # the file holds exactly the selection's features, geometry to the last digit
    sel = apply_filter(data, Filter(sectors=["检验检测"]))
    lines = [x.split("\t") for x in path.read_text(encoding="utf-8").splitlines()]
    parcels = {i: shapely.from_wkt(w) for layer, i, w in lines if layer == "parcels"}
    src = sel.parcels.set_index("parcel_id").geometry
    assert set(parcels) == set(src.index) and len(parcels) == 3
    assert all(parcels[i].equals_exact(src[i], 0) for i in parcels)
    assert {i for layer, i, _ in lines if layer == "zones"} == set(sel.zones.zone_id)
    # and it reads back through the registry
    back = export.read_snapshot(path)
    assert set(back["parcels"].parcel_id) == set(src.index)


def test_an_unregistered_format_is_refused_naming_the_argument(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["export", "--format", "wkt-lines", "-o", str(tmp_path)])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "argument --format" in err and "invalid choice: 'wkt-lines'" in err
    with pytest.raises(export.ExportError, match="unknown format 'wkt-lines': choose one of geojson, gpkg"):
        export.get("wkt-lines")
    assert list(tmp_path.iterdir()) == []


def test_a_second_format_of_the_same_name_is_refused(toy):
    other = ExportFormat("wkt-lines", "something else", ".txt", _write_wkt_lines)
    with pytest.raises(ValueError, match="already registered"):
        export.register(other)
    assert export.get("wkt-lines") is TOY
    export.register(TOY)  # registering the same object again is harmless
