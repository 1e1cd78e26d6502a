"""Page logic with Streamlit's AppTest (no browser): widgets, totals, what is sent to the map."""

import json
from pathlib import Path

import pytest
from streamlit.runtime.memory_media_file_storage import _calculate_file_id
from streamlit.testing.v1 import AppTest

from ui import mapcache, mapframe

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def run(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def served_script(file_id: str) -> str:
    """The base map script the app served as the media file ``file_id`` (the maps are shared by the server)."""
    scripts = [r.script_bytes for r in mapcache.SHARED._rendered.values()
               if _calculate_file_id(r.script_bytes, "application/javascript") == file_id]
    assert len(scripts) == 1, file_id
    return scripts[0].decode()


def map_args(at) -> dict:
    comps = [c for c in at.get("component_instance") if c.proto.component_name == mapframe.COMPONENT_NAME]
    assert len(comps) == 1
    args = json.loads(comps[0].proto.json_args)
    served = [u for u in args["js_links"] if "/media/" in u]  # the base map, served as a file
    assert len(served) == 1 and args["script"] == "", (args["js_links"], args["script"][:80])
    args["script"] = served_script(Path(served[0]).stem)
    args["js_links"].remove(served[0])
    args["all"] = args["script"] + (args.get("feature_group") or "")  # base map + swapped-in parcel layer
    return args


def open_tab(at: AppTest, key: str) -> AppTest:
    """Open a planner tab (only the open tab is drawn) as a click on it would."""
    at.session_state["tab_goto"] = key  # what a click on the tab bar amounts to (the app's own path)
    return at.run()


def enc(text: str) -> str:
    """How folium's tojson writes a string inside the map script (non-ASCII and < escaped)."""
    return json.dumps(text)[1:-1].replace("<", "\\u003c").replace(">", "\\u003e")


def has_parcel(script: str, pid: str) -> bool:
    return f'"project_id": "{pid}"' in script


def metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


def test_default_view_sends_every_parcel_with_local_assets(data):
    at = run({"base": "none"})
    m = metrics(at)
    assert m["项目数"] == str(len(data.projects))
    assert m["Σ占地（亩）"] == f"{data.projects.land_mu.sum():,.0f}"
    args = map_args(at)
    for pid in data.parcels.project_id:
        assert has_parcel(args["all"], pid), pid
        assert not has_parcel(args["script"], pid)  # parcels travel in the swappable layer
    links = args["js_links"] + args["css_links"]
    assert links and all(u.startswith("/app/static/vendor/") for u in links)
    assert "cdn" not in args["script"] + args["header"] + args["html"]


def test_sector_filter_changes_totals_and_map(data):
    at = run({"base": "none"})
    at.sidebar.multiselect[2].set_value(["检验检测"]).run()
    m = metrics(at)
    assert m["Σ占地（亩）"] == "1,197"  # 1011 + 106 + 80 (表4)
    script = map_args(at)["all"]
    shown = [pid for pid in data.parcels.project_id if has_parcel(script, pid)]
    assert shown == ["HTS-T4-01", "HTS-T4-02", "HTS-T4-03"]


def test_language_switch_changes_labels_and_popups():
    at = run({"base": "none"})
    at.sidebar.radio[0].set_value("en").run()
    assert at.title[0].value == "Science City Planning Map"
    assert "Projects" in metrics(at)
    args = map_args(at)
    assert "Source document" in args["all"] and enc("来源文件") not in args["all"]
    assert at.query_params["lang"] == ["en"] or at.query_params["lang"] == "en"


def test_url_reopens_filters_and_selection():
    at = run({"base": "none", "sector": "数字文创", "mu": "100~", "sel": "HTS-T5-08"})
    assert at.sidebar.multiselect[2].value == ["数字文创"]
    m = metrics(at)
    # 表5 rows with land ≥ 100 亩: 100 + 150 + 104 + 100 + 300 + 3000
    assert m["Σ占地（亩）"] == "3,754"
    assert any("虎溪山村文创基地" in md.value for md in at.markdown)  # details panel


def test_bad_url_values_warn_instead_of_crashing():
    at = run({"mu": "lots", "base": "mars", "z": "x"})
    warnings = " ".join(w.value for w in at.warning)
    assert "mu" in warnings and "mars" in warnings


@pytest.mark.parametrize("theme", ["land", "output", "per_mu"])
def test_thematic_modes_classify_zones(theme):
    at = run({"base": "none", "theme": theme})
    script = map_args(at)["script"]
    assert enc("自然断点分级") in script and "scimap-class-0" in script  # the legend in the page's language


def test_gaode_basemap_shifts_overlays_to_gcj02():
    wgs = map_args(run({"base": "none"}))["script"]
    gcj = map_args(run({"base": "gaode"}))["script"]
    assert "autonavi.com" in gcj and "autonavi.com" not in wgs
    assert wgs != gcj


def test_export_tab_writes_lists_and_compares_snapshots(tmp_path, monkeypatch):
    import datetime as dt

    from geo.io import export
    monkeypatch.setenv("SCIMAP_SNAPSHOT_DIR", str(tmp_path))
    at = open_tab(run({"base": "none", "sector": "检验检测"}), "tab_export")
    at.selectbox(key="exp_fmt").set_value("gpkg")
    make = next(b for b in at.button if b.label == "生成快照")
    make.click().run()
    assert any("已生成" in s.value for s in at.success)
    first = sorted(tmp_path.glob("*.gpkg"))
    assert len(first) == 1
    # a second, wider snapshot written by the library a second later, then compared in the app
    from geo.core.filter import Filter
    from geo.io.files import load_all
    export.export(load_all(), Filter(sectors=["检验检测", "数字文创"]), "geojson", tmp_path,
                  when=dt.datetime.now().astimezone() + dt.timedelta(seconds=2))
    at.run()
    next(b for b in at.button if b.label == "比较两个快照").click().run()
    frames = [d.value for d in at.dataframe]
    diff = next(f for f in frames if "change" in f.columns)
    assert (diff[(diff.layer == "项目地块")].change == "新增").sum() == 7  # values in the page's language
    assert set(diff.layer) <= {"项目地块", "规划片区", "规划项目", "规划指标"}


def test_promoter_link_reopens_profile_and_picks():
    at = run({"mode": "promoter", "ftext": "检验检测认证", "fmin": "50", "fmax": "150", "pick": "HTS-T4-03,HTS-T4-02",
              "base": "none"})
    assert at.text_input(key="f_text").value == "检验检测认证"
    assert at.multiselect(key="f_pick").value == ["HTS-T4-03", "HTS-T4-02"]
    top = next(m.value for m in at.markdown if "promo-top" in m.value)
    assert "#1" in top and ("科研与测试评价产业化基地" in top or "高新区科创示范项目二期" in top)
    assert at.query_params["pick"] in (["HTS-T4-03,HTS-T4-02"], "HTS-T4-03,HTS-T4-02")


def page_path(at) -> str:
    """The URL path of the page the last run showed ("" is /). AppTest keeps st.navigation's registry
    privately (it resolves switch_page with it); there is no public accessor."""
    return at._registered_pages[at._finished_page_script_hash]["url_pathname"]


def test_each_page_has_its_own_url_path():
    at = run({"base": "none"})
    assert page_path(at) == ""  # the planning map is the default page, at /
    assert sorted(p["url_pathname"] for p in at._registered_pages.values()) == ["", "boundaries", "promoter"]


@pytest.mark.parametrize(("mode", "path", "title"), [
    ("promoter", "promoter", "招商推介：为企业匹配地块"),
    ("edit", "boundaries", "数据维护：导入测绘边界与数字化"),
    ("planner", "", "科学城规划一张图"),
])
def test_old_mode_links_open_their_page_with_their_other_parameters(mode, path, title):
    at = run({"mode": mode, "base": "none", "sector": "数字文创", "ftext": "检验检测认证"})
    assert page_path(at) == path
    assert at.title[0].value == title
    assert "mode" not in at.query_params
    if mode == "promoter":  # the profile in the link is the page's
        assert at.text_input(key="f_text").value == "检验检测认证"
        assert at.query_params["ftext"] in (["检验检测认证"], "检验检测认证")
    elif mode == "edit":  # the page writes no state of its own: the link stays as it came
        assert {k: at.query_params[k] for k in at.query_params} in (
            {"base": "none", "sector": "数字文创", "ftext": "检验检测认证"},
            {"base": ["none"], "sector": ["数字文创"], "ftext": ["检验检测认证"]})
    else:  # the planning map's filter in the link is the map's
        assert at.sidebar.multiselect[2].value == ["数字文创"]
        assert at.query_params["sector"] in (["数字文创"], "数字文创")


def test_language_switch_keeps_the_filters():
    at = run({"base": "none", "sector": "检验检测"})
    land = metrics(at)["Σ占地（亩）"]
    at.sidebar.radio[0].set_value("en").run()
    assert at.sidebar.multiselect[2].value == ["检验检测"]
    assert metrics(at)["Σ land (mu)"] == land


def test_promoter_page_in_english():
    at = run({"mode": "promoter", "lang": "en", "ftext": "检验检测认证", "fmin": "50", "fmax": "150", "base": "none"})
    assert at.title[0].value == "Investment promotion: parcels for a prospective firm"
    assert at.text_input(key="f_text").label == "Firm's business (free text)"
    top = next(m.value for m in at.markdown if "promo-top" in m.value)
    assert "#1" in top and "（" not in top  # English punctuation around the score


def test_boundaries_page_history_times_in_shanghai(tmp_path, monkeypatch, data_copy):
    import datetime as dt

    import geopandas as gpd

    from geo.io import open_store
    d, lay = data_copy
    monkeypatch.setenv("SCIMAP_DATA_DIR", str(d))
    monkeypatch.setenv("SCIMAP_LAYERS_DIR", str(lay))
    store = open_store()
    parcel = store.load().parcels.set_index("project_id").loc["HTS-T4-01"]
    store.save(gpd.GeoDataFrame({"target_id": ["HTS-T4-01"]}, geometry=[parcel.geometry.buffer(0.0005)], crs=4326),
               "parcels", "tester", "digitised", None, note="test")
    at = run({"mode": "edit", "base": "none"})
    hist = next(df.value for df in at.dataframe if "change_id" in df.value.columns)
    when = dt.datetime.fromisoformat(store.history().when.iloc[-1])
    shanghai = when.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S")
    assert hist.when.iloc[0] == shanghai


def test_a_link_naming_what_does_not_exist_is_said_and_dropped():
    at = run({"base": "none", "district": "<img src=x onerror=alert(1)>", "sector": "检验检测"})
    warnings = " ".join(w.value for w in at.warning)
    assert "district\\=" in warnings and "\\<img" in warnings  # named, as text (Markdown-escaped)
    assert at.multiselect(key="districts").value == [] and at.multiselect(key="sectors").value == ["检验检测"]
    promo = run({"mode": "promoter", "base": "none", "fdist": "nowhere,两江新区"})
    assert any("fdist\\=\\'nowhere\\'" in w.value for w in promo.warning)
    assert promo.multiselect(key="f_dist").value == []  # a functional area is named by its id in links
