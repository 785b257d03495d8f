"""Soak run: many jobs through real workers, beat and a hostile simulator.

Run it with `make soak`, which starts the project-local PostgreSQL and Redis
first. It creates its own database (techjobs_soak) and uses its own Redis
database, so it disturbs neither `make run` nor the tests. Midway one worker
is killed with SIGKILL and started again. At the end every job is checked
against the simulator's own record of it, and one closing line is printed:

    soak: J jobs, C correct, L lost, D duplicated, ledger balanced|unbalanced

The exit status is 0 only when every job is correct, none is lost or
duplicated, and the ledger balances.
"""

import argparse
import collections
import os
import random
import re
import signal
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.support import Process, free_port, start_simulator, wait_until  # noqa: E402

DATABASE = "techjobs_soak"
REDIS_DB = 14
# Two teams of at most 2 running jobs each, with 8 s of processing per job,
# keep the run long enough (about three minutes) for the hostile scenario's
# tokens to expire at least once.
TEAMS = 2
CLIENT_SECRET = "soak-secret"
# Far above what the run sends, so the 5-minute lock-out never starts. Each
# team's own budget is set below it as well.
SIMULATOR_REQUESTS_PER_WINDOW = 5000
TEAM_REQUESTS_PER_WINDOW = 4000

EXPECTED_STATUS = {
    "finished": "results_ready",
    "failed": "failed",
    "aborted": "aborted",
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=60, help="jobs to run")
    parser.add_argument(
        "--max-ids", type=int, default=500, help="most company ids in one job"
    )
    parser.add_argument(
        "--seed", type=int, default=2024, help="seed of job sizes and faults"
    )
    parser.add_argument(
        "--scenario", default="hostile", help="simulator fault scenario"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=240,
        help="seconds to wait for every job to end before counting (default 240)",
    )
    return parser.parse_args()


def log(message):
    print(f"    {message}", flush=True)


def service_urls():
    pg_port = os.environ.get("PGPORT", "54329")
    redis_port = os.environ.get("REDIS_PORT", "63790")
    server = f"postgres://postgres@127.0.0.1:{pg_port}"
    return server, f"redis://127.0.0.1:{redis_port}/{REDIS_DB}"


def recreate_database(server_url):
    import psycopg

    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")


def drop_database(server_url):
    import psycopg

    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


