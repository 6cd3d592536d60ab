"""CSV and XLSX files of a report, for the download buttons and `flask reports export`.

Both are written from the same sections (published cells only, never a hidden value): the tables
the page shows, under a header row naming the period, grouping, grades, dates and k. In CSV every
cell is its display string; in XLSX a shown figure is a number with a number format (a mean "0.0",
a share "0%", a count "0"), and a hidden or coded one is its text. Text a spreadsheet would run as a
formula is defused.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from schoolpeers.reports.privacy import CellStatus
from schoolpeers.reports.report import COMPARED, SchoolReport
from schoolpeers.reports.services import SEVERITY_LABELS
from schoolpeers.spreadsheet import defused

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
NUMBER_FORMATS = {"mean": "0.0", "share": "0%", "students": "0", "count": "0"}


@dataclass(frozen=True)
class Figure:
    """A published figure: its text, and the number and format a spreadsheet holds when it is shown."""

    text: str
    value: int | float | None = None
    number_format: str | None = None

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Section:
    title: str
    columns: list[str]
    rows: list[list[str | Figure]]


def header_row(report: SchoolReport) -> list[str]:
    return [
        "Anonymized well-being report",
        f"school: {report.school_name}",
        *(f"{name}: {value}" for name, value in report.describe().items()),
        f"protection: {report.protected.notice}" if report.protected.notice
        else f"k: {report.k} (values from fewer than {report.k} students are hidden)",
        f"generated: {report.generated_on:%Y-%m-%d}",
    ]


def sections(report: SchoolReport) -> list[Section]:
    """The report's tables, in the order of the page."""
    series = report.measures()
    measures = [
        [group, period, *(_figure(s, g, p) for s in series)]
        for g, group in enumerate(report.groups) for p, period in enumerate(report.periods)
    ]
    terms, compared = report.comparison()
    year = report.summary_year()
    return [
        Section("Measures", ["group", "period", *(s.label for s in series)], measures),
        Section("Topics", ["group", "school year", "rank", "topic", "students"],
                [[group, year[0] if year else "", rank, topic, Figure(str(students), students, "0")]
                 for group, ranked in report.topics_by_group().items() for rank, topic, students in ranked]),
        Section("Trend", ["group", f"mean well-being over {', '.join(report.trend_periods) or 'no periods'}"],
                [[group, direction] for group, direction, _status in report.trends()]),
        Section("Previous term", ["group", "term", *(report.labels[name] for name in COMPARED)],
                [[row["group"], term, *(row[name][i][0] for name in COMPARED)]
                 for row in compared for i, term in enumerate(terms)]),
        Section("Concerns", ["term", *(f"students with a {s} concern" for s in SEVERITY_LABELS)],
                [[row["term"], *(row[s] for s in SEVERITY_LABELS)] for row in report.concerns()]),
        Section("Notes", ["note"], [[sentence] for _status, sentence in report.notes()]),
    ]


def _figure(series, group: int, period: int) -> Figure:
    line = series.lines[group]
    if line.status[period] != CellStatus.SHOWN:
        return Figure(line.display[period])
    return Figure(line.display[period], line.values[period], NUMBER_FORMATS[series.kind])


def to_csv(report: SchoolReport) -> bytes:
    """One file: the header row, then each section under its title, a blank line between them."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(map(safe_text, header_row(report)))
    for section in sections(report):
        writer.writerow([])
        writer.writerow([safe_text(section.title)])
        writer.writerows([safe_text(cell) for cell in row] for row in [section.columns, *section.rows])
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read ≤, ≥ and – right


def to_xlsx(report: SchoolReport) -> bytes:
    """One sheet per section, each under the header row: shown figures as numbers, the rest as text."""
    from openpyxl import Workbook  # loaded by the first spreadsheet asked for
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = "schoolpeers"
    bold = Font(bold=True)
    for section in sections(report):
        sheet = workbook.create_sheet(section.title)
        for row in (header_row(report), [], section.columns, *section.rows):
            sheet.append([_xlsx_value(cell) for cell in row])
            for cell, written in zip(row, sheet[sheet.max_row], strict=False):
                if isinstance(cell, Figure) and cell.number_format:
                    written.number_format = cell.number_format
        for cell in (*sheet[1], *sheet[3]):
            cell.font = bold
        sheet.freeze_panes = "A4"
        for column in sheet.columns:
            width = max(len(str(cell.value or "")) for cell in column[2:]) if len(column) > 2 else 10
            sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 60)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render(report: SchoolReport, fmt: str) -> tuple[bytes, str, str]:
    """(content, mimetype, file name) of the export in this format ("csv" or "xlsx")."""
    content = to_csv(report) if fmt == "csv" else to_xlsx(report)
    params, slug = report.params, re.sub(r"[^A-Za-z0-9-]+", "-", report.school_slug)  # safe in a header
    name = f"wellbeing-{slug}-{params.period}-by-{params.group}-{report.generated_on:%Y%m%d}.{fmt}"
    return content, FORMATS[fmt], name


def audit_detail(report: SchoolReport, fmt: str) -> dict:
    return {"format": fmt, "filters": report.describe(), "k": report.k}


def _xlsx_value(cell):
    if isinstance(cell, Figure) and cell.number_format:  # a shown figure: its number
        return cell.value
    if isinstance(cell, int):
        return cell
    return safe_text(cell)


def safe_text(value) -> str:
    """The cell as text a spreadsheet shows as it is: no formula, no control character."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return defused(text)
