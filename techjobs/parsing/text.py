"""Reading ids from text: a paste, or a decoded .txt or .csv file."""

import csv
import io
import re

from .ids import clean_value
from .layout import Row, build_report, find_layout
from .report import ParseReport, UploadRejected, check_size

SEPARATORS = "\t;,"

_LINE_BREAK = re.compile(r"\r\n|\r|\n")

# A number that Excel exported with a decimal comma, such as 7,36233E+05 or
# 736233,0, standing alone between separators other than a comma.
_EXCEL_NUMBER_WITH_COMMA = re.compile(
    r"(?<![^\s;])[0-9]+,(?:[0-9]+[eE][+-]?[0-9]+|0+)(?=[\s;]|$)"
)


def parse_text(text: str, *, source: str = "paste") -> ParseReport:
    """Parse pasted text into a report of company ids.

    Values may be separated by commas, semicolons, tabs or line breaks, mixed
    freely. A header row is skipped, and a table with a header row is read from
    the column named like a company id (else its first column). Raises
    UploadRejected if the text is over MAX_UPLOAD_BYTES in UTF-8.
    """
    check_size(len(text.encode("utf-8", "surrogatepass")), "The pasted text")
    return read_text(text, source=source, encoding=None)


def read_text(text: str, *, source: str, encoding: str | None) -> ParseReport:
    text = text.removeprefix("\ufeff")
    delimiter = _choose_delimiter(text)
    rows = _read_rows(text, delimiter)
    layout = find_layout(rows)

    # A list (as opposed to a table) may mix separators, so it is read again with
    # every separator outside quotes turned into the delimiter. The line numbers
    # stay the same because no line breaks are added or removed.
    if layout.column_index is None:
        unified = _unify_separators(text, delimiter)
        if unified != text:
            rows = _read_rows(unified, delimiter)

    return build_report(rows, layout, source=source, encoding=encoding)


def _choose_delimiter(text: str) -> str:
    """Return the separator most used outside quotes in the first non-blank line,
    or in the whole text when that line has none.

    The first line decides because in a table it is the header or a full row,
    while a company name further down may contain a comma.
    """
    first_line = next(
        (line for line in _LINE_BREAK.split(text) if line.strip(' \t;,"')), ""
    )
    for sample in (first_line, text):
        counts = _count_unquoted(sample)
        # max() keeps the first of equal counts, so ties go to tab, then semicolon.
        best = max(SEPARATORS, key=counts.__getitem__)
        if counts[best]:
            return best
    return ","


def _count_unquoted(text: str) -> dict[str, int]:
    # After splitting on quote characters, the even parts are outside quotes. An
    # escaped quote ("") inside a quoted field adds an empty even part, which is
    # harmless.
    outside = "".join(text.split('"')[0::2])
    return {separator: outside.count(separator) for separator in SEPARATORS}


def _unify_separators(text: str, delimiter: str) -> str:
    parts = text.split('"')
    table = str.maketrans({separator: delimiter for separator in SEPARATORS})
    parts[0::2] = [_unify_part(part, table) for part in parts[0::2]]
    return '"'.join(parts)


def _unify_part(part: str, table: dict[int, str]) -> str:
    """Translate the separators in an unquoted part of the text.

    A number that Excel wrote with a decimal comma is quoted instead, so that it
    is rejected whole rather than split into a short id and a rejected rest.
    """
    pieces = []
    position = 0
    for match in _EXCEL_NUMBER_WITH_COMMA.finditer(part):
        pieces.append(part[position : match.start()].translate(table))
        pieces.append(f'"{match.group()}"')
        position = match.end()
    pieces.append(part[position:].translate(table))
    return "".join(pieces)


def _read_rows(text: str, delimiter: str) -> list[Row]:
    """Split text into non-blank rows with the csv module.

    Each row carries the number of the line it starts on, which differs from
    its index when blank lines are dropped or a quoted value spans lines.
    """
    # newline="" lets the csv module see CR, LF and CRLF line endings as they are,
    # including line breaks inside quoted values. skipinitialspace reads the
    # quoted value in 1, "2" as 2 rather than as the text ' "2"'.
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True
    )
    rows = []
    start = 1
    try:
        for cells in reader:
            cleaned = [clean_value(cell) for cell in cells]
            if any(cleaned):
                rows.append(Row(start, cleaned))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise UploadRejected(
            f'Line {start} could not be read ({exc}). Check it for a quote (") '
            "without a closing quote."
        ) from exc
    return rows
