"""The promoter page in Chromium: enter a firm profile, see the matches on the map, get fact sheets."""

import io
import re
import unicodedata
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from pypdf import PdfReader

from tests.browser_helpers import CHROMIUM, LAUNCH_ARGS, streamlit_server, wait_map

ART = Path(__file__).resolve().parents[2] / "artifacts"


@pytest.fixture(scope="module")
def server():
    ART.mkdir(exist_ok=True)
    with streamlit_server() as url:
        yield url


def test_promoter_walkthrough(server):
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        page = b.new_page(viewport={"width": 1500, "height": 1600}, accept_downloads=True)
        page.goto(server + "/promoter?base=none")
        expect(page.get_by_text("招商推介：为企业匹配地块")).to_be_visible(timeout=60000)
        # the profile, typed in as a promoter would
        box = page.get_by_label("企业行业 / 业务（自由填写）")
        box.fill("半导体芯片设计")
        box.press("Enter")
        for label, value in (("用地需求下限（亩）", "100"), ("用地需求上限（亩）", "200")):
            n = page.get_by_label(label)
            n.fill(value)
            n.press("Enter")
        zone = page.locator('[data-testid="stMultiSelect"]').filter(has_text="偏好片区")
        zone.click()
        page.keyboard.type("西永街道")
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        top = page.locator("[data-testid='promo-top']")
        expect(top).to_contain_text("#1 西永集成电路孵化片区（1.00）", timeout=30000)
        # the matches on the map, ranked
        frame = wait_map(page)
        expect(frame.locator("path.scimap-match")).to_have_count(10, timeout=30000)
        expect(frame.locator(".scimap-rank").first).to_have_text("1")
        expect(page).to_have_url(re.compile(r"ftext=.*fzone=town_xiyong.*pick=HTS-T2-06"), timeout=15000)
        page.screenshot(path=str(ART / "promoter_walkthrough.png"), full_page=True)
        # fact sheets: HTML, then PDF
        with page.expect_download() as dl:
            page.get_by_role("button", name="下载推介资料（HTML）").click()
        html = Path(dl.value.path()).read_text(encoding="utf-8")
        assert "西永集成电路孵化片区" in html and "150 亩" in html
        page.get_by_role("button", name="生成 PDF").click()
        pdf_button = page.get_by_role("button", name="下载推介资料（PDF）")
        expect(pdf_button).to_be_visible(timeout=60000)
        with page.expect_download() as dl:
            pdf_button.click()
        text = unicodedata.normalize("NFKC", PdfReader(io.BytesIO(Path(dl.value.path()).read_bytes())).pages[0].extract_text())
        assert "西永集成电路孵化片区" in text and "微电园站" in text
        b.close()
