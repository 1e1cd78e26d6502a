"""Data that reaches a map's HTML stays text: layer names in every layer control, legend rows and colours,
the details table, exported KML descriptions — markup escaped, template syntax left alone.

(The same payloads in a real browser: tests/ui/test_hostile_output_browser.py.)
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import folium
import pytest
from streamlit_folium import _get_layer_control_string

from geo.core.filter import Filter, apply_filter
from geo.render import legendbox, mapview, popup, style
from geo.render.elements.layercontrol import LayerControl
from geo.render.options import MapOptions

ROOT = Path(__file__).resolve().parents[2]
PAYLOADS = ["<img src=x onerror=window.__pwned=1>", "{{ 7*7 }}", "{% for x in range(3) %}x{% endfor %}",
            "</script><script>window.__pwned=2</script>", '" onmouseover="window.__pwned=3', "a & b < c"]


def hostile(data, title: str, zone_name: str = ""):
    """The shipped data with every plan layer titled ``title`` (both languages) and, optionally, every zone named."""
    evil = copy.copy(data)
    evil.manifest = copy.deepcopy(data.manifest)
    for k, layer in enumerate(evil.manifest["layers"]):
        layer["title_zh"] = layer["title_en"] = f"{title} #{k}"
    if zone_name:
        evil.zones = data.zones.copy()
        evil.zones["name_zh"] = zone_name
        evil.zones["name_en"] = zone_name
    return evil


def control_names(page: str) -> list[str]:
    """The names of a rendered layer control's base layers and overlays (as the JSON keys of its script)."""
    block = re.search(r"_layers = \{(.*?)\};\s*let ", page, re.S)
    assert block, "no layer control in the page"
    return re.findall(r'^\s*"((?:[^"\\]|\\.)*)" : ', block.group(1), re.M)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_layer_titles_reach_the_layer_control_escaped(data, payload):
    evil = hostile(data, payload)
    m = mapview.build_map(evil, apply_filter(evil, Filter()), MapOptions(basemap="none"))
    page = m.get_root().render()
    names = [n.encode().decode("unicode_escape") for n in control_names(page)]
    assert names, "the map has named layers"
    for n in names:
        assert "<" not in n and ">" not in n and '"' not in n  # only entities: Leaflet's innerHTML shows text
    if "{{" in payload or "{%" in payload:
        assert any(payload in n for n in names)  # template syntax is text, not evaluated ("49" or "xxx")


def test_the_streamlit_folium_layer_control_escapes_too():
    """What the app sends (st_folium's ``layer_control``), for our class and for folium's own."""
    for control in (LayerControl(collapsed=True), folium.LayerControl()):
        m = folium.Map(tiles=None)
        folium.FeatureGroup(name=PAYLOADS[0]).add_to(m)
        folium.FeatureGroup(name=PAYLOADS[1]).add_to(m)
        script = _get_layer_control_string(control, m)
        assert "\\u0026lt;img src=x onerror=window.__pwned=1\\u0026gt;" in script
        assert "<img" not in script and "\\u003cimg" not in script
        assert '"{{ 7*7 }}"' in script


def test_no_page_builds_an_unescaped_layer_control():
    """Every layer control of the app is ours or folium's made escaping (geo.render installs it)."""
    import geo.render  # noqa: F401

    assert folium.LayerControl.__dict__.get("_scimap_escaped") is True
    for path in [*(ROOT / "geo").rglob("*.py"), *(ROOT / "ui").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        if "LayerControl(" in text and path.name != "layercontrol.py":
            assert "import geo.render" in text or "from geo.render" in text, path  # the install has run


def test_legend_rows_and_colours_from_the_manifest_are_text(data):
    fg = folium.FeatureGroup(name="x")
    layer = {"layer_id": "evil", "kind": "zones", "title_zh": PAYLOADS[0], "title_en": PAYLOADS[0],
             "default_style": {"color": "red;background:url(http://127.0.0.1:9/x.png)"}}
    row = legendbox.layer_row(layer, fg, "zh")
    assert "<img" not in row and "&lt;img src=x onerror=window.__pwned=1&gt;" in row
    assert "url(" not in row and style.FALLBACK_COLOUR in row
    sec = style.legend_html(PAYLOADS[3], [("#fff", PAYLOADS[4], "solid; background:url(x)")])
    assert "<script>" not in sec and "url(" not in sec and '" onmouseover' not in sec


def test_a_zone_with_a_blank_line_in_its_name_cannot_end_the_details_html(data):
    """The details table goes through st.markdown(unsafe_allow_html): a blank line in a value would end the
    HTML block and let Markdown (an image fetch) through; values are one line of escaped text."""
    row = data.zones.iloc[0].copy()
    row["name_zh"] = "园区\n\n![x](http://127.0.0.1:9/x.png) <b>b</b>"
    html = popup.table_html(row, popup.ZONE_FIELDS, "zh")
    assert "\n" not in html and "<b>" not in html and "&lt;b&gt;" in html


def test_kml_descriptions_are_escaped(data, tmp_path):
    from geo.io import export

    evil = copy.copy(data)
    evil.zones = data.zones.copy()
    i = evil.zones.index[0]
    evil.zones.loc[i, "zone_id"] = "z<img src=x onerror=alert(1)>"
    snap = export.export(evil, Filter(), "kml", tmp_path)
    text = snap.path.read_text(encoding="utf-8")
    descriptions = re.findall(r"<description>(.*?)</description>", text, re.S)
    hit = [re.sub(r"^<!\[CDATA\[(.*)\]\]>$", r"\1", d, flags=re.S) for d in descriptions if "onerror" in d]
    assert hit == ["zones: z&lt;img src=x onerror=alert(1)&gt;"]  # the balloon's HTML shows the characters
