"""CSV and XLSX files of a protected report, for the download buttons and `flask reports export`.

Both are written from the same sections of display strings (never numbers of hidden cells): the
tables the page shows, under a header row naming the period, group, filters and k. Every cell is
text, and text a spreadsheet would run as a formula is defused.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from schoolpeers.reports.services import COMPARED, MEASURE_LABELS, SchoolReport
from schoolpeers.spreadsheet import defused

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# A spreadsheet runs a cell starting with one of these as a formula (OWASP adds tab and CR).


@dataclass(frozen=True)
class Section:
    title: str
    columns: list[str]
    rows: list[list[str]]


def header_row(report: SchoolReport) -> list[str]:
    choices = report.params.describe()
    return [
        "Anonymized well-being report",
        f"school: {report.school_name}",
        *(f"{name}: {value}" for name, value in choices.items()),
        f"k: {report.k} (values from fewer than {report.k} students are hidden)",
        f"generated: {report.generated_on:%Y-%m-%d}",
    ]


def sections(report: SchoolReport) -> list[Section]:
    """The report's tables as rows of display strings, in the order of the page."""
    table = report.table
    measures = list(MEASURE_LABELS)
    by_cell = table.display[measures]
    terms, compared = report.comparison()
    return [
        Section("Measures", ["group", "period", *MEASURE_LABELS.values()],
                [[str(group), str(period), *row] for (group, period), row in zip(
                    by_cell.index, by_cell.itertuples(index=False, name=None), strict=True)]),
        Section("Topics", ["group", "period", "rank", "topic", "students"],
                [[str(value) for value in row] for row in
                 table.topics[["group", "period", "rank", "topic", "students"]].itertuples(index=False, name=None)]),
        Section("Trend", ["group", f"mean well-being over {', '.join(report.trend_periods) or 'no periods'}"],
                [[group, direction] for group, direction, _status in report.trends()]),
        Section("Previous term", ["group", "term", *(MEASURE_LABELS[name] for name in COMPARED)],
                [[row["group"], term, *(row[name][i][0] for name in COMPARED)]
                 for row in compared for i, term in enumerate(terms)]),
        Section("Notes", ["note"], [[sentence] for _status, sentence in report.notes()]),
    ]


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
    """One sheet per section, each under the header row, every cell text."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = "schoolpeers"
    bold = Font(bold=True)
    for section in sections(report):
        sheet = workbook.create_sheet(section.title)
        for row in (header_row(report), [], section.columns, *section.rows):
            sheet.append([safe_text(cell) for cell in row])
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
    return {"format": fmt, "filters": report.params.describe(), "k": report.k}


def safe_text(value) -> str:
    """The cell as text a spreadsheet shows as it is: no formula, no control character."""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return defused(text)
