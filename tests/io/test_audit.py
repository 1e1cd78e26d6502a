"""The audit trail's file log: records chained by hash; altering, removing, reordering or cutting a record is
found and named; a damaged line is reported, never a crash; appends survive a torn last line."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest

from geo.io import audit

ME = audit.Identity("alice@bureau.example", verified=True)
LOCAL = audit.Identity("local:planner", verified=False)


@pytest.fixture()
def log(tmp_path):
    log = audit.FileAuditLog(tmp_path / "audit" / "audit.jsonl")
    for i, action in enumerate(["sign-in", "import", "save", "undo", "export", "factsheet"]):
        log.append(audit.Event(action, ME if i % 2 else LOCAL, {"ids": [f"P-{i}"], "sha256": "ab" * 32}, "10.0.0.7"))
    return log


def _lines(log) -> list[bytes]:
    return log.path.read_bytes().splitlines(keepends=True)


def _write(log, lines: list[bytes]) -> None:
    log.path.write_bytes(b"".join(lines))


def test_records_are_chained_and_carry_who_when_what_where(log):
    records, problems = log.read()
    assert not problems and log.verify() == []
    assert [r["seq"] for r in records] == [1, 2, 3, 4, 5, 6]
    assert records[0]["prev"] == audit.GENESIS
    assert all(b["prev"] == a["hash"] for a, b in zip(records, records[1:], strict=False))
    first = records[0]
    assert first["who"] == "local:planner" and first["verified"] is False and first["action"] == "sign-in"
    assert records[1]["verified"] is True and first["client"] == "10.0.0.7" and first["details"]["ids"] == ["P-0"]
    assert dt.datetime.fromisoformat(first["when"]).utcoffset() == dt.timedelta(hours=8)  # Asia/Shanghai
    assert first["hash"] == audit.record_hash(first)


def test_an_altered_record_is_named(log):
    lines = _lines(log)
    rec = json.loads(lines[2])
    rec["who"] = "mallory"
    lines[2] = json.dumps(rec, ensure_ascii=False).encode() + b"\n"
    _write(log, lines)
    [p] = log.verify()
    assert p.line == 3 and p.seq == 3 and "altered" in str(p) and "record 3" in str(p)


def test_an_altered_record_with_its_hash_recomputed_breaks_the_next_link(log):
    lines = _lines(log)
    rec = json.loads(lines[2])
    rec["details"] = {"ids": ["other"]}
    rec["hash"] = audit.record_hash(rec)
    lines[2] = json.dumps(rec).encode() + b"\n"
    _write(log, lines)
    [p] = log.verify()
    assert p.line == 4 and p.seq == 4 and "chain is broken" in p.why


def test_a_removed_record_is_named(log):
    lines = _lines(log)
    del lines[3]
    _write(log, lines)
    [p] = log.verify()
    assert p.line == 4 and p.seq == 5 and "record 4 is expected here" in p.why


def test_reordered_records_are_named(log):
    lines = _lines(log)
    lines[1], lines[2] = lines[2], lines[1]
    _write(log, lines)
    [p] = log.verify()
    assert p.line == 2 and p.seq == 3 and "removed or reordered" in p.why


def test_a_cut_short_record_is_a_damaged_line_then_appending_still_works(log):
    data = log.path.read_bytes()
    log.path.write_bytes(data[:-40])  # the last record torn half-way (a crash, or a cut)
    records, problems = log.read()  # tolerant: five good records and one damaged line
    assert len(records) == 5 and [str(p) for p in problems] == ["line 6: not a readable JSON record (damaged or cut short)"]
    [p] = log.verify()
    assert p.line == 6
    rec = log.append(audit.Event("save", ME, {"ids": ["X"]}))
    assert rec["seq"] == 6 and rec["prev"] == records[-1]["hash"]
    assert json.loads(log.path.read_bytes().splitlines()[-1]) == rec  # on a fresh line of its own
    assert log.verify()[0].line == 6  # the damage stays reported


def test_removing_the_last_records_is_found_only_against_a_count_kept_elsewhere(log):
    """Cutting whole records off the end leaves a valid shorter chain: the chain proves order and content; the
    count or last hash printed by `verify` is what an operator keeps elsewhere to detect truncation."""
    lines = _lines(log)
    _write(log, lines[:-2])
    assert log.verify() == [] and len(log.read()[0]) == 4


def test_garbage_and_foreign_records_are_reported_not_fatal(log):
    with open(log.path, "ab") as f:
        f.write(b'\xff\xfe not json\n{"seq": 7}\n')
    records, problems = log.read()
    assert len(records) == 6 and [p.line for p in problems] == [7, 8]
    assert "not an audit record" in problems[1].why


def test_concurrent_appends_keep_one_chain(tmp_path):
    log = audit.FileAuditLog(tmp_path / "audit.jsonl")

    def work(n):
        for i in range(20):
            audit.FileAuditLog(log.path).append(audit.Event("save", ME, {"n": n, "i": i}))
    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert log.verify() == [] and len(log.read()[0]) == 80


def test_a_log_that_cannot_be_written_is_an_audit_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(audit.AuditError, match="cannot be written"):
        audit.FileAuditLog(tmp_path / "file" / "audit.jsonl").append(audit.Event("save", ME))


def test_unknown_action_and_empty_name_are_refused(tmp_path):
    log = audit.FileAuditLog(tmp_path / "audit.jsonl")
    with pytest.raises(ValueError):
        log.append(audit.Event("delete-everything", ME))
    with pytest.raises(ValueError):
        log.append(audit.Event("save", audit.Identity("  ")))
    assert not log.path.exists() or log.read() == ([], [])


def test_since_filters_by_time_in_shanghai(log):
    records, _ = log.read()
    assert audit.since(records, None) == records
    assert audit.since(records, dt.datetime(2000, 1, 1)) == records
    assert audit.since(records, dt.datetime.now() + dt.timedelta(days=2)) == []


def test_the_default_log_follows_the_data_folder(tmp_path, monkeypatch):
    from geo import config
    monkeypatch.setenv("SCIMAP_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SCIMAP_AUDIT_FILE", raising=False)
    assert audit.audit_path() == tmp_path / config.AUDIT_FILE_NAME
    monkeypatch.setenv("SCIMAP_AUDIT_FILE", str(tmp_path / "elsewhere.jsonl"))
    assert audit.open_audit().path == tmp_path / "elsewhere.jsonl"
