"""The audit trail in the database (the store is PostgreSQL): the same chain as the file log, appends from
several processes keep one chain, the table refuses UPDATE, DELETE and TRUNCATE, and a record altered, removed or
reordered behind the trigger's back is named by ``verify`` (and by ``python -m geo audit verify``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from geo import config
from geo.io import audit
from geo.io.pgaudit import PostgresAuditLog

pytestmark = pytest.mark.postgis
ROOT = Path(__file__).resolve().parents[2]
ME = audit.Identity("ada@bureau.example", verified=True)


def _fill(url: str, n: int = 4) -> PostgresAuditLog:
    log = PostgresAuditLog(url)
    for i in range(n):
        log.append(audit.Event("save", ME, {"ids": [f"P-{i}"]}, "10.0.0.7"))
    return log


def _sql(url: str, *statements: str) -> None:
    """Statements run as the cluster's superuser with the append-only triggers off (tampering, as an attacker)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER TABLE scimap.audit DISABLE TRIGGER USER")
        for s in statements:
            conn.execute(s)
        conn.execute("ALTER TABLE scimap.audit ENABLE TRIGGER USER")


def test_records_chain_in_the_database_as_in_a_file(postgis_url, tmp_path):
    log = _fill(postgis_url)
    records, problems = log.read()
    assert not problems and log.verify() == [] and [r["seq"] for r in records] == [1, 2, 3, 4]
    assert records[0]["prev"] == audit.GENESIS and records[1]["prev"] == records[0]["hash"]
    f = audit.FileAuditLog(tmp_path / "copy.jsonl")
    f.path.write_bytes(log.export_bytes())  # the download is the same JSON lines: it verifies outside
    assert f.verify() == [] and f.read()[0] == records


def test_the_table_refuses_changes(postgis_url):
    _fill(postgis_url, 2)
    with psycopg.connect(postgis_url, autocommit=True) as conn:
        for stmt in ("UPDATE scimap.audit SET record = '{}' WHERE seq = 1", "DELETE FROM scimap.audit WHERE seq = 2",
                     "TRUNCATE scimap.audit"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                conn.execute(stmt)
    assert len(PostgresAuditLog(postgis_url).read()[0]) == 2


def test_tampering_behind_the_triggers_is_named(postgis_url):
    log = _fill(postgis_url)
    rec = json.loads(log.export_bytes().splitlines()[1])
    rec["who"] = "mallory"
    _sql(postgis_url, f"UPDATE scimap.audit SET record = '{json.dumps(rec)}' WHERE seq = 2")
    [p] = log.verify()
    assert p.seq == 2 and p.kind == "altered"
    _sql(postgis_url, "DELETE FROM scimap.audit WHERE seq = 2")
    [p] = log.verify()
    assert p.seq == 3 and p.kind == "order" and p.expected == 2


def test_reordered_rows_are_named(postgis_url):
    log = _fill(postgis_url)
    _sql(postgis_url, "UPDATE scimap.audit SET seq = -seq WHERE seq IN (2, 3)",
         "UPDATE scimap.audit SET seq = 3 WHERE seq = -2", "UPDATE scimap.audit SET seq = 2 WHERE seq = -3")
    [p] = log.verify()
    assert p.line == 2 and p.seq == 3 and p.kind == "order"


def test_concurrent_processes_append_one_chain(postgis_url):
    code = ("import sys\nfrom geo.io import audit\nfrom geo.io.pgaudit import PostgresAuditLog\n"
            "log = PostgresAuditLog(sys.argv[1])\n"
            "for i in range(15):\n    log.append(audit.Event('export', audit.Identity('p'), {'i': i}))\n")
    procs = [subprocess.Popen([sys.executable, "-c", code, postgis_url], cwd=ROOT) for _ in range(3)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    log = PostgresAuditLog(postgis_url)
    assert log.verify() == [] and len(log.read()[0]) == 45


def test_the_database_is_the_log_when_it_is_the_store_and_the_cli_verifies_it(postgis_url, monkeypatch):
    monkeypatch.setenv("SCIMAP_DATABASE_URL", postgis_url)
    monkeypatch.delenv("SCIMAP_AUDIT_FILE", raising=False)
    assert isinstance(audit.open_audit(), PostgresAuditLog)
    monkeypatch.setenv("SCIMAP_AUDIT_FILE", "/tmp/elsewhere.jsonl")  # an explicit file wins
    assert isinstance(audit.open_audit(), audit.FileAuditLog)
    _fill(postgis_url, 3)
    env = {"PATH": "/usr/bin:/bin", "SCIMAP_DATABASE_URL": postgis_url, "HOME": "/tmp"}
    ok = subprocess.run([sys.executable, "-m", "geo", "audit", "verify"], cwd=ROOT, env=env, capture_output=True,
                        text=True, timeout=120)
    assert ok.returncode == 0 and "3 record(s), chain intact" in ok.stdout and "scimap.audit" in ok.stdout
    _sql(postgis_url, "DELETE FROM scimap.audit WHERE seq = 1")
    bad = subprocess.run([sys.executable, "-m", "geo", "audit", "verify"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert bad.returncode == 1 and "(record 2): record 1 is expected here" in bad.stderr
    assert config.redact_url(postgis_url) in bad.stderr or "scimap.audit" in bad.stderr
