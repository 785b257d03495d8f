"""Responses in JSON or XML, chosen by the Accept header as InsideView does.

XML is the default: JSON is sent only when Accept prefers application/json. Lists
render as repeated elements named after the field, as JAXB does by default.
"""

import json
import logging
from xml.etree import ElementTree

from django.http import HttpResponse

logger = logging.getLogger(__name__)

JSON = "application/json"
XML = "application/xml"

_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'


def wants_json(request):
    return request.get_preferred_type([XML, JSON]) == JSON


def render(request, root, data, *, status=200, as_json=None, wrap_json=False):
    """Return `data` as JSON or as XML under the element `root`.

    `as_json` overrides the Accept header. `wrap_json` nests the JSON object under
    `root` too, as the token endpoint does.
    """
    if as_json is None:
        as_json = wants_json(request)

    if as_json:
        body = {root: data} if wrap_json else data
        return HttpResponse(
            json.dumps(body), status=status, content_type=f"{JSON}; charset=utf-8"
        )

    return HttpResponse(
        to_xml(root, data), status=status, content_type=f"{XML}; charset=utf-8"
    )


def render_error(request, error, *, as_json=None):
    logger.info(
        "%s %s rejected with %s: %s",
        request.method,
        request.path,
        error.error_number,
        error.message,
    )
    response = render(
        request, "error", error.body(), status=error.status, as_json=as_json
    )
    for name, value in error.headers.items():
        response[name] = value
    return response


def to_xml(root, data):
    element = ElementTree.Element(root)
    _fill(element, data)
    return _XML_DECLARATION + ElementTree.tostring(element, encoding="unicode")


def _fill(element, value):
    if isinstance(value, dict):
        for name, child in value.items():
            _append(element, name, child)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def _append(parent, name, value):
    if isinstance(value, list):
        for item in value:
            _fill(ElementTree.SubElement(parent, name), item)
    else:
        _fill(ElementTree.SubElement(parent, name), value)
