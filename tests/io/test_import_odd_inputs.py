"""Uploads from ordinary tools and odd numbers: a Mac's zip imports, a URL is named as given, numbers that
are no finite number are said to be so."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from geo import i18n
from geo.io import importer

GOOD = Path(__file__).resolve().parent / "import_corpus" / "good" / "wgs84.geojson"


def test_a_zip_made_on_a_mac_imports_its_one_dataset(data, tmp_path):
    z = tmp_path / "survey.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("survey/wgs84.geojson", GOOD.read_bytes())
        zf.writestr("__MACOSX/survey/._wgs84.geojson", b"\x00\x05\x16\x07 resource fork")
        zf.writestr("survey/.DS_Store", b"\x00\x00\x00\x01Bud1")
        zf.writestr("survey/._wgs84.geojson", b"\x00\x05\x16\x07")
    rv = importer.review(z, data)
    assert rv.report.match_id.tolist() == ["HTS-T4-02"]


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/x.geojson", "/vsicurl/https://example.com/b.geojson"])
def test_a_url_is_refused_and_named_as_given(data, url):
    with pytest.raises(importer.ImportFailed, match="names a remote or virtual file") as e:
        importer.review(url, data)
    assert "://" in str(e.value)


def test_a_number_too_big_for_a_float_is_not_a_finite_number(data, tmp_path):
    f = tmp_path / "big.geojson"
    f.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"project_id": '
                 '"HTS-T4-02"}, "geometry": {"type": "Point", "coordinates": [1e999, 29.5]}}]}', encoding="utf-8")
    with pytest.raises(importer.ImportFailed, match="1e999 is not a finite number"):
        importer.review(f, data)


def test_nan_in_csv_wkt_is_said_to_be_no_number(data, tmp_path):
    f = tmp_path / "nan.csv"
    f.write_text('project_id,wkt\nHTS-T4-02,"POLYGON((nan nan, 106.4 29.6, 106.5 29.5, nan nan))"\n', encoding="utf-8")
    with pytest.raises(importer.ImportFailed) as e:
        importer.review(f, data)
    assert str(e.value) == "nan.csv: row 2 has coordinates that are not numbers (NaN or infinity)"
    assert i18n.message(str(e.value), "zh") == "nan.csv：第 2 行的坐标不是数字（NaN 或无穷大）"
