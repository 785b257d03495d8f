import io
import json
import zipfile

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from techjobs.parsing import (
    MAX_UPLOAD_BYTES,
    InvalidId,
    ParseReport,
    UploadRejected,
    is_valid_company_id,
    parse_file,
    parse_text,
)

EXCEL_HINT = "Excel turned this id into a number"


def make_xlsx(rows, *, text_columns=(), sheets_before=0):
    """Build an .xlsx workbook whose first sheet contains rows.

    Columns listed in text_columns (0-based) get Excel's Text format "@", as a
    user sets it before typing or pasting ids.
    """
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for column in text_columns:
        for (cell,) in sheet.iter_rows(min_col=column + 1, max_col=column + 1):
            cell.number_format = "@"
    for index in range(sheets_before):
        workbook.create_sheet(f"Other {index}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def replace_in_sheet(data, old, new):
    """Return the workbook with old replaced by new in its first sheet's XML.

    Excel and openpyxl write an integral float such as 736233.0 as <v>736233</v>,
    but other programs write <v>736233.0</v>, which reads back as a float.
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for member in source.infolist():
            content = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                assert old in content
                content = content.replace(old, new)
            target.writestr(member, content)
    return buffer.getvalue()


def make_zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def utf16(text, byteorder):
    bom = b"\xff\xfe" if byteorder == "le" else b"\xfe\xff"
    return bom + text.encode(f"utf-16-{byteorder}")


FILE_CASES = [
    pytest.param(
        "ids.txt",
        b"736233\n1045\n00412\n",
        ["736233", "1045", "00412"],
        None,
        "utf-8",
        id="utf8-lf-one-per-line",
    ),
    pytest.param(
        "ids.csv",
        b"\xef\xbb\xbfCompany ID\r\n736233\r\n1045\r\n",
        ["736233", "1045"],
        None,
        "utf-8-sig",
        id="utf8-bom-crlf-header",
    ),
    pytest.param(
        "ids.txt",
        utf16("736233\r\n1045\r\n99\r\n", "le"),
        ["736233", "1045", "99"],
        None,
        "utf-16-le",
        id="utf16-le-bom-crlf",
    ),
    pytest.param(
        "ids.csv",
        utf16("company_id\n736233\n1045\n", "be"),
        ["736233", "1045"],
        None,
        "utf-16-be",
        id="utf16-be-bom-header",
    ),
    pytest.param(
        "ids.txt",
        b"\xff\xfe\x00\x00" + "736233\n1045\n".encode("utf-32-le"),
        ["736233", "1045"],
        None,
        "utf-32-le",
        id="utf32-le-bom",
    ),
    pytest.param(
        "ids.txt",
        b"736233\r1045\r\r77\r",
        ["736233", "1045", "77"],
        None,
        "utf-8",
        id="cr-only-line-endings",
    ),
    pytest.param(
        "ids.csv",
        b"736233,1045,77,",
        ["736233", "1045", "77"],
        None,
        "utf-8",
        id="comma-one-line-trailing-separator",
    ),
    pytest.param(
        "ids.csv",
        b"736233;1045;\n77;",
        ["736233", "1045", "77"],
        None,
        "utf-8",
        id="semicolons",
    ),
    pytest.param(
        "ids.txt",
        b"736233\t1045\n77\t88\n",
        ["736233", "1045", "77", "88"],
        None,
        "utf-8",
        id="tabs",
    ),
    pytest.param(
        "ids.txt",
        "736233, 1045;77\t88\r\n\r\n\u00a099\u00a0 ;\n  \n100,,\n".encode(),
        ["736233", "1045", "77", "88", "99", "100"],
        None,
        "utf-8",
        id="mixed-separators-blank-lines-nbsp",
    ),
    pytest.param(
        "ids.csv",
        b"companyId\n736233\n736233\n1045\n736233\n",
        ["736233", "1045"],
        None,
        "utf-8",
        id="camel-case-header-duplicates",
    ),
    pytest.param(
        "export.csv",
        b"Name,Country,InsideView ID\r\nAcme,US,736233\r\nGlobex,DE,00412\r\n",
        ["736233", "00412"],
        "InsideView ID",
        "utf-8",
        id="multi-column-named-id-column-last",
    ),
    pytest.param(
        "export.csv",
        b'Company Name,Company ID\n"Acme, ""The Best"" Inc.",736233\n'
        b'"Globex, Ltd","00412"\n',
        ["736233", "00412"],
        "Company ID",
        "utf-8",
        id="quoted-fields-with-commas-and-quotes",
    ),
    pytest.param(
        "export.csv",
        b'Name,Company ID\n"Acme\nHeadquarters",736233\nGlobex,1045\n',
        ["736233", "1045"],
        "Company ID",
        "utf-8",
        id="quoted-field-spanning-lines",
    ),
    pytest.param(
        "export.csv",
        b"Account;Name;Country\n736233;Acme, Inc.;US\n1045;Globex;DE\n",
        ["736233", "1045"],
        "Account",
        "utf-8",
        id="semicolon-table-without-id-named-column",
    ),
    pytest.param(
        "export.csv",
        b"ID,Company ID,Name\n1,736233,Acme\n2,1045,Globex\n",
        ["736233", "1045"],
        "Company ID",
        "utf-8",
        id="company-id-beats-bare-id",
    ),
    pytest.param(
        "export.txt",
        b"736233\tAcme Corp\n1045\tGlobex\n",
        ["736233", "1045"],
        None,
        "utf-8",
        id="headerless-table-of-ids-and-names",
    ),
    pytest.param(
        "export.csv",
        "Company ID;Société;Ville\r\n736233;Société Générale;Paris\r\n"
        "1045;Müller & Söhne;Köln\r\n".encode("cp1252"),
        ["736233", "1045"],
        "Company ID",
        "cp1252",
        id="legacy-cp1252-accented-names",
    ),
    pytest.param(
        "export.csv",
        "Company ID,Name\n736233,Société Générale\n1045,Nestlé\n".encode(),
        ["736233", "1045"],
        "Company ID",
        "utf-8",
        id="utf8-accented-names",
    ),
    pytest.param(
        "empty.csv",
        b"",
        [],
        None,
        "utf-8",
        id="empty-file",
    ),
    pytest.param(
        "header-only.csv",
        b"Company ID\r\n",
        [],
        None,
        "utf-8",
        id="header-only",
    ),
    pytest.param(
        "ids.xlsx",
        make_xlsx(
            [["Company ID", "Name"], ["00412", "Acme"], ["736233", "Globex"]],
            text_columns=[0],
        ),
        ["00412", "736233"],
        "Company ID",
        None,
        id="xlsx-text-id-column",
    ),
    pytest.param(
        "ids.xlsx",
        make_xlsx([[736233], [1045], [None], [1045], [123456789012345]]),
        ["736233", "1045", "123456789012345"],
        None,
        None,
        id="xlsx-integer-cells-no-header",
    ),
    pytest.param(
        "ids.xlsx",
        make_xlsx([["Name", "Company ID"], ["Acme", 736233], ["Globex", " 1045 "]]),
        ["736233", "1045"],
        "Company ID",
        None,
        id="xlsx-id-column-second",
    ),
    pytest.param(
        "ids.xlsx",
        make_xlsx([["Company ID"], ["736233"]], sheets_before=1),
        ["736233"],
        None,
        None,
        id="xlsx-reads-first-sheet",
    ),
    pytest.param(
        "ids.csv",
        make_xlsx([["Company ID"], ["736233"]]),
        ["736233"],
        None,
        None,
        id="workbook-saved-with-csv-name",
    ),
    pytest.param(
        "IDS.CSV",
        b"736233\n",
        ["736233"],
        None,
        "utf-8",
        id="upper-case-extension",
    ),
]


@pytest.mark.parametrize("name, data, ids, column, encoding", FILE_CASES)
def test_parse_file_cases(name, data, ids, column, encoding):
    report = parse_file(name, data)

    assert report.invalid == []
    assert report.ids == ids
    assert report.column == column
    assert report.encoding == encoding
    assert report.source == name


def test_parse_file_counts_duplicates():
    report = parse_file("ids.csv", b"1\n2\n1\n1\n3\n2\n")

    assert report.ids == ["1", "2", "3"]
    assert report.duplicates == 3
    assert report.is_clean


def test_parse_text_paste():
    report = parse_text("736233, 00412\n736233\n")

    assert report.ids == ["736233", "00412"]
    assert report.duplicates == 1
    assert report.source == "paste"
    assert report.encoding is None
    assert report.is_clean


@pytest.mark.parametrize(
    "text",
    [
        "7.36233E+05",
        "7.36233e5",
        "7.36233E05",
        "736233.0",
        "736233.00",
        "7,36233E+05",
        "1E+19",
        "736233,0",
    ],
)
def test_excel_numbers_are_rejected(text):
    report = parse_text(f"Company ID\n1045\n{text}\n")

    assert report.ids == ["1045"]
    assert len(report.invalid) == 1
    assert report.invalid[0].line == 3
    assert report.invalid[0].value == text
    assert EXCEL_HINT in report.invalid[0].reason
    assert "Format the column as Text" in report.invalid[0].reason
    assert not report.is_clean


def test_excel_numbers_in_table_column():
    data = b"Name;Company ID\r\nAcme, Inc.;7,36233E+05\r\nGlobex;1045\r\n"
    report = parse_file("export.csv", data)

    assert report.ids == ["1045"]
    assert report.invalid == [
        InvalidId(2, "7,36233E+05", report.invalid[0].reason),
    ]
    assert EXCEL_HINT in report.invalid[0].reason


def test_xlsx_float_cells_are_rejected():
    data = make_xlsx(
        [
            ["Company ID", "Name"],
            ["00412", "Acme"],
            [736233.0, "Globex"],
            [7.3623312345678899e17, "Initech"],
            [1045, "Umbrella"],
        ]
    )
    data = replace_in_sheet(data, b"<v>736233</v>", b"<v>736233.0</v>")
    report = parse_file("ids.xlsx", data)

    assert report.ids == ["00412", "1045"]
    assert [item.line for item in report.invalid] == [3, 4]
    assert report.invalid[0].value == "736233.0"
    assert all(EXCEL_HINT in item.reason for item in report.invalid)
    assert report.column == "Company ID"


def test_xlsx_date_and_bool_cells_are_rejected():
    import datetime

    data = make_xlsx([[datetime.datetime(2024, 3, 5)], [True], ["1045"]])
    report = parse_file("ids.xlsx", data)

    assert report.ids == ["1045"]
    assert [item.line for item in report.invalid] == [1, 2]
    assert "date" in report.invalid[0].reason
    assert report.invalid[1].value == "TRUE"


def test_xlsx_row_numbers_skip_blank_rows():
    data = make_xlsx([["Company ID"], [None], ["1045"], [None], ["abc"]])
    report = parse_file("ids.xlsx", data)

    assert report.ids == ["1045"]
    assert report.invalid[0].line == 5


@pytest.mark.parametrize(
    "value, reason_part",
    [
        ("0", "all zeros"),
        ("0000", "all zeros"),
        ("1" * 21, "21 digits"),
        ("736 233", "contains a space"),
        ("73623a", "contains 'a'"),
        ("-736233", "contains '-'"),
        ("１２３", "contains '１'"),
        ("Acme Corp", "not a company id"),
    ],
)
def test_invalid_value_reasons(value, reason_part):
    report = parse_text(f"1045\n{value}\n")

    assert report.ids == ["1045"]
    assert len(report.invalid) == 1
    assert report.invalid[0].line == 2
    assert report.invalid[0].value == value
    assert reason_part in report.invalid[0].reason


def test_invalid_line_numbers_follow_line_endings():
    report = parse_text("1\r\n\r\nx\ry\n\n2,z")

    assert report.ids == ["1", "2"]
    assert [(item.line, item.value) for item in report.invalid] == [
        (3, "x"),
        (4, "y"),
        (6, "z"),
    ]


def test_quoted_value_keeps_its_commas():
    report = parse_text('1045;"736,233"')

    assert report.ids == ["1045"]
    assert report.invalid[0].value == "736,233"
    assert "contains ','" in report.invalid[0].reason


def test_stray_text_above_list_is_reported():
    report = parse_text("see below,thanks\n1045\n736233\n")

    assert report.ids == ["1045", "736233"]
    assert [item.value for item in report.invalid] == ["see below", "thanks"]


def test_single_row_with_name_is_a_list():
    report = parse_text("736233,Acme")

    assert report.ids == ["736233"]
    assert [item.value for item in report.invalid] == ["Acme"]


def test_list_header_names():
    for header in ["Company", "Companies", "IDs", "InsideView Company IDs", "IV ID"]:
        report = parse_text(f"{header}\n736233\n")

        assert report.ids == ["736233"], header
        assert report.invalid == [], header


def test_unclosed_quote_is_reported():
    report = parse_text('1045\n"736233\n99\n')

    assert report.ids == ["1045"]
    assert report.invalid[0].line == 2
    assert "quote" in report.invalid[0].reason


def test_long_invalid_value_is_shortened():
    report = parse_text("x" * 500)

    assert len(report.invalid[0].value) == 101
    assert report.invalid[0].value.endswith("…")


def test_two_equal_id_columns_are_rejected():
    with pytest.raises(UploadRejected) as excinfo:
        parse_text("Company ID,company_id\n1,2\n")

    assert '"Company ID", "company_id"' in str(excinfo.value)
    assert "Delete or rename" in str(excinfo.value)


def test_no_ids_is_not_clean():
    report = parse_text("\n , ;\n")

    assert report.ids == []
    assert report.invalid == []
    assert not report.is_clean


def test_report_dict_round_trip():
    report = parse_file("export.csv", b"Name,Company ID\nAcme,1\nGlobex,x\nInitech,1\n")
    stored = json.loads(json.dumps(report.to_dict()))

    assert ParseReport.from_dict(stored) == report
    assert stored["invalid"][0]["line"] == 3
    assert stored["duplicates"] == 1
    assert stored["column"] == "Company ID"


@pytest.mark.parametrize(
    "value, valid",
    [
        ("1", True),
        ("0001", True),
        ("9" * 20, True),
        ("0", False),
        ("000", False),
        ("9" * 21, False),
        ("", False),
        (" 1", False),
        ("1\n", False),
        ("+1", False),
        ("1.0", False),
        ("١٢٣", False),
    ],
)
def test_is_valid_company_id(value, valid):
    assert is_valid_company_id(value) is valid


# Rejections of the whole file.


def rejection(name, data):
    with pytest.raises(UploadRejected) as excinfo:
        parse_file(name, data)
    return str(excinfo.value)


@pytest.mark.parametrize(
    "data, kind",
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
        (make_zip({"notes.txt": "736233"}), "a ZIP archive"),
        (make_zip({"word/document.xml": "<w/>"}), "a Word document"),
        (
            make_zip({"mimetype": "application/vnd.oasis.opendocument.spreadsheet"}),
            "an OpenDocument spreadsheet",
        ),
    ],
)
def test_binary_text_upload_is_rejected(data, kind):
    message = rejection("ids.csv", data)

    assert message.startswith(f"ids.csv looks like {kind}")
    assert ".csv, .txt or .xlsx" in message


def test_nul_bytes_without_bom_are_rejected():
    message = rejection("ids.txt", "736233\n".encode("utf-16-le"))

    assert "NUL bytes" in message
    assert "UTF-8" in message


def test_control_characters_are_rejected():
    message = rejection("ids.txt", b"736233\n\x01\x02\x03\n")

    assert "control character (U+0001) on line 2" in message


def test_undecodable_bytes_are_rejected():
    message = rejection("ids.txt", b"736233 \x81\n")

    assert "neither UTF-8 nor Windows-1252" in message


def test_bad_utf16_is_rejected():
    message = rejection("ids.txt", b"\xff\xfe1\x00\x00\xd8")

    assert "UTF-16-LE byte order mark" in message


def test_oversize_file_is_rejected():
    message = rejection("big.csv", b"1\n" * (MAX_UPLOAD_BYTES // 2 + 1))

    assert message == (
        "big.csv is 5.1 MB, which is over the 5 MB limit. Split the list into "
        "smaller parts and add them one at a time."
    )


def test_file_at_size_limit_is_read():
    line = b" " * 1023 + b"\n"
    padding = line * ((MAX_UPLOAD_BYTES - 7) // len(line))
    data = b"736233\n" + padding + b" " * ((MAX_UPLOAD_BYTES - 7) % len(line))

    assert len(data) == MAX_UPLOAD_BYTES
    assert parse_file("big.csv", data).ids == ["736233"]


def test_oversize_paste_is_rejected():
    with pytest.raises(UploadRejected) as excinfo:
        parse_text("1\n" * MAX_UPLOAD_BYTES)

    assert str(excinfo.value).startswith("The pasted text is 10.0 MB")


def test_xls_extension_is_rejected():
    message = rejection("ids.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50)

    assert "old-format Excel workbook (.xls)" in message
    assert "save it as .xlsx or .csv" in message


def test_xls_content_named_xlsx_is_rejected():
    message = rejection("ids.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50)

    assert "old-format Excel workbook (.xls) or a password-protected" in message
    assert "save it as .xlsx or .csv" in message


@pytest.mark.parametrize("name", ["ids.pdf", "ids.docx", "ids", "ids.csv.exe"])
def test_unknown_extension_is_rejected(name):
    message = rejection(name, b"736233\n")

    assert message == (
        f"{name} is not a file type that can be read. Upload a .csv, .txt or "
        ".xlsx file."
    )


@pytest.mark.parametrize(
    "data",
    [
        make_xlsx([["736233"]])[:2000],
        b"PK\x03\x04" + b"\x00" * 100,
        b"Company ID\n736233\n",
        make_zip({"xl/workbook.xml": "<not-a-workbook"}),
        make_zip({"notes.txt": "736233"}),
    ],
    ids=["truncated", "bad-zip-header", "text-renamed", "broken-xml", "other-zip"],
)
def test_corrupt_xlsx_is_rejected(data):
    message = rejection("ids.xlsx", data)

    assert message.startswith("ids.xlsx could not be read as an Excel workbook.")
    assert "save it as .xlsx or .csv" in message


def test_workbook_unpacking_too_large_is_rejected(monkeypatch):
    monkeypatch.setattr("techjobs.parsing.xlsx.MAX_UNPACKED_BYTES", 1000)
    data = make_xlsx([["Company ID"], ["736233"]])

    message = rejection("ids.xlsx", data)

    assert "unpacks to more than" in message
    assert "Save the id column alone as .csv" in message


def test_workbook_with_too_many_rows_is_rejected(monkeypatch):
    monkeypatch.setattr("techjobs.parsing.xlsx.MAX_SHEET_ROWS", 5)
    data = make_xlsx([["Company ID"]] + [[str(736230 + n)] for n in range(5)])

    message = rejection("ids.xlsx", data)

    assert message.startswith("ids.xlsx has more than 5 rows in its first sheet")
    assert "Split it into smaller files." in message


def test_workbook_at_the_row_cap_is_read(monkeypatch):
    monkeypatch.setattr("techjobs.parsing.xlsx.MAX_SHEET_ROWS", 4)
    data = make_xlsx([["Company ID"]] + [[str(736230 + n)] for n in range(3)])

    assert parse_file("ids.xlsx", data).ids == ["736230", "736231", "736232"]


def test_non_workbook_zip_named_xlsx_is_rejected():
    message = rejection("ids.xlsx", make_zip({"xl/workbook.bin": b"\x00"}))

    assert "an Excel binary workbook (.xlsb)" in message


# Property: any list of valid ids written in any supported format reads back as
# the same list without duplicates.

COMMON_IDS = ["736233", "00412", "1"]
NAMES = ["Acme", "Société Générale", "Globex, Ltd", 'The "Best" Co', "Initech"]
ID_HEADERS = ["Company ID", "companyId", "company_id", "CompanyID", "InsideView ID"]
TEXT_ENCODINGS = ["utf-8", "utf-8-sig", "utf-16-le", "utf-16-be", "cp1252"]
LINE_ENDINGS = ["\n", "\r\n", "\r"]

company_ids = st.one_of(
    st.from_regex(r"[0-9]{1,20}", fullmatch=True).filter(
        lambda value: value.strip("0")
    ),
    st.sampled_from(COMMON_IDS),
)


def unique(ids):
    return list(dict.fromkeys(ids))


def quote(value):
    return '"' + value.replace('"', '""') + '"'


def encode(text, encoding):
    if encoding.startswith("utf-16"):
        return utf16(text, encoding[-2:])
    return text.encode(encoding)


@st.composite
def written_lists(draw, ids):
    """Draw a file (name, bytes, expected column) or a paste (None, text, column)
    that contains ids."""
    kind = draw(st.sampled_from(["list", "table", "xlsx", "xlsx-table", "paste"]))
    header = draw(st.sampled_from(ID_HEADERS))

    if kind.startswith("xlsx"):
        # Excel keeps 15 significant digits, and openpyxl writes a longer
        # integer as a float, so only shorter ids can be number cells.
        cells = [
            int(value)
            if not value.startswith("0") and len(value) <= 15 and draw(st.booleans())
            else value
            for value in ids
        ]
        if kind == "xlsx-table":
            rows = [["Name", header]] + [
                [draw(st.sampled_from(NAMES)), cell] for cell in cells
            ]
            return "ids.xlsx", make_xlsx(rows, text_columns=[1]), header
        rows = [[cell] for cell in cells]
        if draw(st.booleans()):
            rows.insert(0, [header])
        return "ids.xlsx", make_xlsx(rows), None

    line_ending = draw(st.sampled_from(LINE_ENDINGS))
    if kind == "table" and len(ids) >= 2 and draw(st.booleans()):
        # A table without a header is read from its first column when every
        # other cell contains a letter.
        delimiter = draw(st.sampled_from([",", ";", "\t"]))
        lines = [
            delimiter.join([value, quote(draw(st.sampled_from(NAMES)))])
            for value in ids
        ]
        column = None
    elif kind == "table":
        delimiter = draw(st.sampled_from([",", ";", "\t"]))
        lines = [delimiter.join(["Name", header])]
        for value in ids:
            name = quote(draw(st.sampled_from(NAMES)))
            if draw(st.booleans()):
                value = quote(value)
            lines.append(delimiter.join([name, value]))
        column = header
    else:
        text = ""
        for value in ids:
            if draw(st.booleans()):
                value = quote(value)
            gap = draw(st.sampled_from([",", ";", "\t", ", ", " ; ", line_ending]))
            text += value + gap
        if not draw(st.booleans()):
            text = text.rstrip(",;\t \r\n")
        lines = [text]
        if draw(st.booleans()):
            lines.insert(0, header)
        column = None
    text = line_ending.join(lines) + draw(st.sampled_from(["", line_ending]))

    if kind == "paste":
        return None, text, column
    name = draw(st.sampled_from(["ids.csv", "ids.txt"]))
    return name, encode(text, draw(st.sampled_from(TEXT_ENCODINGS))), column


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.lists(company_ids, max_size=25))
def test_written_lists_read_back(data, ids):
    name, content, column = data.draw(written_lists(ids))

    report = parse_text(content) if name is None else parse_file(name, content)

    assert report.invalid == []
    assert report.ids == unique(ids)
    assert report.duplicates == len(ids) - len(unique(ids))
    assert report.column == column
