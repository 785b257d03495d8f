"""Parsing of pasted or uploaded lists of InsideView company ids.

parse_text and parse_file return a ParseReport with the valid ids in first-seen
order, every invalid value with its line and a reason, and the number of
duplicates removed. They raise UploadRejected when the whole input must be
rejected. Ids stay strings throughout, so leading zeros are kept.
"""

from .files import ACCEPTED_EXTENSIONS, parse_file
from .ids import is_valid_company_id
from .report import (
    MAX_UPLOAD_BYTES,
    InvalidId,
    ParseReport,
    UploadRejected,
    check_size,
)
from .text import parse_text

__all__ = [
    "ACCEPTED_EXTENSIONS",
    "MAX_UPLOAD_BYTES",
    "InvalidId",
    "ParseReport",
    "UploadRejected",
    "check_size",
    "is_valid_company_id",
    "parse_file",
    "parse_text",
]
