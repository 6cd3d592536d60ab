"""Server-side SVG line charts of a protected report: no script, no CDN, printable.

A chart is drawn from a `MeasureSeries` alone, that is from the protected values: a hidden cell is
None and leaves a gap in its line. Each group gets a colour of the Okabe–Ito palette (darkened where
needed for 3:1 contrast on white) and its own marker shape, so lines stay apart without colour too;
the whole school is a thicker dashed dark line. Every point carries its display string as a tooltip,
and the chart a <title> and <desc>; the page puts the same numbers in a table beside it.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from schoolpeers.reports.report import MeasureSeries
from schoolpeers.reports.trends import WHOLE_SCHOOL

PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#997700", "#332288", "#882255")
SCHOOL_COLOUR = "#1f2933"
MARKERS = ("circle", "square", "diamond", "up", "down", "ring", "box")
AXIS_TITLES = {"mean": "mean rating (1–5)", "share": "% of check-ins", "students": "students", "count": "check-ins"}
WIDTH, PLOT_HEIGHT = 640, 220
LEFT, RIGHT, BOTTOM = 56, 16, 52
PLOT_WIDTH = WIDTH - LEFT - RIGHT
LEGEND_ROW, LEGEND_ITEM = 22, 118
LEGEND_PER_ROW = PLOT_WIDTH // LEGEND_ITEM
LABEL_SPACE = 64  # pixels an x-axis label needs


@dataclass(frozen=True)
class _Frame:
    """Where the plot sits in the SVG, and its value range."""

    periods: int
    top: float
    low: float
    high: float

    @property
    def bottom(self) -> float:
        return self.top + PLOT_HEIGHT

    def x(self, index: int) -> float:
        return LEFT + (index + 0.5) * PLOT_WIDTH / max(self.periods, 1)

    def y(self, value: float) -> float:
        return self.top + PLOT_HEIGHT * (1 - (value - self.low) / (self.high - self.low))


def line_chart(series: MeasureSeries, period_name: str) -> Markup:
    """The SVG of one measure over the periods, one line per group, with legend and axes."""
    ident = "chart-" + re.sub(r"[^a-z0-9]+", "-", series.name.lower())
    legend_rows = math.ceil(len(series.lines) / LEGEND_PER_ROW)
    low, high, ticks = _scale(series)
    frame = _Frame(len(series.periods), 20 + LEGEND_ROW * legend_rows, low, high)
    height = frame.bottom + BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{escape(series.label)} by {escape(period_name)}</title>',
        f'<desc id="{ident}-desc">{escape(_description(series, period_name))}</desc>',
        *_legend(series),
        *_y_axis(series, frame, ticks),
        *_x_axis(series, frame, period_name, height),
        *_lines(series, frame),
    ]
    if not series.periods:
        parts.append(f'<text x="{WIDTH / 2}" y="{frame.top + PLOT_HEIGHT / 2:.0f}" font-size="14" '
                     'text-anchor="middle">No check-ins in this range</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _legend(series: MeasureSeries) -> list[str]:
    parts = []
    for index, line in enumerate(series.lines):
        colour, marker, dashed = _style(index, line.group)
        x, y = LEFT + (index % LEGEND_PER_ROW) * LEGEND_ITEM, 14 + (index // LEGEND_PER_ROW) * LEGEND_ROW
        parts.append(
            f'<g class="legend"><line x1="{x}" y1="{y}" x2="{x + 22}" y2="{y}" stroke="{colour}" '
            f'stroke-width="{3 if dashed else 2}"{_dash(dashed)}/>{_marker(marker, x + 11, y, colour)}'
            f'<text x="{x + 28}" y="{y + 4}" font-size="12">{escape(line.group)}</text></g>'
        )
    return parts


def _y_axis(series: MeasureSeries, frame: _Frame, ticks: list[float]) -> list[str]:
    parts = [
        f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{frame.y(v):.1f}" y2="{frame.y(v):.1f}" '
        f'stroke="#d9d4c7" stroke-width="1"/><text x="{LEFT - 6}" y="{frame.y(v) + 4:.1f}" font-size="11" '
        f'text-anchor="end">{escape(_tick_label(series.kind, v))}</text>'
        for v in ticks
    ]
    parts.append(f'<text transform="translate(14 {frame.top + PLOT_HEIGHT / 2:.1f}) rotate(-90)" font-size="12" '
                 f'text-anchor="middle">{escape(AXIS_TITLES[series.kind])}</text>')
    return parts


def _x_axis(series: MeasureSeries, frame: _Frame, period_name: str, height: float) -> list[str]:
    step = max(1, math.ceil(len(series.periods) * LABEL_SPACE / PLOT_WIDTH))  # thin labels out, never crowd
    parts = [f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{frame.bottom}" y2="{frame.bottom}" stroke="#52606d"/>']
    for index, period in list(enumerate(series.periods))[::step]:
        first, _, rest = period.partition(" ")  # "2025-26 autumn" on two lines
        x = frame.x(index)
        # The space stays in the text, so that a screen reader or a copy reads "2025-26 autumn".
        second = f' <tspan x="{x:.1f}" dy="13">{escape(rest)}</tspan>' if rest else ""
        parts.append(f'<text x="{x:.1f}" y="{frame.bottom + 16}" font-size="11" text-anchor="middle">'
                     f"{escape(first)}{second}</text>")
    parts.append(f'<text x="{LEFT + PLOT_WIDTH / 2:.0f}" y="{height - 6:.0f}" font-size="12" '
                 f'text-anchor="middle">{escape(period_name)}</text>')
    return parts


def _lines(series: MeasureSeries, frame: _Frame) -> list[str]:
    """A path per run of shown values (a gap where a value is hidden), and a marker per shown value
    with its display string as tooltip."""
    parts = []
    for index, line in enumerate(series.lines):
        colour, marker, dashed = _style(index, line.group)
        points = [None if v is None else (frame.x(i), frame.y(v)) for i, v in enumerate(line.values)]
        parts.append(f'<g class="series" stroke="{colour}" fill="none">')
        for run in _runs(points):
            path = " ".join(f"{'L' if i else 'M'}{px:.1f},{py:.1f}" for i, (px, py) in enumerate(run))
            parts.append(f'<path d="{path}" stroke-width="{3 if dashed else 2}"{_dash(dashed)}/>')
        for period, point, shown in zip(series.periods, points, line.display, strict=False):
            if point is not None:
                parts.append(f"<g>{_marker(marker, *point, colour)}<title>{escape(line.group)}, "
                             f"{escape(period)}: {escape(shown)}</title></g>")
        parts.append("</g>")
    return parts


def _description(series: MeasureSeries, period_name: str) -> str:
    groups = ", ".join(line.group for line in series.lines)
    span = f"from {series.periods[0]} to {series.periods[-1]}" if series.periods else "with no periods yet"
    return (f"{series.label}, one line per group ({groups}), by {period_name} {span}. "
            "The table beside the chart has the same numbers. "
            "Gaps in a line are values hidden to protect privacy.")


def _scale(series: MeasureSeries) -> tuple[float, float, list[float]]:
    """(lowest, highest, ticks) of the y axis: the rating scale, 0–100%, or 0 to a round count."""
    if series.kind == "mean":
        return 1.0, 5.0, [1.0, 2.0, 3.0, 4.0, 5.0]
    if series.kind == "share":
        return 0.0, 1.0, [0.0, 0.25, 0.5, 0.75, 1.0]
    largest = max((v for line in series.lines for v in line.values if v is not None), default=0)
    step = _nice_step(max(largest, 4) / 4)
    top = step * math.ceil(max(largest, 1) / step)
    return 0.0, float(top), [step * i for i in range(int(round(top / step)) + 1)]


def _nice_step(rough: float) -> float:
    magnitude = 10 ** math.floor(math.log10(rough))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= rough)


def _tick_label(kind: str, value: float) -> str:
    if kind == "share":
        return f"{value:.0%}"
    return f"{value:g}"


def _style(index: int, group: str) -> tuple[str, str, bool]:
    """(colour, marker, dashed): the whole school stands apart from the groups it sums up."""
    if group == WHOLE_SCHOOL:
        return SCHOOL_COLOUR, "ring", True
    return PALETTE[index % len(PALETTE)], MARKERS[index % len(MARKERS)], False


def _dash(dashed: bool) -> str:
    return ' stroke-dasharray="7 4"' if dashed else ""


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    r = 4.0
    filled = f'fill="{colour}" stroke="{colour}"'
    hollow = f'fill="#ffffff" stroke="{colour}" stroke-width="2"'
    if shape in ("circle", "ring"):
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" {filled if shape == "circle" else hollow}/>'
    if shape in ("square", "box"):
        return (f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r}" height="{2 * r}" '
                f'{filled if shape == "square" else hollow}/>')
    corners = {
        "diamond": [(0, -1.3), (1.3, 0), (0, 1.3), (-1.3, 0)],
        "up": [(0, -1.3), (1.2, 1), (-1.2, 1)],
        "down": [(0, 1.3), (1.2, -1), (-1.2, -1)],
    }[shape]
    points = " ".join(f"{x + dx * r:.1f},{y + dy * r:.1f}" for dx, dy in corners)
    return f'<polygon points="{points}" {filled}/>'


def _runs(points: list) -> list[list]:
    """Consecutive shown points: a hidden value (None) ends a run, so the line has a gap there."""
    runs, current = [], []
    for point in points:
        if point is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(point)
    if current:
        runs.append(current)
    return [run for run in runs if len(run) > 1]  # a lone point is its marker only
