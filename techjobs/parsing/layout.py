"""Header detection and the choice of the column that contains the ids.

Text files and workbooks are both read into rows of trimmed cells first, so the
same rules apply to .csv, .txt, .xlsx and pasted text.
"""

import re
from dataclasses import dataclass, field

from .ids import invalid_reason, looks_like_id
from .report import ParseReport, ReportBuilder, UploadRejected

# A header names the id column if, lowercased and with everything but letters and
# digits removed, it matches this: "Company ID", "company_id", "companyId",
# "InsideView ID", "InsideView Company IDs", "ID", "Company ID (InsideView)" ...
_ID_COLUMN_NAME = re.compile(
    r"(?P<vendor>insideview|iv)?(?P<company>company)?"
    r"(?:id|ids|identifier|identifiers)(?P<vendor_suffix>insideview|iv)?"
)

# Extra names accepted as the header of a list that has a single column.
_LIST_HEADER_NAMES = {"company", "companies", "insideview", "insideviewcompanies"}


@dataclass(slots=True)
class Row:
    """One non-blank line of a text file, or one non-blank row of a sheet."""

    line: int
    cells: list[str]
    # Reasons for cells whose type, not their text, makes them invalid (a date
    # cell in a workbook), by cell index.
    reasons: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Layout:
    """Location of the ids: every cell, or one column, below an optional header."""

    header_line: int | None = None
    # None means that every cell is read as an id.
    column_index: int | None = None
    column_name: str | None = None


def find_layout(rows: list[Row]) -> Layout:
    """Decide which row is a header and which cells hold ids.

    Raises UploadRejected when the header names more than one id column equally
    well, because picking one of them could silently read the wrong ids.
    """
    if not rows:
        return Layout()

    first = rows[0]
    if _is_header(first, rows[1:]):
        names = [cell for cell in first.cells if cell]
        if len(names) == 1:
            return Layout(header_line=first.line)
        index = _choose_column(first.cells)
        return Layout(first.line, index, first.cells[index])

    if _is_headerless_table(rows):
        return Layout(column_index=0)
    return Layout()


def build_report(
    rows: list[Row], layout: Layout, *, source: str, encoding: str | None
) -> ParseReport:
    builder = ReportBuilder(source=source, encoding=encoding, column=layout.column_name)
    for row in rows:
        if row.line == layout.header_line:
            continue

        if layout.column_index is None:
            indexes = range(len(row.cells))
        else:
            indexes = range(layout.column_index, layout.column_index + 1)
        for index in indexes:
            value = row.cells[index] if index < len(row.cells) else ""
            if value:
                reason = row.reasons.get(index) or invalid_reason(value)
                builder.add(row.line, value, reason)

    return builder.report


def id_column_rank(name: str) -> int | None:
    """Rank a header by how surely it names the InsideView id column: 0 names
    InsideView, 1 names a company id, 2 is a bare "ID". None for other names."""
    match = _ID_COLUMN_NAME.fullmatch(_normalize(name))
    if match is None:
        return None
    if match["vendor"] or match["vendor_suffix"]:
        return 0
    if match["company"]:
        return 1
    return 2


def _normalize(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.casefold())


def _is_header(first: Row, below: list[Row]) -> bool:
    cells = [cell for cell in first.cells if cell]
    if any(looks_like_id(cell) for cell in cells):
        return False
    if any(id_column_rank(cell) is not None for cell in cells):
        return True
    if len(cells) == 1:
        return _normalize(cells[0]) in _LIST_HEADER_NAMES

    # Several text cells make a header only if the rows below have several
    # columns too. Otherwise the first line is stray text above a plain list,
    # and it is reported as invalid rather than skipped.
    has_text = any(_has_letter(cell) for cell in cells)
    below_has_columns = any(sum(1 for cell in row.cells if cell) > 1 for row in below)
    return has_text and below_has_columns


def _has_letter(text: str) -> bool:
    return re.search(r"[^\W\d_]", text) is not None


def _choose_column(header: list[str]) -> int:
    ranked = [
        (rank, index)
        for index, name in enumerate(header)
        if (rank := id_column_rank(name)) is not None
    ]
    if not ranked:
        return next(index for index, name in enumerate(header) if name)

    best = min(rank for rank, _ in ranked)
    tied = [index for rank, index in ranked if rank == best]
    if len(tied) > 1:
        names = ", ".join(f'"{header[index]}"' for index in tied)
        raise UploadRejected(
            f"The header row has more than one company id column ({names}). "
            "Delete or rename all but one of them and try again."
        )
    return tied[0]


def _is_headerless_table(rows: list[Row]) -> bool:
    """Return whether rows without a header are a table of ids and other data.

    That is the case when every row starts with a number-like value and every
    other cell contains a letter, as in an export of ids next to company names.
    Anything less clear-cut is read as a list of ids, so that a stray value is
    reported rather than dropped. The letter test also keeps a list with mixed
    separators, where a cell such as "1,2" remains after splitting on one
    separator, from being read as a table.
    """
    others = [cell for row in rows for cell in row.cells[1:] if cell]
    if len(rows) < 2 or not others:
        return False
    if not all(_has_letter(cell) for cell in others):
        return False
    return all(
        row.cells[0] and any(char.isdigit() for char in row.cells[0]) for row in rows
    )
