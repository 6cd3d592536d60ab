"""Server-side SVG charts: drawn from protected values only, accessible, readable without colour."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from schoolpeers.reports import charts
from schoolpeers.reports.report import Line, MeasureSeries
from schoolpeers.reports.trends import WHOLE_SCHOOL

SVG = "{http://www.w3.org/2000/svg}"


def series(values: dict[str, list], kind: str = "mean", name: str = "wellbeing_mean") -> MeasureSeries:
    periods = [f"2025-{m:02d}" for m in range(1, len(next(iter(values.values()))) + 1)]
    lines = [Line(group, list(v), [("hidden" if x is None else str(x)) for x in v] + ["total"],
                  ["few_students" if x is None else "shown" for x in v] + ["shown"])
             for group, v in values.items()]
    return MeasureSeries(name, "Mean well-being (1–5)", kind, periods, lines)


def parse(svg) -> ET.Element:
    return ET.fromstring(str(svg))


def series_groups(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "series"]


def marker_shape(marker: ET.Element) -> tuple:
    """What a marker looks like whatever its colour and place: its kind, hollow or not, its outline."""
    if marker.tag == f"{SVG}polygon":
        points = [tuple(map(float, p.split(","))) for p in marker.get("points").split()]
        return "polygon", tuple((round(x - points[0][0]), round(y - points[0][1])) for x, y in points)
    return marker.tag, marker.get("fill") == "#ffffff"


def contrast_with_white(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def test_a_chart_is_accessible_self_contained_svg():
    svg = charts.line_chart(series({"grade 7": [3.1, 3.4, 3.2], WHOLE_SCHOOL: [3.0, 3.3, 3.1]}), "month")
    root = parse(svg)
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == "Mean well-being (1–5) by month"
    assert "one line per group (grade 7, whole school)" in desc.text and "from 2025-01 to 2025-03" in desc.text
    assert "hidden to protect privacy" in desc.text
    assert "<script" not in svg and "href" not in svg and "http" not in svg.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")


def test_legend_and_axis_labels():
    root = parse(charts.line_chart(series({"grade 6": [2.0, 3.0], "grade 7": [4.0, 4.5]}), "month"))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "grade 6" in texts and "grade 7" in texts  # legend
    assert "month" in texts and "mean rating (1–5)" in texts  # axis titles
    assert ["1", "2", "3", "4", "5"] == [t for t in texts if t in {"1", "2", "3", "4", "5"}]
    assert "2025-01" in texts and "2025-02" in texts


def test_a_hidden_value_is_a_gap_in_the_line():
    root = parse(charts.line_chart(series({"grade 8": [3.0, 3.2, None, 3.6, 3.8]}), "month"))
    [line] = series_groups(root)
    assert len(line.findall(f"{SVG}path")) == 2  # two runs either side of the gap
    markers = line.findall(f"{SVG}g")
    assert len(markers) == 4
    assert [m.find(f"{SVG}title").text for m in markers][1] == "grade 8, 2025-02: 3.2"
    assert not any("2025-03" in m.find(f"{SVG}title").text for m in markers)


def test_a_lone_shown_value_is_a_marker_without_a_line():
    root = parse(charts.line_chart(series({"grade 9": [None, 2.5, None]}), "week"))
    [line] = series_groups(root)
    assert line.findall(f"{SVG}path") == [] and len(line.findall(f"{SVG}g")) == 1


def test_only_the_values_given_reach_the_chart():
    """Nothing but the protected values and their display strings is drawn."""
    svg = str(charts.line_chart(series({"grade 8": [None, None], WHOLE_SCHOOL: [3.25, 3.5]}), "month"))
    # hidden points are not drawn at all, not even their tooltip
    assert re.findall(r"<title>[^<]*</title>", svg) == ["<title>whole school, 2025-01: 3.25</title>",
                                                           "<title>whole school, 2025-02: 3.5</title>"]


def test_colour_is_never_the_only_difference():
    groups = {f"grade {g}": [3.0, 3.5] for g in range(6, 13)} | {WHOLE_SCHOOL: [3.2, 3.4]}
    root = parse(charts.line_chart(series(groups), "month"))
    lines = series_groups(root)
    colours = [g.get("stroke") for g in lines]
    assert len(set(colours)) == len(colours) == 8
    assert len({marker_shape(g.find(f"{SVG}g")[0]) for g in lines[:7]}) == 7
    assert lines[-1].find(f"{SVG}path").get("stroke-dasharray")  # the whole school is dashed


@pytest.mark.parametrize("colour", [*charts.PALETTE, charts.SCHOOL_COLOUR])
def test_palette_has_3_to_1_contrast_on_white(colour):
    assert contrast_with_white(colour) >= 3


def test_shares_use_a_percentage_axis_and_counts_a_round_one():
    shares = parse(charts.line_chart(series({"grade 7": [0.05, 0.4]}, kind="share", name="low_share"), "term"))
    assert {"0%", "25%", "50%", "75%", "100%"} <= {t.text for t in shares.iter(f"{SVG}text")}
    counts = parse(charts.line_chart(series({"grade 7": [7, 23]}, kind="students", name="students"), "term"))
    ticks = [t.text for t in counts.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert ticks == ["0", "10", "20", "30"]


def test_term_labels_break_onto_two_lines_and_many_labels_are_thinned():
    terms = MeasureSeries("students", "Students seen", "students", ["2024-25 autumn", "2024-25 spring"],
                          [Line(WHOLE_SCHOOL, [10, 12], ["10", "12", "14"], ["shown"] * 3)])
    root = parse(charts.line_chart(terms, "term"))
    assert "autumn" in [t.text for t in root.iter(f"{SVG}tspan")]
    assert "2024-25 autumn" in ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]  # read as words
    weeks = series({"grade 7": [3.0] * 156})
    labels = [t for t in parse(charts.line_chart(weeks, "week")).iter(f"{SVG}text")
              if t.text and t.text.startswith("2025-")]
    assert 5 <= len(labels) <= 10


def test_labels_are_escaped():
    svg = str(charts.line_chart(series({"<b>grade</b> & co": [3.0, 3.1]}), "month"))
    assert "<b>" not in svg and "&lt;b&gt;grade&lt;/b&gt; &amp; co" in svg
    parse(svg)


def test_a_chart_without_periods_says_so():
    empty = MeasureSeries("checkins", "Check-ins", "count", [], [Line(WHOLE_SCHOOL, [], ["<5"], ["few_students"])])
    root = parse(charts.line_chart(empty, "month"))
    assert "No check-ins in this range" in [t.text for t in root.iter(f"{SVG}text")]
