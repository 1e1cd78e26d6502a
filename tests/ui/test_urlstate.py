"""The URL state of the pages: a view survives the round trip, bad values warn, old ?mode= links
name their page, the promoter's profile survives its round trip."""

import pytest

from geo import i18n
from geo.core.filter import Filter
from geo.core.matching import FirmProfile
from ui import urlstate


def test_view_round_trip():
    v = urlstate.ViewState(filter=Filter(plans=["HTS"], sectors=["检验检测", "数字文创"], land_mu=(100.0, None),
                                         output_yi=(None, 5.0), query="质检"),
                           lang="en", basemap="none", thematic="land", thematic_layer="sti_1axis3centres", lat=29.5,
                           lon=106.3, zoom=14, selected="HTS-T4-01")
    p = urlstate.to_params(v)
    assert p["sector"] == "检验检测,数字文创" and p["mu"] == "100~" and p["yi"] == "~5" and p["z"] == "14"
    assert p["theme"] == "land" and p["tlayer"] == "sti_1axis3centres"  # the thematic map and its layer
    back, warnings = urlstate.from_params(p)
    assert warnings == []
    assert back == v


def test_plain_view_has_a_plain_link():
    assert urlstate.to_params(urlstate.ViewState()) == {}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_bad_values_are_ignored_with_warnings_in_the_readers_language(lang):
    v, warnings = urlstate.from_params({"mu": "lots", "base": "mars", "z": "x", "lang": "fr", "theme": "pink"})
    assert v == urlstate.ViewState()
    texts = [i18n.t(key, lang, **values) for key, values in warnings]
    assert len(texts) == 5  # every value no one meant is said: range, language, basemap, theme, view
    assert "mu='lots'" in texts[0] and "lang='fr'" in texts[1] and "mars" in texts[2] and "theme='pink'" in texts[3]
    assert all(key in i18n.STRINGS for key, _ in warnings)


@pytest.mark.parametrize(("mode", "page"), [("promoter", "promoter"), ("edit", "boundaries"), ("planner", "planner"),
                                            ("nonsense", None), (None, None)])
def test_old_mode_links_name_their_page_and_keep_the_rest(mode, page):
    params = {"ftext": "检验检测", "base": "none"} | ({"mode": mode} if mode else {})
    target, rest = urlstate.legacy_page(params)
    assert target == page
    assert rest == {"ftext": "检验检测", "base": "none"}


def test_profile_round_trip():
    p = FirmProfile(name="Acme", sector_text="芯片设计", sectors=["集成电路"], land_min=50.0, land_max=150.0,
                    districts=["沙坪坝区"], zones=["town_xiyong"], near_metro=True, near_university=False,
                    in_bonded_zone=True)
    params = urlstate.profile_to_params(p, ["HTS-T2-06"], "en")
    assert "mode" not in params  # the page is the URL path now
    assert params["near"] == "metro,bonded" and params["lang"] == "en"
    back, picks, warnings = urlstate.profile_from_params(params)
    assert back == p and picks == ["HTS-T2-06"] and warnings == []
    assert urlstate.profile_from_params({"fmin": "many"})[0].land_min is None
