"""Every message of the store can be encoded and shown: a target id holding lone surrogates (an undecodable byte
of an upload) is escaped in the StoreError's text, which reads in Chinese too; nothing is written."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geo import i18n
from geo.core.crs import WGS84
from geo.io.store import ConflictError, FileStore, StoreError
from tests.io.stored import data_files


@pytest.mark.parametrize(("layer", "where", "expected", "zh"), [
    ("parcels", (106.3, 29.5), "project X\\xff\\xfe does not exist", "项目 X\\xff\\xfe 不存在"),
    ("zones", (106.3, 29.5), "zone X\\xff\\xfe is in no layer file", "片区 X\\xff\\xfe 不在任何图层文件中"),
    ("parcels", (108.2, 29.5), "X\\xff\\xfe: lies outside Chongqing's study area", "X\\xff\\xfe："),
])
def test_a_surrogate_target_id_is_an_encodable_message(data_copy, layer, where, expected, zh):
    d, lay = data_copy
    fs = FileStore(d, lay)
    x, y = where
    g = gpd.GeoDataFrame({"target_id": pd.Series(["X\udcff\udcfe"], dtype=object)},
                         geometry=[box(x, y, x + 0.001, y + 0.001)], crs=WGS84)
    before = data_files(d, lay)
    with pytest.raises(StoreError) as e:
        fs.save(g, layer, "w", "surveyed", None)
    text = str(e.value)
    text.encode("utf-8")  # never a UnicodeEncodeError on the page or the terminal
    assert text.startswith(expected)
    assert i18n.message(text, "zh").startswith(zh)
    assert data_files(d, lay) == before


def test_exceptions_escape_what_they_are_given():
    assert str(ConflictError("a\udcffb")) == "a\\xffb"
    assert str(StoreError("plain")) == "plain"
