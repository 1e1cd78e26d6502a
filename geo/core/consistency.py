"""The plans' own internal consistency: do the tables add up to the totals the text states?

Each check in data/checks.csv sums one column over a selection of rows of projects.csv or
targets.csv (a pandas query, e.g. `source_doc == "HTS" and source_ref == "表2"`), times a unit
scale, and compares it with a stated figure in data/targets.csv. A mismatch is the plan's, not ours: it is reported as a warning
with both numbers and their sources, and neither number is changed.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

CHECK_COLUMNS = ["check_id", "description_zh", "description_en", "table", "query", "column", "scale", "target_id", "tolerance"]


@dataclass
class CheckResult:
    """One check's outcome: the table's sum against the figure the plan states, with both sources."""

    check_id: str
    description_zh: str
    description_en: str
    table_sum: float
    table_rows: int
    table_source: str
    stated: float
    stated_text: str
    stated_source: str
    ok: bool

    def message(self) -> str:
        """The outcome in words, both numbers with their sources (English, then the Chinese description).

        Returns
        -------
        str
        """
        verdict = "agrees" if self.ok else "DISAGREES"
        diff = self.table_sum - self.stated
        return (f"{self.description_en} / {self.description_zh} — table sum {self.table_sum:g} "
                f"({self.table_rows} rows, {self.table_source}) {verdict} with stated {self.stated_text} "
                f"({self.stated_source})" + ("" if self.ok else f"; difference {diff:+g}"))


def _with_unit(text: str, unit: str) -> str:
    return text if not unit or text.endswith(unit) else f"{text} {unit}"


def run_checks(projects: pd.DataFrame, targets: pd.DataFrame, checks: pd.DataFrame) -> list[CheckResult]:
    """Sum each check's column over its rows and compare it with the stated target.

    Parameters
    ----------
    projects, targets : pandas.DataFrame
        The loaded tables.
    checks : pandas.DataFrame
        The checks table (columns :data:`CHECK_COLUMNS`; read by ``geo.pipeline.validate.read_checks``).

    Returns
    -------
    list of CheckResult

    Raises
    ------
    KeyError
        When a check names a target that does not exist.
    """
    out = []
    t = targets.set_index("target_id")
    for c in checks.itertuples():
        table = {"projects": projects, "targets": targets}[c.table]
        rows = table.query(c.query, engine="python")
        total = float(rows[c.column].sum(min_count=1)) * float(c.scale or 1) if len(rows) else float("nan")
        total = round(total, 6)
        if c.target_id not in t.index:
            raise KeyError(f"check {c.check_id}: target_id {c.target_id} not in targets.csv")
        tr = t.loc[c.target_id]
        stated = float(tr.value)
        tol = float(c.tolerance or 0)
        refs = sorted(set(rows.source_doc + " " + rows.source_ref))
        out.append(CheckResult(
            c.check_id, c.description_zh, c.description_en, total, int(len(rows)), ", ".join(refs),
            stated, _with_unit(tr.value_text or str(tr.value), tr.unit_zh or ""),
            f"{tr.source_doc} {tr.source_ref}: “{tr.quote_zh}”", abs(total - stated) <= tol,
        ))
    return out
