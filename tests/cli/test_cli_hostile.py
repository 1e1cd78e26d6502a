"""The command line under bad arguments: a message naming the argument and the problem, never a traceback,
and nothing written."""

from __future__ import annotations

import json

import pytest

from geo import __main__ as cli


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        rc = cli.main(list(argv))
    except SystemExit as e:  # argparse: exit 2 naming the argument
        rc = e.code
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return rc, out, err


@pytest.mark.parametrize(("arg", "value", "why"), [
    ("--min-mu", "nan", "'nan' is not a number"), ("--min-mu", "-5", "-5 is below 0"),
    ("--max-mu", "inf", "'inf' is not finite"), ("--max-yi", "1e400", "'1e400' is not finite"),
    ("--min-yi", "lots", "'lots' is not a number")])
def test_export_refuses_amounts_that_are_no_finite_number(capsys, tmp_path, arg, value, why):
    rc, _, err = run(capsys, "export", "--format", "geojson", "-o", str(tmp_path / "out"), arg, value)
    assert rc == 2 and f"argument {arg}: {why}" in err
    assert not (tmp_path / "out").exists()


def test_export_refuses_a_range_upside_down(capsys, tmp_path):
    rc, _, err = run(capsys, "export", "--format", "csv", "-o", str(tmp_path), "--min-mu", "10", "--max-mu", "5")
    assert rc == 2 and "--min-mu 10 is above --max-mu 5" in err
    assert list(tmp_path.iterdir()) == []


def test_export_into_proc_or_onto_a_file_is_a_message(capsys, tmp_path):
    rc, _, err = run(capsys, "export", "--format", "geojson", "-o", "/proc/scimap-test")
    assert rc == 1 and "/proc/scimap-test" in err
    f = tmp_path / "a.csv"
    f.write_text("x", encoding="utf-8")
    rc, _, err = run(capsys, "export", "--format", "geojson", "-o", str(f))
    assert rc == 1 and str(f) in err and f.read_text(encoding="utf-8") == "x"


@pytest.mark.parametrize("out", ["{tmp}", "{tmp}/sheet.docx", "{tmp}/sheet"])
def test_factsheet_output_must_be_a_pdf_or_html_file(capsys, tmp_path, out):
    target = out.format(tmp=tmp_path)
    rc, _, err = run(capsys, "factsheet", "HTS-T2-06", "-o", target)
    assert rc == 2 and "argument -o/--out" in err and target in err
    assert list(tmp_path.iterdir()) == []


def test_factsheet_into_proc_is_a_message(capsys):
    rc, _, err = run(capsys, "factsheet", "HTS-T2-06", "-o", "/proc/scimap-test.html")
    assert rc == 1 and "cannot write /proc/scimap-test.html" in err


def test_factsheet_with_an_unknown_project_names_it_without_quotes_noise(capsys, tmp_path):
    rc, _, err = run(capsys, "factsheet", "NOPE-9", "-o", str(tmp_path / "a.html"))
    assert rc == 1 and "factsheet failed: no project 'NOPE-9'" in err and '"' not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("by", ["nope", "land_mu", "geometry", "quote_zh"])
def test_summary_by_a_column_it_cannot_group_by(capsys, by):
    rc, _, err = run(capsys, "summary", "--by", by)
    assert rc == 2 and "argument --by" in err and f"'{by}'" in err


def test_summary_by_district_counts_a_project_in_each_of_its_districts(capsys, data):
    rc, out, _ = run(capsys, "summary", "--by", "districts")
    assert rc == 0
    rows = {line.split()[0]: int(line.split()[1]) for line in out.splitlines()[1:]}
    multi = data.enriched.districts.fillna("").str.split(";")
    assert rows["渝中区"] == sum("渝中区" in d for d in multi)
    assert sum(rows.values()) == sum(max(1, len([x for x in d if x])) for d in multi)


def test_an_unexpected_failure_is_one_line_not_a_traceback(capsys, monkeypatch):
    def boom(args):
        raise ZeroDivisionError("division by zero in a command")
    monkeypatch.setitem(cli.COMMANDS, "summary", cli.Command("x", cli._summary_args, boom))
    rc, _, err = run(capsys, "summary")
    assert rc == 1 and err.strip() == "python -m geo summary: failed: ZeroDivisionError: division by zero in a command"


def test_a_contact_file_of_the_wrong_shape_is_named_and_left_out(capsys, tmp_path, monkeypatch):
    contact = tmp_path / "contact.json"
    contact.write_text(json.dumps({"zh": "单位", "en": {"org": 5, "phone": "123", "fax": "9"}}), encoding="utf-8")
    monkeypatch.setenv("SCIMAP_CONTACT_FILE", str(contact))
    rc, _, err = run(capsys, "factsheet", "HTS-T2-06", "--lang", "en", "-o", str(tmp_path / "s.html"))
    assert rc == 0
    assert "contact.json: zh: is str, not an object" in err and "contact.json: en.org: is int, not text" in err
    assert "unknown key 'fax'" in err
    page = (tmp_path / "s.html").read_text(encoding="utf-8")
    assert "<div>123</div>" in page  # what is right in the file is kept


def test_validate_names_a_damaged_history_line(capsys, data_copy):
    d, lay = data_copy
    with open(d / "history.jsonl", "ab") as f:
        f.write(b'{"change_id": "abc", "wh')
    rc, out, _ = run(capsys, "validate", "--data", str(d), "--layers", str(lay))
    assert rc == 0 and "WARNING: history.jsonl line 1 is cut off" in out
