"""The fact sheets' contact block is read from its file; a missing or broken file gives none."""

import json

from geo.io.contact import load_contact


def test_contact_file_is_read_and_a_bad_one_is_empty(tmp_path):
    f = tmp_path / "contact.json"
    f.write_text(json.dumps({"en": {"org": "ACME"}}), encoding="utf-8")
    assert load_contact(f) == {"en": {"org": "ACME"}}
    f.write_text("{not json", encoding="utf-8")
    assert load_contact(f) == {}
    assert load_contact(tmp_path / "absent.json") == {}
    f.write_text("[1, 2]", encoding="utf-8")
    assert load_contact(f) == {}


def test_configured_contact_file(tmp_path, monkeypatch):
    f = tmp_path / "c.json"
    f.write_text(json.dumps({"zh": {"org": "单位"}}), encoding="utf-8")
    monkeypatch.setenv("SCIMAP_CONTACT_FILE", str(f))
    assert load_contact() == {"zh": {"org": "单位"}}


def test_a_contact_file_of_any_shape_gives_its_problems_not_an_exception(tmp_path):
    from geo.io.contact import read_contact
    f = tmp_path / "contact.json"
    cases = {
        "[" * 30000 + "]" * 30000: "cannot be read as UTF-8 JSON",
        '"just text"': "is a JSON str, not an object",
        json.dumps({"zh": ["a"]}): "contact.json: zh: is list, not an object of org",
        json.dumps({"zh": {"org": {"x": 1}}}): "contact.json: zh.org: is dict, not text",
        json.dumps({"de": {"org": "x"}, "zh": {"org": "单位"}}): "unknown key 'de' (use zh, en)",
    }
    for text, problem in cases.items():
        f.write_text(text, encoding="utf-8")
        contact, problems = read_contact(f)
        assert any(problem in p for p in problems), (text[:40], problems)
    assert read_contact(f)[0] == {"zh": {"org": "单位"}}  # the right part of the last file is kept
    f.write_bytes(b"{" + b" " * (70 * 1024) + b"}")
    assert read_contact(f) == ({}, ["contact.json: larger than 64 KB, not read"])
    f.write_bytes(b"\xff\xfe{}")
    assert "cannot be read as UTF-8 JSON" in read_contact(f)[1][0]


def test_contact_problems_read_in_chinese():
    from geo import i18n
    assert i18n.message("contact.json: en.org: is int, not text", "zh") == "contact.json：en.org：是 int，不是文本"
