"""A picker's value sent as its label in the other language (a stale browser value right after a language
switch: Streamlit then hands the label text to the script) is read back as its option (``ui.choices``).
AppTest cannot send such a value (it validates widget values), so the session state is a plain dict here;
the bench's language step (``bench/latency.py``) exercised the real race in Chromium."""

import pytest

from geo.render import basemaps
from ui import choices


@pytest.fixture
def session(monkeypatch):
    state: dict = {}
    monkeypatch.setattr(choices.st, "session_state", state)
    return state


class Recorder:
    """Stands in for a Streamlit container: returns what the session holds, as a widget does."""

    def __init__(self, state):
        self.state = state

    def selectbox(self, label, options, key, format_func, **kw):
        return self.state.get(key, options[0])

    multiselect = selectbox


def test_single_choice_label_read_back(session):
    options = list(basemaps.BASEMAPS)
    zh = lambda b: basemaps.title(b, "zh")  # noqa: E731
    en = lambda b: basemaps.title(b, "en")  # noqa: E731
    session["basemap"] = "none"
    assert choices.selectbox(Recorder(session), "底图", options, "basemap", zh) == "none"  # remembers the zh labels
    session["basemap"] = basemaps.title("none", "zh")  # the stale label, after the switch to English
    assert choices.value("basemap", options, basemaps.DEFAULT) == "none"
    assert choices.selectbox(Recorder(session), "Basemap", options, "basemap", en) == "none"
    assert session["basemap"] == "none"  # settled before the widget is drawn
    session["basemap"] = "mars"
    assert choices.value("basemap", options, basemaps.DEFAULT) == basemaps.DEFAULT


def test_multi_choice_labels_read_back_and_unknown_dropped(session):
    options = ["检验检测", "研发孵化"]
    zh = {"检验检测": "▣ 检验检测", "研发孵化": "▣ 研发孵化"}
    session["sectors"] = ["检验检测"]
    assert choices.multiselect(Recorder(session), "赛道", options, "sectors", zh.get) == ["检验检测"]
    session["sectors"] = ["▣ 研发孵化", "▣ 检验检测", "no such sector"]
    assert choices.values("sectors", options) == ["研发孵化", "检验检测"]
    assert choices.multiselect(Recorder(session), "Sector", options, "sectors", lambda s: s) == ["研发孵化", "检验检测"]
    assert session["sectors"] == ["研发孵化", "检验检测"]