class Stack:
    """The soak's simulator, web server, workers and beat."""

    def __init__(self, args, env):
        self.args = args
        self.env = env
        self.processes = {}

    def start(self):
        accounts = []
        for number in range(TEAMS):
            accounts += ["--account", f"soak-{number}:{CLIENT_SECRET}"]
        simulator, url = start_simulator(
            *accounts,
            "--scenario", self.args.scenario,
            "--seed", str(self.args.seed),
            "--accepted-seconds", "0.5",
            "--processing-seconds", "8",
            "--requests-per-window", str(SIMULATOR_REQUESTS_PER_WINDOW),
            "--threads", "16",
            name="soak-simulator",
        )  # fmt: skip
        self.processes["simulator"] = simulator
        self.simulator_url = url
        self.env.update(INSIDEVIEW_API_URL=url, INSIDEVIEW_AUTH_URL=url)

        web_port = free_port()
        self.env["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{web_port}"
        self.processes["web"] = Process(
            [
                sys.executable, "-m", "gunicorn", "config.wsgi",
                "--bind", f"127.0.0.1:{web_port}",
                "--workers", "2", "--threads", "4",
            ],
            env=self.env,
            name="soak-web",
        )  # fmt: skip
        for name in ("a", "b"):
            self.start_worker(name)
        self.processes["beat"] = Process(
            [
                sys.executable, "-m", "celery", "-A", "config", "beat",
                "--loglevel", "INFO",
                "--schedule", str(ROOT / ".var" / "soak-beat-schedule"),
            ],
            env=self.env,
            name="soak-beat",
        )  # fmt: skip

    def start_worker(self, name, log_name=None):
        worker = Process(
            [
                sys.executable, "-m", "celery", "-A", "config", "worker",
                "--hostname", f"soak-{name}@%h",
                "--loglevel", "INFO", "--concurrency", "3",
                "--without-heartbeat", "--without-mingle", "--without-gossip",
            ],
            env=self.env,
            name=log_name or f"soak-worker-{name}",
        )  # fmt: skip
        self.processes[f"worker-{name}"] = worker
        wait_until(
            lambda: "ready." in worker.output(),
            timeout=30,
            message=f"worker {name} to start",
        )

    def kill_worker(self, name):
        """Kill the worker and its pool processes with SIGKILL, as a crash would.

        It waits up to 30 s for the worker to have a task in hand, so the kill
        interrupts work. Returns how many tasks it had received and not finished.
        """
        worker = self.processes.pop(f"worker-{name}")
        deadline = time.monotonic() + 30
        while not unfinished_tasks(worker.output()) and time.monotonic() < deadline:
            time.sleep(0.02)
        worker.stop(sig=signal.SIGKILL)
        return len(unfinished_tasks(worker.output()))

    def stop(self):
        for process in self.processes.values():
            process.stop()


def create_teams(count):
    from accounts.models import ApiCredential, Membership, Team, TeamQuota, User

    teams = []
    for number in range(count):
        team = Team.objects.create(name=f"Soak team {number}")
        TeamQuota.objects.filter(team=team).update(
            monthly_ids=1_000_000,
            ids_per_job=500,
            running_jobs=2,
            requests_per_window=TEAM_REQUESTS_PER_WINDOW,
        )
        user = User.objects.create_user(f"soak{number}@example.com", None)
        Membership.objects.create(user=user, team=team, role=Membership.Role.OWNER)
        credential = ApiCredential(team=team, client_id=f"soak-{number}")
        credential.set_client_secret(CLIENT_SECRET)
        credential.save()
        teams.append((team, user))
    return teams


def confirm_jobs(teams, count, max_ids, seed):
    """Confirm `count` single-job uploads of 1 to max_ids distinct ids each."""
    from techjobs import services

    sizes = random.Random(seed)
    next_id = 3_000_000
    jobs = []
    for number in range(count):
        team, user = teams[number % len(teams)]
        size = sizes.randint(1, max_ids)
        ids = [str(next_id + offset) for offset in range(size)]
        next_id += size
        upload = services.confirm_upload(
            team=team,
            user=user,
            ids=ids,
            source=f"soak-{number}",
            report={"source": "paste"},
            preview_token=uuid.uuid4(),
        )
        jobs.extend(upload.jobs.all())
    return jobs


def wait_for_jobs(stack, jobs, timeout):
    """Wait until every job has ended, killing and restarting worker a midway."""
    from techjobs.models import TechJob

    ids = [job.pk for job in jobs]
    deadline = time.monotonic() + timeout
    killed = False
    reported = None
    while time.monotonic() < deadline:
        ended = TechJob.objects.filter(
            pk__in=ids, status__in=[s.value for s in ENDED]
        ).count()
        if ended != reported:
            log(f"{ended}/{len(ids)} jobs ended")
            reported = ended
        if ended == len(ids):
            return
        if not killed and ended >= len(ids) // 3:
            in_flight = stack.kill_worker("a")
            log(f"killed worker a with SIGKILL, {in_flight} tasks unfinished")
            time.sleep(2)
            stack.start_worker("a", log_name="soak-worker-a-restarted")
            log("worker a started again")
            killed = True
        time.sleep(1)


def unfinished_tasks(worker_log):
    """Return the ids of tasks a worker's log shows received but not finished.

    A task waiting for its retry countdown counts as unfinished too.
    """
    received = set(re.findall(r"Task \S+\[([0-9a-f-]+)\] received", worker_log))
    finished = set(
        re.findall(r"Task \S+\[([0-9a-f-]+)\] (?:succeeded|retry|raised)", worker_log)
    )
    return received - finished


def report_faults(jobs):
    """Log how often the faults reached techjobs, so a quiet run is noticed."""
    from techjobs.models import JobEvent

    events = JobEvent.objects.filter(job__in=jobs)
    errors = collections.Counter(
        event.detail.get("status")
        for event in events.filter(kind=JobEvent.Kind.API_ERROR)
    )
    webhooks = events.filter(kind=JobEvent.Kind.WEBHOOK).count()
    ignored = events.filter(kind=JobEvent.Kind.IGNORED).count()
    polls = events.filter(kind=JobEvent.Kind.POLL).count()
    log(
        f"API errors by status {dict(errors)}; {webhooks} webhook deliveries, "
        f"{polls} status checks, {ignored} stale statuses ignored"
    )


class Tally:
    def __init__(self):
        self.correct = 0
        self.lost = 0
        self.duplicated = 0
        self.balanced = True
        self.problems = []

    def problem(self, job, text):
        self.problems.append(f"job {job.pk} ({job.id_count} ids): {text}")


def check_jobs(stack, jobs, tally):
    import requests

    from techjobs.models import TechJob, TechResult

    listing = requests.get(f"{stack.simulator_url}/simulator/jobs", timeout=30).json()
    submissions = collections.Counter(
        tuple(job["companyIds"]) for job in listing["jobs"]
    )
    for job in jobs:
        job.refresh_from_db()
        if not job.has_ended:
            tally.lost += 1
            tally.problem(job, f"never ended, still {job.status}")
            continue
        if TechJob.objects.filter(upload=job.upload).count() != 1:
            tally.duplicated += 1
            tally.problem(job, "stored more than once")
            continue

        stored = collections.Counter(
            TechResult.objects.filter(job=job).values_list(
                "company_id", "category", "sub_category", "product", "vendor", "status"
            )
        )
        truth = None
        if job.insideview_job_id:
            truth = requests.get(
                f"{stack.simulator_url}/simulator/jobs/{job.insideview_job_id}",
                timeout=30,
            ).json()
        expected = _expected_rows(truth)
        if any(stored[row] > expected[row] for row in stored):
            tally.duplicated += 1
            tally.problem(job, "result rows stored twice")
            continue
        if submissions[tuple(job.ids)] > 1:
            log(
                f"job {job.pk} reached InsideView {submissions[tuple(job.ids)]} "
                "times; techjobs follows one of them"
            )

        if truth is None:
            tally.problem(job, f"ended {job.status} without reaching InsideView")
        elif job.status != EXPECTED_STATUS.get(truth["status"]):
            tally.problem(
                job, f"ended {job.status}, InsideView has it {truth['status']}"
            )
        elif job.status == "results_ready" and stored != expected:
            tally.problem(job, "stored results differ from InsideView's")
        else:
            tally.correct += 1


def _expected_rows(truth):
    if truth is None or truth["status"] != "finished":
        return collections.Counter()
    return collections.Counter(
        (
            row["companyId"],
            row["categoryName"],
            row["subCategoryName"],
            row["productName"],
            row["vendorName"],
            row["status"],
        )
        for row in truth["results"]
    )


def check_ledger(stack, teams, jobs, tally):
    import requests

    from techjobs import ledger
    from techjobs.models import UsageEntry

    Kind = UsageEntry.Kind
    for job in jobs:
        entries = list(UsageEntry.objects.filter(job=job))
        kinds = collections.Counter(entry.kind for entry in entries)
        settled = kinds[Kind.CONSUME] + kinds[Kind.REFUND]
        if kinds[Kind.RESERVE] != 1 or settled != 1:
            tally.balanced = False
            tally.problem(job, f"ledger entries {dict(kinds)}")
            continue
        if any(entry.ids != job.id_count for entry in entries):
            tally.balanced = False
            tally.problem(job, "ledger entries don't match the job's id count")
        if job.insideview_job_id:
            truth = requests.get(
                f"{stack.simulator_url}/simulator/jobs/{job.insideview_job_id}",
                timeout=30,
            ).json()
            consumed = truth["creditsConsumed"] > 0
            if consumed != (kinds[Kind.CONSUME] == 1):
                tally.balanced = False
                tally.problem(
                    job,
                    f"ledger {dict(kinds)} but InsideView debited "
                    f"{truth['creditsConsumed']}",
                )

    accounts = requests.get(f"{stack.simulator_url}/simulator/jobs", timeout=30).json()[
        "accounts"
    ]
    for team, _ in teams:
        usage = ledger.usage(team)
        consumed = sum(
            UsageEntry.objects.filter(team=team, kind=Kind.CONSUME).values_list(
                "ids", flat=True
            )
        )
        if usage["used"] != consumed or usage["reserved"] != 0:
            tally.balanced = False
            tally.problems.append(
                f"team {team.pk}: usage {usage['used']} used and "
                f"{usage['reserved']} reserved, consume entries sum to {consumed}"
            )
        account = accounts[team.credential.client_id]
        log(
            f"team {team.pk}: {consumed} ids consumed, InsideView debited "
            f"{account['consumedCredits']}, at most {account['peakActiveJobs']} "
            "jobs running there at once"
        )
        if account["peakActiveJobs"] > team.quota.running_jobs:
            tally.problems.append(
                f"team {team.pk} had {account['peakActiveJobs']} jobs running at "
                f"InsideView, over its limit of {team.quota.running_jobs}"
            )


def main():
    args = parse_args()
    server_url, redis_url = service_urls()
    recreate_database(server_url)

    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"{server_url}/{DATABASE}",
        "DATABASE_CONN_MAX_AGE": "0",
        "REDIS_URL": redis_url,
        "LOG_LEVEL": "INFO",
        # The worker kill waits for a task in hand, read from these lines.
        "TASK_LOG_LEVEL": "INFO",
        "JOB_POLL_AFTER_SECONDS": "2",
        "BEAT_POLL_SECONDS": "2",
        "INSIDEVIEW_CONNECT_TIMEOUT": "2",
        "INSIDEVIEW_READ_TIMEOUT": "5",
        "JOB_SUBMIT_TIME_LIMIT": "15",
    }
    os.environ.update(env)
    # The processes log each step; this one reports only the outcome.
    os.environ["LOG_LEVEL"] = "WARNING"

    import django
    import redis

    django.setup()
    from django.core.management import call_command

    redis.Redis.from_url(redis_url).flushdb()
    call_command("migrate", verbosity=0)

    global ENDED
    from techjobs.models import ENDED_STATUSES as ENDED

    stack = Stack(args, dict(env))
    tally = Tally()
    jobs = []
    try:
        stack.start()
        teams = create_teams(TEAMS)
        jobs = confirm_jobs(teams, args.jobs, args.max_ids, args.seed)
        log(f"{len(jobs)} jobs confirmed for {TEAMS} teams")
        wait_for_jobs(stack, jobs, args.timeout)
        # Webhooks that were delayed or held back can still arrive after the
        # last job ended, and must change nothing.
        time.sleep(3)
        report_faults(jobs)
        check_jobs(stack, jobs, tally)
        check_ledger(stack, teams, jobs, tally)
    finally:
        stack.stop()
        from django.db import connections

        connections.close_all()
        drop_database(server_url)
        redis.Redis.from_url(redis_url).flushdb()

    for problem in tally.problems:
        log(problem)
    ledger_word = "balanced" if tally.balanced else "unbalanced"
    print(
        f"soak: {len(jobs)} jobs, {tally.correct} correct, {tally.lost} lost, "
        f"{tally.duplicated} duplicated, ledger {ledger_word}",
        flush=True,
    )
    passed = (
        jobs
        and tally.correct == len(jobs)
        and tally.lost == 0
        and tally.duplicated == 0
        and tally.balanced
        and not tally.problems
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
