"""Sign-in end to end, offline: a local OpenID Connect provider (PyPI ``oidc-provider-mock``) on loopback, the app
with ``[auth]`` pointing at it, Chromium signing in. Nobody signed in sees only the sign-in page; the provider's
user comes back signed in, named by their e-mail; the role (from the token's ``roles`` claim) decides which pages
and buttons exist; the sign-in is in the audit trail as verified."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from oidc_provider_mock import User, run_server_in_thread
from playwright.sync_api import expect, sync_playwright

from geo.io.audit import FileAuditLog
from tests.browser_helpers import CHROMIUM, LAUNCH_ARGS, free_port

ROOT = Path(__file__).resolve().parents[2]
USERS = [User(sub="ada", claims={"email": "ada@bureau.example", "roles": ["admin"]}),
         User(sub="vera", claims={"email": "vera@bureau.example"})]


@contextlib.contextmanager
def app_server(port: int, env: dict):
    """The app on ``port`` (the redirect URI names it), its log in the temp folder."""
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
           "--server.headless", "true", "--server.address", "127.0.0.1"]
    with open(Path(env["SCIMAP_DATA_DIR"]).parent / "streamlit.log", "w") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
        try:
            for _ in range(300):
                try:
                    if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).read() == b"ok":
                        break
                except OSError:
                    time.sleep(0.1)
            else:
                raise RuntimeError("streamlit did not start")
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            proc.wait(timeout=20)


@pytest.fixture(scope="module")
def signed_app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("signin")
    local = shutil.ignore_patterns(".store.lock", "audit.jsonl*")
    shutil.copytree(ROOT / "data", tmp / "data", ignore=local)
    shutil.copytree(ROOT / "layers", tmp / "layers", ignore=local)
    with run_server_in_thread(port=0, user_claims=USERS) as idp:
        port = free_port()
        secrets = tmp / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            f'cookie_secret = "{"c" * 40}"\n'
            'client_id = "scimap"\nclient_secret = "not-a-secret"\n'
            f'server_metadata_url = "http://localhost:{idp.server_port}/.well-known/openid-configuration"\n',
            encoding="utf-8")
        env = {"SCIMAP_DATA_DIR": str(tmp / "data"), "SCIMAP_LAYERS_DIR": str(tmp / "layers"),
               "STREAMLIT_SECRETS_FILES": str(secrets), "NO_PROXY": "localhost,127.0.0.1",
               "no_proxy": "localhost,127.0.0.1"}
        with app_server(port, env) as url:
            yield url, tmp


def sign_in(page, url: str, sub: str) -> None:
    page.goto(url + "/?base=none")
    expect(page.get_by_text("请登录")).to_be_visible(timeout=60000)
    nav = page.locator('[data-testid="stSidebarNav"] a')
    assert nav.count() <= 1  # the sign-in page only
    page.get_by_role("button", name="登录").click()
    page.get_by_role("button", name=sub, exact=True).click()  # the provider's form: a predefined user
    expect(page.get_by_text("已登录：")).to_be_visible(timeout=60000)


@pytest.mark.parametrize(("sub", "email", "pages", "edits"), [
    ("ada", "ada@bureau.example", ["规划浏览", "招商推介", "数据维护", "审计日志"], True),
    ("vera", "vera@bureau.example", ["规划浏览", "招商推介", "数据维护"], False),
])
def test_chromium_signs_in_and_the_role_decides(signed_app, sub, email, pages, edits):
    url, tmp = signed_app
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        try:
            sign_in(page, url, sub)
            expect(page.get_by_text(f"已登录：{email}")).to_be_visible(timeout=30000)
            nav = page.locator('[data-testid="stSidebarNav"] a')
            expect(nav).to_have_count(len(pages), timeout=30000)
            assert [t.strip() for t in nav.all_inner_texts()] == pages
            page.goto(url + "/boundaries?base=none")
            expect(page.get_by_text("数据维护：导入测绘边界与数字化")).to_be_visible(timeout=60000)
            if edits:
                expect(page.get_by_role("tab", name="导入文件")).to_be_visible(timeout=30000)
            else:
                expect(page.get_by_text("数据维护为只读：你的角色")).to_be_visible(timeout=30000)
                assert page.get_by_role("tab", name="导入文件").count() == 0
            page.get_by_role("button", name="退出登录").click()
            page.get_by_role("button", name="End session").click()  # the provider's own sign-out page
            expect(page.get_by_text("请登录")).to_be_visible(timeout=60000)
            assert page.get_by_text("已登录：").count() == 0
        finally:
            b.close()
    records = [r for r in FileAuditLog(tmp / "data" / "audit.jsonl").read()[0] if r["who"] == email]
    assert [r["action"] for r in records] == ["sign-in"] and records[0]["verified"] is True
    assert records[0]["details"]["issuer"].startswith("http://localhost:")
    assert isinstance(records[0]["details"]["token_issued_at"], int)  # one record per token, not per page load
