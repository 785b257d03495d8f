"""Errors in InsideView's error-body shape, and the ones the API documents.

Messages and numbers 400-102, 400-105, 400-106 and 404-11 are documented, as are the
401, 404 (unknown job), 405, 415 and 429 messages. The other error numbers are the
simulator's own choice because the public error list is incomplete.
"""

import math
from http import HTTPStatus

from simulator.ids import random_id


class ApiError(Exception):
    def __init__(self, status, error_number, message, error_type=None, headers=None):
        super().__init__(message)
        self.status = status
        self.error_number = error_number
        self.message = message
        self.error_type = error_type or HTTPStatus(status).phrase
        self.headers = headers or {}

    def body(self):
        """Return the error body, with a fresh diagnostic code on each call."""
        return {
            "errorType": self.error_type,
            "status": self.status,
            "errorNumber": self.error_number,
            "message": self.message,
            "diagnosticCode": random_id(),
        }


def invalid_company_id():
    return ApiError(400, "400-102", "Company id is not valid.")


def illegal_value(field):
    return ApiError(400, "400-103", f"Illegal values for the field {field}.")


def too_small(param, minimum, value):
    message = f"{param} should not be less than {minimum}. Given value is {value}"
    return ApiError(400, "400-105", message)


def too_large(param, maximum, value):
    message = f"{param} should not be more than {maximum}. Given value is {value}"
    return ApiError(400, "400-106", message)


def invalid_number(param):
    return ApiError(400, "400-107", f"Please enter a valid number {param}.")


def not_enough_credits(needed, left):
    message = (
        f"Not enough transaction quota: the job needs {needed} transactions "
        f"and {left} are left in this period."
    )
    return ApiError(400, "400-110", message)


def too_many_jobs():
    return ApiError(400, "400-111", "Too many job submitted to the processing queue.")


def job_not_finished():
    return ApiError(400, "400-112", "Job is not finished.")


def job_not_cancellable(status):
    message = f"Job can't be cancelled because its status is {status}."
    return ApiError(400, "400-113", message)


def job_has_no_results(status):
    message = f"Job has no results because its status is {status}."
    return ApiError(400, "400-114", message)


def unauthorized():
    message = (
        "Unauthorized Error - Cannot use API's without setting a valid accessToken "
        "in header."
    )
    return ApiError(401, "401-1", message)


def bad_credentials():
    return ApiError(401, "401-2", "Invalid clientId or clientSecret.")


def forbidden_link():
    message = "The results link is invalid or has expired. Request the results again."
    return ApiError(403, "403-1", message)


def job_not_found():
    return ApiError(404, "404-1", "Invalid ID, record not found.")


def company_not_found():
    return ApiError(404, "404-11", "Company not found.")


def page_not_found(path):
    return ApiError(404, "404-2", f"No API at {path}.")


def api_not_enabled():
    message = "Method Not Allowed - Your are not allowed to access this API."
    return ApiError(405, "405-1", message)


def method_not_allowed(method, allowed):
    message = f"Method {method} is not allowed here. Use {', '.join(allowed)}."
    return ApiError(405, "405-2", message)


def unsupported_media_type(content_type):
    message = (
        f"Content-Type {content_type} is not supported. "
        "Send text/plain or application/octet-stream."
    )
    return ApiError(415, "415-1", message)


def throttled(retry_after=None):
    """Return the 429 error; `retry_after` in seconds becomes a Retry-After header."""
    headers = {}
    if retry_after is not None:
        headers["Retry-After"] = str(max(math.ceil(retry_after), 0))
    return ApiError(429, "429-1", "Request is throttled.", headers=headers)


def server_error():
    return ApiError(500, "500-1", "Internal server error.")


def injected(status, phrase):
    """Return an error for an injected HTTP status without a documented body."""
    return ApiError(status, f"{status}-9", f"{phrase}: injected by the simulator.")
