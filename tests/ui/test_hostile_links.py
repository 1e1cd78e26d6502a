"""Links with values no one meant: each is said (naming the parameter, shown as text) and ignored, never a
traceback; Markdown in a link stays text."""

from __future__ import annotations

import pytest

from tests.ui.test_app import run
from ui import urlstate


@pytest.mark.parametrize("params", [{"z": "inf"}, {"z": "nan"}, {"z": "1e999"}, {"lat": "nan", "lon": "106.4"},
                                    {"lat": "29.6"}, {"lat": "91", "lon": "106"}])
def test_a_view_that_is_no_place_is_ignored_with_a_warning(params):
    v, warnings = urlstate.from_params(params)
    assert v.zoom is None and v.lat is None and v.lon is None
    assert warnings == [("url_bad_view", {})]


@pytest.mark.parametrize("value", ["-5~", "nan~", "~inf", "10~5", "1e999~", "x" * 500])
def test_a_range_that_is_no_range_is_ignored_with_a_warning(value):
    v, warnings = urlstate.from_params({"mu": value})
    assert v.filter.land_mu == (None, None)
    assert warnings == [("url_bad_range", {"param": "mu", "value": value})]


def test_zoom_is_kept_within_the_maps_range():
    assert urlstate.from_params({"z": "25"})[0].zoom == 19 and urlstate.from_params({"z": "0"})[0].zoom == 3


@pytest.mark.parametrize(("param", "value"), [("fmin", "nan"), ("fmin", "-5"), ("fmax", "inf"), ("fmax", "many")])
def test_a_land_need_that_is_no_finite_amount_is_left_out_with_a_warning(param, value):
    profile, _, warnings = urlstate.profile_from_params({param: value, "fmax" if param == "fmin" else "fmin": "100"})
    assert getattr(profile, "land_min" if param == "fmin" else "land_max") is None
    assert warnings == [("url_bad_number", {"param": param, "value": value})]


def test_planner_link_with_infinite_zoom_and_markdown_warns_as_text():
    at = run({"base": "none", "z": "inf", "mu": "nan~", "sector": "![x](http://127.0.0.1:9/x.png)",
              "base2": "[sign in again](http://evil.example)"})
    shown = [w.value for w in at.warning]
    assert any("地图视图" in w for w in shown) and any("mu" in w for w in shown)
    img = next(w for w in shown if "x\\.png" in w)
    assert "\\!\\[x\\]\\(http\\:" in img.replace("\u200b", "")  # escaped: Streamlit shows the characters, loads no image


def test_promoter_link_with_bad_land_need_warns_and_opens():
    at = run({"mode": "promoter", "base": "none", "fmin": "nan", "fmax": "-5", "fsec": ":red[x] $y$"})
    shown = " ".join(w.value for w in at.warning)
    assert "fmin" in shown and "fmax" in shown and "\\:red\\[x\\] \\$y\\$" in shown
    assert at.number_input(key="f_min_in").value is None and at.number_input(key="f_max_in").value is None


def test_unknown_theme_selection_and_picks_are_said_not_dropped_silently():
    assert urlstate.from_params({"theme": "heat"})[1] == [("url_bad_item", {"param": "theme", "value": "heat"})]
    at = run({"base": "none", "sel": "NO-SUCH-1"})
    def said(at) -> str:  # the warnings as read (Markdown escapes and zero-width link breaks removed)
        return " ".join(w.value for w in at.warning).replace("\\", "").replace("\u200b", "")

    assert "sel='NO-SUCH-1'" in said(at) and at.session_state["selected"] == ""
    at = run({"mode": "promoter", "base": "none", "fsec": "检验检测", "pick": "NO-SUCH-2"})
    assert "pick='NO-SUCH-2'" in said(at)
    at.run()  # said once, not on every rerun
    assert "NO-SUCH-2" not in said(at)


def test_a_page_that_fails_says_so_in_its_language_without_a_traceback(monkeypatch):
    from ui import planner

    def broken(app, lang):
        raise ValueError("boom [x](http://evil.example)")
    monkeypatch.setattr(planner, "page", broken)
    at = run({"base": "none"})  # run() asserts there is no exception shown by Streamlit
    msg = " ".join(e.value for e in at.error)
    assert "出错了" in msg and "ValueError" in msg and "boom \\[x\\]" in msg
