"""Bounded imports (issue 13): hostile uploads end in a message naming the file and the problem, within the
time limit, without a network request, and nothing stored changes.

Files built to hang the reader (recursive SQLite views, nested DXF blocks), to exhaust it (a million
vertices, endless rows, a block inserted thousands of times), to mislead it (duplicate zip members, lying
sizes, linked CRS) or to crash it (deep JSON, NaN coordinates, encrypted or damaged members) are generated
by :mod:`tests.io.hostile_imports`.
"""

from __future__ import annotations

import http.server
import re
import threading
import time
from pathlib import Path

import pytest

from geo import config, i18n
from geo.io import importer, upload
from geo.io.files import load_all
from tests.io import hostile_imports as H
from tests.io.stored import digest

LOW_TIMEOUT = 8.0
SLACK = 15.0  # the worker's start (about 2 s on a busy machine) and the parent's clean-up


@pytest.fixture
def store(data_copy, monkeypatch):
    """The plan data of a copied store, its folders' digest, and a short time limit for reading."""
    monkeypatch.setattr(config, "IMPORT_TIMEOUT_S", LOW_TIMEOUT)
    monkeypatch.delenv("SCIMAP_IMPORT_TIMEOUT", raising=False)
    d, lay = data_copy
    return load_all(d, lay), (d, lay), digest(d, lay)



def _zh_reads(msg: str) -> bool:
    """The Chinese message is Chinese apart from the file name and the values quoted from the file."""
    zh = i18n.message(msg, "zh")
    rest = zh.split("：", 1)[1] if "：" in zh else zh
    rest = re.sub(r"“[^”]*”|\([^)]*\)|[\w.-]*\.[A-Za-z]\w*", "", rest)  # quoted values, file names, suffixes
    return zh != msg and i18n.readable(rest, "zh")


def _refused(store, path: Path, words: str, limit: float = LOW_TIMEOUT + SLACK) -> str:
    data, folders, before = store
    t = time.monotonic()
    with pytest.raises(importer.ImportFailed) as err:
        importer.review(path, data, "parcels")
    took = time.monotonic() - t
    msg = str(err.value)
    assert took < limit, f"{path.name} took {took:.1f} s"
    assert msg.startswith(f"{path.name}: "), msg
    assert re.search(words, msg), msg
    assert "Traceback" not in msg
    assert _zh_reads(msg), (msg, i18n.message(msg, "zh"))
    assert digest(*folders) == before  # nothing written
    return msg


QUICK = {
    "link_crs": r"CRS member is not a CRS name \(type 'link'\)",
    "url_named_crs": r"CRS member is not a CRS name",
    "geometry_link_crs": r"CRS member is not a CRS name \(type 'link'\)",
    "deep_json": r"nested more than 64 levels deep",
    "deep_collection": r"nested more than 64 levels deep",
    "nan_json": r"not valid JSON .*NaN",
    "inf_json": r"1e400 is not a finite number",
    "nan_wkt": r"row 3",
    "inf_lonlat": r"row 2 has coordinates that are not numbers",
    "self_view": r"circularly defined|cannot be read",
    "zip_duplicate_flattened": r"zip members 'a/x.geojson' and 'b/x.geojson' have the same name once unpacked",
    "zip_duplicate_case": r"zip members 'Parcel.geojson' and 'parcel.GEOJSON' have the same name",
    "zip_duplicate_unicode": r"have the same name once unpacked",
    "zip_encrypted": r"zip member 'x.geojson' is encrypted",
    "zip_bad_crc": r"zip member 'x.geojson' is damaged \(Bad CRC",
    "zip_lying_size": r"zip member 'x.geojson' (is damaged|unpacks to more than the 100 bytes)",
    "zip_stored_lying_size": r"zip member 'x.geojson' (is damaged|unpacks to more than the 50 bytes)",
    "zip_empty_name": r"a zip member has no name",
    "zip_slash_name": r"a zip member has an empty name",
    "zip_nested": r"zip member 'inner.zip' is itself an archive",
    "zip_many_members": r"holds 250 members, over the limit of 200",
    "zip_url_member": r"names a remote or virtual file",
    "zip_two_datasets": r"holds several .geojson files \(a.geojson, b.geojson\)",
    "huge_feature": r"feature 1 has more than 20000 vertices",
}


