"""Result rows as CSV, XLSX or JSON downloads, streamed where the format allows."""

import csv
import io
import json

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook

COLUMNS = ["company_id", "category", "sub_category", "product", "vendor", "status"]
FORMATS = ("csv", "xlsx", "json")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A workbook is built whole before it is sent, at roughly 10,000 rows a second
# on a 2-core machine, so larger exports would outlast a web request.
XLSX_MAX_ROWS = 100_000


def export(results, fmt: str, filename: str):
    """Return a download of the rows in `fmt`, one of FORMATS, named filename.fmt."""
    rows = (
        results.order_by("company_id", "category", "product", "pk")
        .values_list(*COLUMNS)
        .iterator(chunk_size=2000)
    )
    if fmt == "csv":
        response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv")
    elif fmt == "json":
        response = StreamingHttpResponse(
            _json_chunks(rows), content_type="application/json"
        )
    else:
        response = HttpResponse(_xlsx_bytes(rows), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


class _Echo:
    def write(self, value):
        return value


def _csv_lines(rows):
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    for row in rows:
        yield writer.writerow(row)


def _json_chunks(rows):
    yield "["
    for index, row in enumerate(rows):
        prefix = "," if index else ""
        yield prefix + json.dumps(dict(zip(COLUMNS, row, strict=True)))
    yield "]"


def _xlsx_bytes(rows) -> bytes:
    # A workbook is a zip archive, so it is built in full before sending;
    # write-only mode keeps memory flat while rows are added.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Results")
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
