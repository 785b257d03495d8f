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
from simulator.scenario import SCENARIO_HELP, SCENARIOS, scenario_faults


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


def rate(value):
    number = float(value)
    if not 0 <= number <= 1:
        raise argparse.ArgumentTypeError(f"expected a rate from 0 to 1, got {value}")
    return number


def latency_range(value):
    """Parse SECONDS or MIN-MAX into a (min, max) pair of seconds."""
    low, _, high = value.partition("-")
    try:
        bounds = (float(low), float(high or low))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected SECONDS or MIN-MAX, got {value}"
        ) from None
    if bounds[0] < 0 or bounds[0] > bounds[1]:
        raise argparse.ArgumentTypeError(
            f"expected 0 <= MIN <= MAX seconds, got {value}"
        )
    return bounds


def error_rates(value):
    """Parse STATUS=RATE[,STATUS=RATE...] into {status: rate}."""
    rates = {}
    for part in value.split(","):
        status, _, share = part.partition("=")
        try:
            code = int(status)
            number = float(share)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected STATUS=RATE such as 429=0.1, got {part!r}"
            ) from None
        if not 400 <= code <= 599:
            raise argparse.ArgumentTypeError(
                f"expected an HTTP error status from 400 to 599, got {code}"
            )
        if not 0 <= number <= 1:
            raise argparse.ArgumentTypeError(
                f"expected a rate from 0 to 1 for {code}, got {share}"
            )
        rates[code] = number
    return rates


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
    _add_webhooks_options(parser.add_argument_group("webhooks"))
    _add_faults_options(parser.add_argument_group("fault injection"))
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


def _add_faults_options(group):
    group.add_argument(
        "--scenario",
        choices=sorted(SCENARIOS),
        default="default",
        help=f"named set of faults to inject: {SCENARIO_HELP} (default %(default)s)",
    )
    group.add_argument(
        "--seed",
        type=int,
        metavar="N",
        help=(
            "seed of every random fault choice, so that a run can be repeated "
            "(default: a random seed, logged at start when faults are on)"
        ),
    )
    group.add_argument(
        "--latency",
        type=latency_range,
        metavar="SECONDS|MIN-MAX",
        help="delay each API call by this many seconds, or by a random time in range",
    )
    group.add_argument(
        "--error-rate",
        type=error_rates,
        action="append",
        metavar="STATUS=RATE[,STATUS=RATE...]",
        help=(
            "respond to this share (0 to 1) of API and token calls with this HTTP "
            "status instead, e.g. 429=0.1,500=0.05. Injected 429 responses carry "
            "Retry-After. Repeatable"
        ),
    )
    group.add_argument(
        "--retry-after",
        type=non_negative_float,
        metavar="SECONDS",
        help="Retry-After of injected 429 responses, in seconds (default 1)",
    )
    group.add_argument(
        "--token-expiry",
        type=non_negative_float,
        metavar="SECONDS",
        help=(
            "tokens stop working this many seconds after they are issued, although "
            "their expirationTime states --token-lifetime"
        ),
    )
    group.add_argument(
        "--job-failure-rate",
        type=rate,
        metavar="RATE",
        help="share of jobs (0 to 1) that fail when their processing ends",
    )
    group.add_argument(
        "--webhook-drop-rate",
        type=rate,
        metavar="RATE",
        help="share of webhook calls (0 to 1) never sent",
    )
    group.add_argument(
        "--webhook-duplicate-rate",
        type=rate,
        metavar="RATE",
        help="share of webhook calls (0 to 1) sent twice",
    )
    group.add_argument(
        "--webhook-delay-rate",
        type=rate,
        metavar="RATE",
        help="share of webhook calls (0 to 1) sent after --webhook-delay-seconds",
    )
    group.add_argument(
        "--webhook-delay-seconds",
        type=non_negative_float,
        metavar="SECONDS",
        help="delay of delayed webhook calls, in seconds (default 2)",
    )
    group.add_argument(
        "--webhook-reorder-rate",
        type=rate,
        metavar="RATE",
        help=(
            "share of webhook calls (0 to 1) for a non-final status that are held "
            "back and sent after the call for the job's next status"
        ),
    )


# Fault options and the Faults field each one sets.
FAULT_OPTIONS = {
    "latency": "latency_seconds",
    "retry_after": "retry_after_seconds",
    "token_expiry": "token_expiry_seconds",
    "job_failure_rate": "job_failure_rate",
    "webhook_drop_rate": "webhook_drop_rate",
    "webhook_duplicate_rate": "webhook_duplicate_rate",
    "webhook_delay_rate": "webhook_delay_rate",
    "webhook_delay_seconds": "webhook_delay_seconds",
    "webhook_reorder_rate": "webhook_reorder_rate",
}


def build_faults(args, parser):
    overrides = {
        field: getattr(args, option)
        for option, field in FAULT_OPTIONS.items()
        if getattr(args, option) is not None
    }
    if args.error_rate:
        rates = {}
        for option_rates in args.error_rate:
            rates.update(option_rates)
        overrides["error_rates"] = tuple(sorted(rates.items()))

    faults = scenario_faults(args.scenario, **overrides)
    if sum(rate for _, rate in faults.error_rates) > 1:
        parser.error("the --error-rate shares add up to more than 1")
    return faults


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
        faults=build_faults(args, parser),
        seed=args.seed,
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
