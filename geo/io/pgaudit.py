"""The audit trail in the database, when the store is PostgreSQL (``SCIMAP_DATABASE_URL``).

The same records and hash chain as the file log (:mod:`geo.io.audit`), one row each in ``scimap.audit``
(``seq`` and the record's exact JSON text, so its hash can be checked as stored). Appends take an exclusive lock
on the table for the transaction (several app servers append one chain); a trigger refuses ``UPDATE``,
``DELETE`` and ``TRUNCATE``, and whoever bypasses it (a superuser disabling the trigger) breaks the chain, which
:meth:`PostgresAuditLog.verify` names.
"""

from __future__ import annotations

import psycopg

from geo.config import redact_url
from geo.io import audit

DDL = """
CREATE SCHEMA IF NOT EXISTS scimap;
CREATE TABLE IF NOT EXISTS scimap.audit (seq bigint PRIMARY KEY, record text NOT NULL);
CREATE OR REPLACE FUNCTION scimap.audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$;
DROP TRIGGER IF EXISTS audit_append_only ON scimap.audit;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON scimap.audit
    FOR EACH ROW EXECUTE FUNCTION scimap.audit_append_only();
DROP TRIGGER IF EXISTS audit_no_truncate ON scimap.audit;
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON scimap.audit
    FOR EACH STATEMENT EXECUTE FUNCTION scimap.audit_append_only();
"""
"""The table and its append-only triggers (run once, on the first append to a database without them)."""
CONNECT_TIMEOUT_S = 5


class PostgresAuditLog:
    """The audit trail as rows of ``scimap.audit``.

    Parameters
    ----------
    url : str
        ``postgresql://…`` of the store's database.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.path = redact_url(url) + " (scimap.audit)"

    def __repr__(self) -> str:
        """The log's class and database, without a password."""
        return f"PostgresAuditLog({self.path!r})"

    def _connect(self) -> psycopg.Connection:
        try:
            return psycopg.connect(self.url, connect_timeout=CONNECT_TIMEOUT_S, application_name="scimap-audit")
        except psycopg.Error as e:
            raise audit.AuditError(f"the audit trail in {self.path} cannot be reached: "
                                   f"{redact_url(str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__)}") from None

    def append(self, event: audit.Event) -> dict:
        """Record ``event`` after the last row, in one transaction holding the table's exclusive lock.

        Parameters
        ----------
        event : geo.io.audit.Event

        Returns
        -------
        dict
            The record as stored.

        Raises
        ------
        geo.io.audit.AuditError
            When the database cannot be reached or refuses the row.
        """
        try:
            with self._connect() as conn:
                if not self._exists(conn):
                    with conn.transaction():  # one creator at a time: CREATE … IF NOT EXISTS races otherwise
                        conn.execute("SELECT pg_advisory_xact_lock(hashtext('scimap.audit'))")
                        if not self._exists(conn):
                            conn.execute(DDL)
                with conn.transaction():
                    conn.execute("LOCK TABLE scimap.audit IN EXCLUSIVE MODE")
                    last = conn.execute("SELECT seq, record FROM scimap.audit ORDER BY seq DESC LIMIT 1").fetchone()
                    prev_rec = audit.parse(last[1].encode("utf-8"), last[0])[0] if last else None
                    seq = last[0] if last else 0
                    prev = str(prev_rec["hash"]) if prev_rec else audit.GENESIS
                    rec = audit.make_record(event, seq + 1, prev)
                    conn.execute("INSERT INTO scimap.audit (seq, record) VALUES (%s, %s)",
                                 (rec["seq"], audit.line_of(rec).decode("utf-8")))
                return rec
        except psycopg.Error as e:
            raise audit.AuditError(f"the audit trail in {self.path} cannot be written: "
                                   f"{str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__}") from None

    @staticmethod
    def _exists(conn: psycopg.Connection) -> bool:
        return conn.execute("SELECT to_regclass('scimap.audit') IS NOT NULL").fetchone()[0]

    def lines(self) -> list[tuple[int, dict | None, audit.Problem | None]]:
        """Every row in ``seq`` order: (its ``seq``, record or None, problem or None).

        Returns
        -------
        list of tuple

        Raises
        ------
        geo.io.audit.AuditError
            When the database cannot be reached.
        """
        try:
            with self._connect() as conn:
                if not self._exists(conn):
                    return []
                rows = conn.execute("SELECT seq, record FROM scimap.audit ORDER BY seq").fetchall()
        except psycopg.Error as e:
            raise audit.AuditError(f"the audit trail in {self.path} cannot be read: {type(e).__name__}") from None
        return [(n, *audit.parse(text.encode("utf-8"), n)) for n, text in rows]

    def read(self) -> tuple[list[dict], list[audit.Problem]]:
        """Every readable record in order, and the rows that could not be read.

        Returns
        -------
        (list of dict, list of Problem)
        """
        got = self.lines()
        return [r for _, r, _ in got if r is not None], [p for _, _, p in got if p is not None]

    def verify(self) -> list[audit.Problem]:
        """Check the whole trail (:func:`geo.io.audit.check`); a row's "line" is its ``seq``.

        Returns
        -------
        list of Problem
        """
        return audit.check(self.lines())

    def export_bytes(self) -> bytes:
        """The rows as JSON lines, as stored (the same bytes as a file log of the same records).

        Returns
        -------
        bytes
        """
        try:
            with self._connect() as conn:
                if not self._exists(conn):
                    return b""
                rows = conn.execute("SELECT record FROM scimap.audit ORDER BY seq").fetchall()
        except psycopg.Error as e:
            raise audit.AuditError(f"the audit trail in {self.path} cannot be read: {type(e).__name__}") from None
        return b"".join(text.encode("utf-8") + b"\n" for (text,) in rows)
