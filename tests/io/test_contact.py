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
