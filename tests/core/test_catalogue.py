"""The plan catalogue is the data's: sources.csv rows and manifest layers, nothing hard-coded."""

import pandas as pd
import pytest

from geo.config import settings
from geo.core import schema
from geo.core.catalogue import Catalogue


def test_shipped_catalogue_lists_the_five_plans_in_sources_order(data):
    cat = data.catalogue
    assert cat.plan_ids == tuple(data.sources.source_doc)
    assert set(cat.plan_ids) == {"HTS", "YZ", "LJ", "JLP", "STI"}
    assert cat.plan("HTS").title("zh") == "重庆高新区“十四五”高技术服务业发展规划"
    assert cat.plan("STI").doc_number == "渝高新发〔2021〕28号"
    assert all((settings().data_dir / p.seed_file).is_file() for p in cat.plans)  # relative to the data folder


def test_layers_of_a_plan_and_visibility(data):
    cat = data.catalogue
    assert [x.layer_id for x in cat.layers] == [x["layer_id"] for x in data.manifest["layers"]]
    assert {x.layer_id for x in cat.layers_of("STI")} >= {"sti_axis", "sti_places", "sti_1axis3centres", "towns"}
    assert cat.hidden_layer_ids == {"hts_places", "sti_places", "yz_places", "lj_places", "jlp_places"}
    assert cat.context_layer_ids == ["hts_1core2circles2areas", "towns"]
    axis = cat.layer("sti_axis")
    assert axis.kind == "line" and axis.style["weight"] == 4 and axis.title("en") == "Science Avenue innovation axis"


def test_unknown_plan_or_layer_names_the_table():
    cat = Catalogue.from_tables(pd.DataFrame({"source_doc": ["A"], "seed_file": ["a.txt"], "title_zh": ["甲"],
                                              "title_en": ["A"]}), {"layers": []})
    assert cat.plan("A").issuer_zh == "" and cat.plan_ids == ("A",)
    with pytest.raises(KeyError, match="not in data/sources.csv"):
        cat.plan("B")
    with pytest.raises(KeyError, match="not in layers/manifest.json"):
        cat.layer("b_places")


def test_schema_checks_source_doc_against_the_catalogue_plans():
    spec = schema.for_plans(schema.PROJECTS, ["A", "B"])
    assert spec["source_doc"] == ("enum:A|B", True)
    assert spec["project_id"] == schema.PROJECTS["project_id"]
    assert schema.for_plans(schema.PROJECTS, [])["source_doc"] == ("str", True)  # no plans read: reported elsewhere
    assert all(kind != schema.PLAN for kind, _ in spec.values())


def test_loader_refuses_a_row_citing_an_unknown_plan(data_copy):
    from geo.io.files import load_all
    d, lay = data_copy
    p = pd.read_csv(d / "projects.csv", dtype=str, keep_default_na=False)
    p.loc[0, "source_doc"] = "NOPE"
    p.to_csv(d / "projects.csv", index=False)
    issues = [i for i in load_all(d, lay, strict=False).issues if i.level == "error"]
    assert len(issues) == 1 and "source_doc: 'NOPE' is not one of" in issues[0].problem
