"""The result of parsing a list of company ids."""

import math
from dataclasses import dataclass, field

MAX_UPLOAD_BYTES = 5 * 1024 * 1024

_MEGABYTE = 1024 * 1024


class UploadRejected(ValueError):
    """The whole input was rejected. str(exc) is the message to show the user."""


def check_size(size: int, subject: str) -> None:
    """Raise UploadRejected if size (in bytes) is over MAX_UPLOAD_BYTES. The
    message starts with subject, such as the file name."""
    if size <= MAX_UPLOAD_BYTES:
        return

    # Round up, so a size just over the limit never prints as equal to it.
    size_mb = math.ceil(size * 10 / _MEGABYTE) / 10
    raise UploadRejected(
        f"{subject} is {size_mb:.1f} MB, which is over the "
        f"{MAX_UPLOAD_BYTES // _MEGABYTE} MB limit. Split the list into smaller "
        "parts and add them one at a time."
    )


@dataclass(frozen=True)
class InvalidId:
    """A value that is not a company id, with its 1-based line (or sheet row)."""

    line: int
    value: str
    reason: str


@dataclass
class ParseReport:
    """Company ids read from one paste or file, and what was left out."""

    ids: list[str] = field(default_factory=list)
    invalid: list[InvalidId] = field(default_factory=list)
    duplicates: int = 0
    # Header of the column the ids came from. None unless the input had a header
    # row with more than one column.
    column: str | None = None
    source: str = "paste"
    # Codec the text was decoded with, such as "utf-8" or "cp1252". None for a
    # paste or a workbook.
    encoding: str | None = None

    @property
    def is_clean(self) -> bool:
        return bool(self.ids) and not self.invalid

    def to_dict(self) -> dict:
        return {
            "ids": list(self.ids),
            "invalid": [
                {"line": item.line, "value": item.value, "reason": item.reason}
                for item in self.invalid
            ],
            "duplicates": self.duplicates,
            "column": self.column,
            "source": self.source,
            "encoding": self.encoding,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "ParseReport":
        return cls(
            ids=list(data["ids"]),
            invalid=[InvalidId(**item) for item in data["invalid"]],
            duplicates=data["duplicates"],
            column=data["column"],
            source=data["source"],
            encoding=data["encoding"],
        )


class ReportBuilder:
    """Collect values in input order into a ParseReport."""

    # Values longer than this are cut in the report, because the report is stored
    # and shown back to the user. The reason still describes the whole value.
    MAX_SHOWN_VALUE = 100

    def __init__(self, *, source: str, encoding: str | None, column: str | None):
        self.report = ParseReport(source=source, encoding=encoding, column=column)
        self._seen: set[str] = set()

    def add(self, line: int, value: str, reason: str | None) -> None:
        if reason is not None:
            if len(value) > self.MAX_SHOWN_VALUE:
                value = value[: self.MAX_SHOWN_VALUE] + "…"
            self.report.invalid.append(InvalidId(line, value, reason))
        elif value in self._seen:
            self.report.duplicates += 1
        else:
            self._seen.add(value)
            self.report.ids.append(value)
