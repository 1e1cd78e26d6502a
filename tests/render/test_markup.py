"""The one escaping rule: values stay the characters they are in Markdown and HTML."""

from geo.render import markup


def test_markdown_specials_are_escaped_and_links_cannot_start():
    s = markup.md("![x](http://e.example/a.png) :red[x] $y$ www.e.example a@b.cn **b** <i>")
    for raw in ("![", "](", ":red[", "$y$", "**", "<i>"):
        assert raw not in s
    assert "http:/" not in s.replace("\\", "") and "www." not in s.replace("\\", "") and "a@b" not in s
    assert s.replace("\\", "").replace("\u200b", "") == "![x](http://e.example/a.png) :red[x] $y$ www.e.example " \
                                                        "a@b.cn **b** <i>"


def test_controls_bidi_overrides_newlines_and_undecodable_names_are_plain():
    assert markup.plain("a\nb\r\nc\x00d\u202eevil") == "a b cdevil"
    assert markup.plain("\udcff\udcfe.geojson") == "??.geojson"
    assert markup.plain(None) == ""


def test_html_escapes_quotes_too():
    assert markup.html('<img src=x onerror="a()">\'') == "&lt;img src=x onerror=&quot;a()&quot;&gt;&#x27;"


def test_html_table_escapes_header_and_cells():
    from geo.render.markup import html_table
    out = html_table(["名称<b>", "id"], [["<img src=x onerror=alert(1)>", None], ["a&b", 3]])
    assert "<img" not in out and "&lt;img src=x onerror=alert(1)&gt;" in out
    assert "名称&lt;b&gt;" in out and "a&amp;b" in out and "<td style='padding:2px 8px'></td>" in out
    assert out.count("<tr>") == 3
