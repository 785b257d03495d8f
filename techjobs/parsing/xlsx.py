"""Reading rows from the first sheet of an .xlsx workbook."""

import datetime
import io
import logging
import zipfile

import openpyxl

from .ids import EXCEL_DATE_REASON, clean_value
from .layout import Row
from .report import UploadRejected

logger = logging.getLogger(__name__)

# Maximum unpacked size of a workbook. 100,000 text ids written by openpyxl 3.1
# pack to 1.2 MB and unpack to 7.8 MB, so a workbook under MAX_UPLOAD_BYTES
# that unpacks to more than this is taken as a zip bomb.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024

# Rows read from a sheet, blank ones included. A text upload under
# MAX_UPLOAD_BYTES contains at most about 650,000 ids, and reading rows costs
# about 2 seconds per 100,000 on a 2-core machine, so the cap bounds the time
# a preview can take.
MAX_SHEET_ROWS = 650_000


class TooManyRows(Exception):
    pass


def is_workbook_archive(data: bytes) -> bool:
    """Return whether data is a ZIP archive with an Excel workbook inside."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def read_workbook(name: str, data: bytes) -> list[Row]:
    """Read the non-blank rows of the first sheet, numbered as in Excel.

    Raises UploadRejected if the workbook cannot be read.
    """
    _check_unpacked_size(name, data)
    try:
        values = _read_first_sheet(data)
    except TooManyRows:
        raise UploadRejected(
            f"{name} has more than {MAX_SHEET_ROWS:,} rows in its first sheet, "
            "which is more than one list can hold. Split it into smaller files."
        ) from None
    # openpyxl raises many exception types on a damaged file (zipfile, XML, key
    # and value errors among them), and each means the same thing to the user.
    except Exception as exc:
        logger.info("Failed to read workbook %r: %r", name, exc)
        raise UploadRejected(
            f"{name} could not be read as an Excel workbook. It may be damaged, or "
            "it may not really be an .xlsx file. Open it in Excel, save it as "
            ".xlsx or .csv, and upload it again."
        ) from exc

    rows = []
    for line, row_values in values:
        row = _convert_row(line, row_values)
        if any(row.cells):
            rows.append(row)
    return rows


def _check_unpacked_size(name: str, data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile:
        return  # Reported by the workbook reader with the other damage.
    if unpacked > MAX_UNPACKED_BYTES:
        raise UploadRejected(
            f"{name} unpacks to more than {MAX_UNPACKED_BYTES // (1024 * 1024)} MB, "
            "which is too large to read. Save the id column alone as .csv and "
            "upload that file."
        )


def _read_first_sheet(data: bytes) -> list[tuple[int, tuple]]:
    # data_only returns the value Excel last computed for a formula cell, rather
    # than the formula text.
    # NOTE: a formula cell reads as empty when the program that wrote the file
    # stored no computed value (openpyxl itself does not), so its id is skipped.
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        # Read-only mode trusts the dimensions that the sheet declares, which
        # some programs set wrongly, so rows would be cut off (openpyxl 3.1 docs,
        # "Optimised Modes").
        sheet.reset_dimensions()

        # Missing rows come back as empty tuples, so counting from 1 gives the
        # row numbers that Excel shows.
        rows = []
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if line > MAX_SHEET_ROWS:
                raise TooManyRows
            if any(value is not None for value in values):
                rows.append((line, values))
        return rows
    finally:
        workbook.close()


def _convert_row(line: int, values: tuple) -> Row:
    cells = []
    reasons = {}
    for index, value in enumerate(values):
        if isinstance(value, (datetime.date, datetime.time, datetime.timedelta)):
            reasons[index] = EXCEL_DATE_REASON
        cells.append(_cell_text(value))
    return Row(line, cells, reasons)


def _cell_text(value: object) -> str:
    """Return a cell's value as the text that the id rules check.

    An integer cell is read as its digits. A float cell becomes Python's text
    for the float, such as "736233.0" or "7.36233123456789e+17", which the id
    rules reject as a number that Excel made from an id.
    """
    # NOTE: an integer cell cannot show whether Excel dropped leading zeros when
    # the id was typed into a General cell, so "00412" typed there reads as "412".
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, str):
        return clean_value(value)
    return str(value)
