"""Sign-in and roles (AppTest with a faked ``st.user``, no browser): which pages and buttons exist per role, that
editing without sign-in is off unless the local mode is switched on (and the page says so), and that the audit
trail records the signed-in identity (never a typed name) for sign-in and undo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.io.audit import FileAuditLog
from geo.io.store import FileStore
from tests.io.test_store_faults import moved

APP = str(Path(__file__).resolve().parents[2] / "app.py")
AUTH = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                 "client_id": "scimap", "client_secret": "s", "server_metadata_url":
                 "http://127.0.0.1:9/.well-known/openid-configuration"}}


@pytest.fixture()
def env(data_copy, monkeypatch, tmp_path):
    from ui import data as app_data
    d, lay = data_copy
    monkeypatch.setenv("SCIMAP_DATA_DIR", str(d))
    monkeypatch.setenv("SCIMAP_LAYERS_DIR", str(lay))
    monkeypatch.delenv("SCIMAP_LOCAL_EDITING", raising=False)
    roles = tmp_path / "roles.json"
    roles.write_text(json.dumps({"Edith@Bureau.example": ["editor"], "vera@bureau.example": ["viewer"]}))
    monkeypatch.setenv("SCIMAP_ROLES_FILE", str(roles))
    app_data._load.clear()
    yield d, lay
    app_data._load.clear()


def app(user: dict | None = None, page: str | None = None, secrets: dict | None = AUTH) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["base"] = "none"
    if secrets:
        at.secrets = secrets
    if user is not None:
        at.user = user
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    if page is not None:
        at._page_hash = next(h for h, p in at._registered_pages.items() if p["url_pathname"] == page)
        at.run()
        assert not at.exception, [e.message for e in at.exception]
    return at


def pages(at: AppTest) -> list[str]:
    return sorted(p["url_pathname"] for p in at._registered_pages.values())


def signed_in(email: str, **claims) -> dict:
    return {"is_logged_in": True, "email": email, "sub": email.split("@")[0], "iss": "http://idp.example", **claims}


def texts(elements) -> str:
    return " ".join(e.value for e in elements).replace("\\", "").replace("\u200b", "")  # ui.notice: escaped, links broken


def test_without_sign_in_everything_is_read_only_and_the_page_says_why(env):
    at = app(page="boundaries", secrets=None)
    assert pages(at) == ["", "boundaries", "promoter"]  # no audit page, no sign-in page
    assert "数据维护为只读：本系统未配置统一身份认证" in texts(at.info)
    assert not at.tabs and not [b for b in at.button if b.key in ("edit_save", "edit_save_drawn", "edit_undo")]
    assert not at.get("file_uploader")
    assert "未配置统一身份认证：仅可浏览" in texts(at.caption)


def test_local_editing_must_be_switched_on_and_is_said(env, monkeypatch):
    monkeypatch.setenv("SCIMAP_LOCAL_EDITING", "1")
    at = app(page="boundaries", secrets=None)
    assert [t.label for t in at.tabs] == ["在地图上数字化", "导入文件", "修改记录"]
    assert at.get("file_uploader")
    assert "本地单用户编辑模式：未登录，身份未经验证，修改记为 local:" in texts(at.warning)
    assert pages(at) == ["", "boundaries", "promoter"]  # editing, not the audit trail


def test_with_sign_in_configured_nobody_signed_in_sees_only_the_sign_in_page(env):
    at = app({"is_logged_in": False})
    assert pages(at) == [""]  # one page, the default: the sign-in page
    assert "请登录" in [t.value for t in at.title]
    assert [b.label for b in at.button] == ["登录"]
    assert "统一身份认证" in texts(at.info)


@pytest.mark.parametrize(("user", "expected_pages", "can_edit"), [
    (signed_in("vera@bureau.example"), ["", "boundaries", "promoter"], False),  # roles file: viewer
    (signed_in("nobody@bureau.example"), ["", "boundaries", "promoter"], False),  # unknown: viewer
    (signed_in("edith@bureau.example"), ["", "boundaries", "promoter"], True),  # roles file, case-insensitive
    (signed_in("pat@bureau.example", roles=["planner", "promoter"]), ["", "boundaries", "promoter"], False),
    (signed_in("ada@bureau.example", roles=["admin"]), ["", "audit", "boundaries", "promoter"], True),  # claim
])
def test_the_role_decides_pages_and_buttons(env, user, expected_pages, can_edit):
    at = app(user, page="boundaries")
    assert pages(at) == expected_pages
    assert bool(at.tabs) == can_edit and bool(at.get("file_uploader")) == can_edit
    if not can_edit:
        assert "数据维护为只读：你的角色" in texts(at.info)
    assert f"已登录：{user['email']}" in texts(at.caption)
    assert [b.label for b in at.button if b.key == "auth_logout"] == ["退出登录"]


def test_sign_in_is_recorded_once_with_the_verified_identity_and_roles(env):
    d, _ = env
    at = app(signed_in("ada@bureau.example", roles=["admin"]))
    at.run()
    [rec] = FileAuditLog(d / "audit.jsonl").read()[0]
    assert rec["action"] == "sign-in" and rec["who"] == "ada@bureau.example" and rec["verified"] is True
    assert rec["details"]["roles"] == ["admin", "viewer"] and rec["details"]["issuer"] == "http://idp.example"


def test_undo_by_a_signed_in_editor_is_stored_and_recorded_under_their_identity(env):
    d, lay = env
    fs = FileStore(d, lay)
    [cid] = fs.save(moved(fs), "parcels", "someone", "surveyed", None)
    at = app(signed_in("edith@bureau.example"), page="boundaries")
    at.selectbox(key="edit_undo_pick").set_value(cid)
    at.button(key="edit_undo").click().run()
    assert not at.exception, [e.message for e in at.exception]
    h = fs.history()
    assert list(h.action) == ["save", "undo"] and list(h.who) == ["someone", "edith@bureau.example"]
    records = FileAuditLog(d / "audit.jsonl").read()[0]
    assert [r["action"] for r in records] == ["sign-in", "undo"]
    undo = records[1]
    assert undo["who"] == "edith@bureau.example" and undo["verified"] is True
    assert undo["details"]["changes"] == [cid] and undo["details"]["undo_change"] == h.change_id.iloc[1]


def test_the_admin_sees_verifies_and_downloads_the_audit_trail(env):
    d, _ = env
    at = app(signed_in("ada@bureau.example", roles=["admin"]), page="audit")
    assert "记录链完整：共 1 条" in texts(at.success)
    [table] = at.dataframe
    assert list(table.value["who"]) == ["ada@bureau.example"] and list(table.value["action"]) == ["登录"]
    assert list(table.value["verified"]) == ["已验证"]
    assert {b.proto.label for b in at.get("download_button")} == {
        "下载审计日志（JSON Lines，含哈希链）", "下载所示记录（CSV）"}
    next(b for b in at.get("download_button") if "audit_dl_jsonl" in b.proto.id).click().run()
    signed, handed = FileAuditLog(d / "audit.jsonl").read()[0]  # handing the trail out is recorded in it
    assert handed["action"] == "export" and handed["details"]["file"] == "audit.jsonl"
    assert handed["details"]["records"] == 1 and handed["who"] == "ada@bureau.example"
    at.run()
    assert "记录链完整：共 2 条" in texts(at.success)
    lines = (d / "audit.jsonl").read_bytes().splitlines(keepends=True)
    rec = json.loads(lines[0])
    rec["who"] = "mallory@bureau.example"
    (d / "audit.jsonl").write_bytes(json.dumps(rec).encode() + b"\n")
    at.run()
    assert "记录链被破坏：第 1 行（第 1 条记录）：记录被改动" in texts(at.error)