@pytest.mark.parametrize("case", QUICK)
def test_hostile_upload_is_a_message_in_bounded_time_and_nothing_changes(store, tmp_path, case):
    _refused(store, getattr(H, case)(tmp_path), QUICK[case])


@pytest.mark.parametrize("case", ["recursive_cte_view", "endless_rows_view", "nested_blocks"])
def test_a_file_built_to_hang_the_reader_is_stopped_at_the_time_limit(store, tmp_path, case):
    msg = _refused(store, getattr(H, case)(tmp_path),
                   rf"took longer than {LOW_TIMEOUT:g} s to read|more than \d+ features|memory")
    assert "took longer" in msg or case == "endless_rows_view"


def test_caps_are_checked_while_reading(store, tmp_path, monkeypatch):
    monkeypatch.setattr(config, "IMPORT_MAX_FEATURES", 50)
    _refused(store, H.many_features(tmp_path, 60), r"more than 50 features: over the limit of one import")
    monkeypatch.setattr(config, "IMPORT_MAX_LAYERS", 3)
    _refused(store, H.many_layers(tmp_path, 5), r"more than 3 layers: over the limit of one import")
    monkeypatch.setattr(config, "IMPORT_MAX_VERTICES", 1000)
    _refused(store, H.block_inserted_often(tmp_path, vertices=100, inserts=50),
             r"more than 1000 vertices in all: over the limit of one import")


def test_one_enormous_feature_is_refused_naming_it(store, tmp_path):
    wkt = "LINESTRING(" + ", ".join(f"{106.3 + i * 1e-7} 29.5" for i in range(200_000)) + ")"
    p = tmp_path / "big_row.csv"
    p.write_text(f"project_id,wkt\nHTS-T4-02,\"POINT(106.3 29.5)\"\nHTS-T4-03,\"{wkt}\"\n", encoding="utf-8")
    _refused(store, p, r"row 3 has 200000 vertices, over the limit of 20000 for one boundary")


def test_the_memory_limit_ends_in_a_message(store, tmp_path, monkeypatch):
    monkeypatch.setattr(config, "IMPORT_MEMORY_MB", 1)
    _refused(store, H.many_features(tmp_path, 10), r"memory")


def test_remote_and_virtual_paths_are_refused_before_gdal(store):
    data, _, _ = store
    for path in ("/vsicurl/http://127.0.0.1:9/x.geojson", "http://127.0.0.1:9/x.geojson", "PG:dbname=x",
                 "/tmp/vsis3/bucket/x.geojson"):
        with pytest.raises(importer.ImportFailed, match="names a remote or virtual file"):
            importer.review(path, data, "parcels", name="x.geojson")


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[str] = []

    def _record(self) -> None:
        self.seen.append(f"{self.command} {self.path}")
        self.send_response(200)
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(b'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],'
                             b'PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]')

    do_GET = do_HEAD = _record

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recorder():
    """A local HTTP server on 127.0.0.1 that records every request it gets."""
    _Recorder.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.seen
    server.shutdown()
    server.server_close()


def test_no_request_leaves_the_app(store, tmp_path, recorder):
    import pyogrio

    url, seen = recorder
    for make in (H.link_crs, H.url_named_crs, H.geometry_link_crs):
        _refused(store, make(tmp_path, f"{url}/crs.wkt"), r"CRS member is not a CRS name")
    # GDAL itself, in this process (geo.io is imported): the link CRS is not fetched, nor remote paths
    pyogrio.read_info(H.link_crs(tmp_path, f"{url}/crs.wkt"))
    for remote in (f"/vsicurl/{url}/x.geojson", f"{url}/y.geojson", f"WFS:{url}/wfs"):
        with pytest.raises(Exception):  # noqa: B017 - any GDAL error: what matters is that nothing was asked
            pyogrio.read_info(remote)
    time.sleep(0.5)
    assert seen == []


def test_a_lying_zip_header_lets_no_more_through_than_it_declares(tmp_path):
    z = H.zip_lying_size(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(upload.UploadRefused, match="lying_size.zip: zip member 'x.geojson'"):
        upload.safe_extract(z, out, "lying_size.zip")
    assert sum(f.stat().st_size for f in out.iterdir()) <= 100


def test_good_files_still_read_after_the_bounds(data):
    for p in sorted((H.CORPUS / "good").iterdir())[:4]:
        assert len(importer.read_file(p)) == 1
