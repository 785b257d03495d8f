"""Company id validation and the reasons given for values that are not ids."""

import re

MAX_ID_DIGITS = 20

_COMPANY_ID = re.compile(rf"[0-9]{{1,{MAX_ID_DIGITS}}}")

# Forms of an id that Excel has turned into a number: 7.36233E+05, 7.36233e5,
# 736233.0 or 736233.00. A comma is accepted as the decimal mark because Excel's
# CSV export uses the system's decimal mark, a comma in many European locales.
_SCIENTIFIC = re.compile(r"[0-9]+(?:[.,][0-9]+)?[eE][+-]?[0-9]+")
_TRAILING_ZERO_DECIMALS = re.compile(r"[0-9]+[.,]0+")

# Zero-width characters that copying from web pages and spreadsheets leaves
# around values. str.strip() does not remove them.
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"

EXCEL_NUMBER_REASON = (
    "Excel turned this id into a number. Format the column as Text and export again."
)
EXCEL_DATE_REASON = (
    "Excel turned this id into a date. Format the column as Text and export again."
)


def is_valid_company_id(value: str) -> bool:
    """Return whether value is an InsideView company id: 1 to 20 ASCII digits, not
    all zeros. The value is checked as given, so callers trim it first."""
    return bool(_COMPANY_ID.fullmatch(value)) and value.strip("0") != ""


def clean_value(value: str) -> str:
    """Trim Unicode whitespace, including non-breaking spaces, and zero-width
    characters from both ends of value."""
    cleaned = value.strip()
    while cleaned and (cleaned[0] in _ZERO_WIDTH or cleaned[-1] in _ZERO_WIDTH):
        cleaned = cleaned.strip(_ZERO_WIDTH).strip()
    return cleaned


def is_excel_number(value: str) -> bool:
    """Return whether value is an id that Excel has rewritten as a number."""
    return bool(
        _SCIENTIFIC.fullmatch(value) or _TRAILING_ZERO_DECIMALS.fullmatch(value)
    )


def looks_like_id(value: str) -> bool:
    """Return whether value is an id or an id damaged by Excel.

    Header detection uses this: a row that contains such a value is data."""
    return is_excel_number(value) or (value.isascii() and value.isdigit())


def invalid_reason(value: str) -> str | None:
    """Return why a trimmed, non-empty value is not a company id, or None if it is
    one. The reason is written for the user and ends with the fix where one exists."""
    if is_valid_company_id(value):
        return None
    if is_excel_number(value):
        return EXCEL_NUMBER_REASON
    if value.isascii() and value.isdigit():
        if len(value) > MAX_ID_DIGITS:
            return (
                f"This value has {len(value)} digits, but company ids have at most "
                f"{MAX_ID_DIGITS}. Check that two ids are not run together."
            )
        return "This value is all zeros, which is not a company id."
    if "\n" in value or "\r" in value:
        return (
            'This value runs over several lines because a quote (") has no closing '
            "quote. Remove the stray quote and try again."
        )
    if not any(char.isdigit() for char in value):
        return "This is not a company id. Company ids are 1 to 20 digits (0-9)."
    return _reason_for_character(value)


def _reason_for_character(value: str) -> str:
    first_bad = next(char for char in value if not ("0" <= char <= "9"))
    if first_bad.isspace():
        return (
            "This value contains a space. Put each id on its own line, or separate "
            "ids with commas."
        )
    return (
        f"This value contains {first_bad!r}, but company ids contain only the "
        "digits 0-9."
    )
