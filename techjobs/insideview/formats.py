"""Decoding of InsideView responses, which come as JSON or XML."""

import json
from datetime import UTC, datetime, timedelta

from defusedxml import ElementTree


class MalformedResponse(ValueError):
    pass


def decode(response) -> dict:
    """Return the body of a JSON or XML response as a flat dict of its fields."""
    content_type = response.headers.get("Content-Type", "")
    text = response.text
    if "json" in content_type or text.lstrip().startswith(("{", "[")):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise MalformedResponse(f"Invalid JSON from the API: {exc}") from None
        if not isinstance(data, dict):
            raise MalformedResponse(
                "The API responded with JSON that is not an object."
            )
        return data
    return _decode_xml(text)


def _decode_xml(text: str) -> dict:
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        raise MalformedResponse(f"Invalid XML from the API: {exc}") from None
    fields = {child.tag: _xml_value(child) for child in root}
    return {root.tag: fields} if root.tag == "accessTokenDetails" else fields


def _xml_value(element):
    if len(element):
        return {child.tag: _xml_value(child) for child in element}
    return (element.text or "").strip()


# "Tue, Jul 21, 2015 09:08:17 PM GMT", the token endpoint's expiry format.
EXPIRY_FORMAT = "%a, %b %d, %Y %I:%M:%S %p GMT"


def parse_expiry(value: str) -> datetime:
    """Parse a token's expirationTime; fall back to one hour from now if unreadable."""
    try:
        return datetime.strptime(value, EXPIRY_FORMAT).replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return datetime.now(UTC) + timedelta(hours=1)
