"""Command line: `python -m simulator --host 127.0.0.1 --port 8001`."""

import argparse
import os
import sys

from simulator.config import (
    DEFAULT_MONTHLY_CREDITS,
    DEMO_ACCOUNT,
    ONE_YEAR_SECONDS,
    THROTTLE_WINDOW_SECONDS,
    AccountSpec,
    SimulatorConfig,
    parse_account,
)
from simulator.scenario import SCENARIOS


def non_negative_float(value):
    number = float(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {value}")
    return number


def positive_int(value):
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {value}")
    return number


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m simulator",
        description=(
            "Simulate InsideView's Company Installed Tech bulk job API on one host: "
            "the /Auth/login/v1/token endpoints and the /api/v1 paths."
        ),
    )
    _add_server_options(parser.add_argument_group("server"))
    _add_accounts_options(parser.add_argument_group("accounts"))
    _add_jobs_options(parser.add_argument_group("jobs and results"))
    _add_limits_options(parser.add_argument_group("tokens and throttling"))
    _add_webhooks_options(parser.add_argument_group("webhooks and faults"))
    return parser


def _add_server_options(group):
    group.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default %(default)s)"
    )
    group.add_argument(
        "--port",
        type=int,
        default=8001,
        help="TCP port to listen on, or 0 for a free one (default %(default)s)",
    )
    group.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="HOST",
        help="extra Host header value to accept besides loopback names. Repeatable.",
    )
    group.add_argument(
        "--threads",
        type=positive_int,
        default=8,
        help="request-handling threads in the one worker process (default %(default)s)",
    )
    group.add_argument(
        "--access-log", action="store_true", help="log each request to stdout"
    )
    group.add_argument(
        "--log-level",
        choices=("debug", "info", "warning", "error"),
        default="warning",
        help="log level of the server and the simulator (default %(default)s)",
    )


def _add_accounts_options(group):
    group.add_argument(
        "--account",
        action="append",
        default=[],
        metavar="CLIENT_ID:CLIENT_SECRET[:MONTHLY_CREDITS]",
        help=(
            "an API account; repeat for more. MONTHLY_CREDITS is transactions per "
            f"calendar month (default {DEFAULT_MONTHLY_CREDITS}). Without any "
            f"--account, the account {':'.join(DEMO_ACCOUNT)} is created."
        ),
    )
    group.add_argument(
        "--disabled-account",
        action="append",
        default=[],
        metavar="CLIENT_ID:CLIENT_SECRET[:MONTHLY_CREDITS]",
        help=(
            "an account that can get tokens but is not licensed for the techProfile "
            "APIs, so they return HTTP 405 to it. Repeat for more."
        ),
    )


def _add_jobs_options(group):
    group.add_argument(
        "--accepted-seconds",
        type=non_negative_float,
        metavar="SECONDS",
        default=2.0,
        help=(
            "minimum seconds a job stays accepted before processing "
            "(default %(default)s)"
        ),
    )
    group.add_argument(
        "--processing-seconds",
        type=non_negative_float,
        metavar="SECONDS",
        default=4.0,
        help="seconds a job spends processing, whatever its size (default %(default)s)",
    )
    group.add_argument(
        "--max-waiting-jobs",
        type=int,
        default=10,
        metavar="N",
        help=(
            "accepted jobs an account may have waiting besides the 2 processing; one "
            "more submission is rejected with HTTP 400 (default %(default)s)"
        ),
    )
    group.add_argument(
        "--results-shape",
        choices=("descriptor", "csv"),
        default="descriptor",
        help=(
            "what GET .../job/{jobId}/results returns: a descriptor with a resultsUrl "
            "to download, or the CSV file itself (default %(default)s)"
        ),
    )
    group.add_argument(
        "--results-url-lifetime",
        type=non_negative_float,
        default=24 * 3600,
        metavar="SECONDS",
        help="seconds a resultsUrl stays valid (default %(default)s)",
    )


def _add_limits_options(group):
    group.add_argument(
        "--token-lifetime",
        type=non_negative_float,
        default=ONE_YEAR_SECONDS,
        metavar="SECONDS",
        help="lifetime of access tokens in seconds (default one year, %(default)s)",
    )
    group.add_argument(
        "--requests-per-window",
        type=positive_int,
        default=1000,
        metavar="N",
        help=(
            "API requests allowed per access token per throttling window before the "
            "account is locked out with HTTP 429 for one window (default %(default)s)"
        ),
    )
    group.add_argument(
        "--throttle-window-seconds",
        type=non_negative_float,
        metavar="SECONDS",
        default=THROTTLE_WINDOW_SECONDS,
        help=(
            "length of the throttling window and of the lock-out, in seconds "
            "(default %(default)s)"
        ),
    )


def _add_webhooks_options(group):
    group.add_argument(
        "--webhook-secret",
        metavar="SECRET",
        help=(
            "sign webhook bodies with this secret: header "
            "X-InsideViewAPI-AlertDataSignature = hex HMAC-SHA1 (default: unsigned)"
        ),
    )
    group.add_argument(
        "--webhook-backoff-seconds",
        type=non_negative_float,
        metavar="SECONDS",
        default=1.0,
        help=(
            "delay before the first webhook retry, doubled for each of the up to 3 "
            "retries (default %(default)s)"
        ),
    )
    group.add_argument(
        "--scenario",
        choices=sorted(SCENARIOS),
        default="default",
        help=(
            "fault-injection scenario: default has no faults, failing-jobs fails "
            "every job at the end of processing (default %(default)s)"
        ),
    )


def build_config(args, parser):
    try:
        accounts = [parse_account(value) for value in args.account]
        accounts += [
            parse_account(value, tech_profile_enabled=False)
            for value in args.disabled_account
        ]
    except ValueError as error:
        parser.error(str(error))

    if not args.account:
        accounts.insert(0, AccountSpec(*DEMO_ACCOUNT))
    client_ids = [account.client_id for account in accounts]
    if len(set(client_ids)) != len(client_ids):
        parser.error("each account needs its own CLIENT_ID")
    if args.max_waiting_jobs < 0:
        parser.error("--max-waiting-jobs must be 0 or more")

    return SimulatorConfig(
        accounts=tuple(accounts),
        accepted_seconds=args.accepted_seconds,
        processing_seconds=args.processing_seconds,
        results_shape=args.results_shape,
        token_lifetime_seconds=args.token_lifetime,
        requests_per_window=args.requests_per_window,
        throttle_window_seconds=args.throttle_window_seconds,
        max_waiting_jobs=args.max_waiting_jobs,
        results_url_lifetime_seconds=args.results_url_lifetime,
        webhook_secret=args.webhook_secret,
        webhook_backoff_seconds=args.webhook_backoff_seconds,
        scenario=args.scenario,
    )


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    config = build_config(args, parser)

    # The worker reads these when Django loads simulator.settings. The settings
    # module is forced because a test runner may have set techjobs' own.
    allowed_hosts = ["127.0.0.1", "localhost", "[::1]", args.host, *args.allowed_host]
    os.environ["SIMULATOR_ALLOWED_HOSTS"] = ",".join(dict.fromkeys(allowed_hosts))
    os.environ["SIMULATOR_LOG_LEVEL"] = args.log_level
    os.environ["DJANGO_SETTINGS_MODULE"] = "simulator.settings"

    from simulator.server import serve

    serve(
        config,
        host=args.host,
        port=args.port,
        threads=args.threads,
        access_log=args.access_log,
        log_level=args.log_level,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
