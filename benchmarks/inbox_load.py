"""Load test: N agents work the inbox at once through the real API on PostgreSQL, and no update is lost.

Each agent is a thread with its own user and token and its own HTTP client, calling the API app
served by uvicorn on loopback (a real server: HTTP parsing, FastAPI's thread pool, one
connection pool to PostgreSQL). For the given time each agent loops: take a case (read it, assign
it to themself), write a private note, change its state, draft a reply and send it. Every update
carries the version the agent read; a 409 conflict is answered by re-reading the case and trying
again. At the end the database is checked against what the agents saw succeed:

- each case's version is 1 + the number of successful versioned updates (assign, state, send),
  and the versions recorded by those updates are exactly 2..version, each once (no lost update);
- each case's history holds one line per successful action, notes and drafts included;
- the journal verifies (hash chain intact) and holds one ``case_action`` entry per history line.

Usage::

    .venv/bin/python benchmarks/inbox_load.py [--agents 20] [--seconds 20] [--cases 40]
                                              [--postgresql URL] [--keep]

PostgreSQL: default postgresql+psycopg://postgres@127.0.0.1:5432/test, in a schema of its own
(``veilleur_load_<pid>``) dropped afterwards unless ``--keep``. Prints actions/s, conflicts,
retries and latency percentiles; exits with status 1 if an update was lost.
"""
from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from sqlalchemy import create_engine, text

from veilleur.access.users import Users
from veilleur.compliance.journal import Journal
from veilleur.core.actor import Actor, Role
from veilleur.core.case import Case, CaseState, Priority
from veilleur.core.organisation import Entity, Organisation
from veilleur.settings import Settings
from veilleur.storage import inbox_store
from veilleur.storage import journal as chain
from veilleur.storage.sql import SqlStore
from veilleur.web.app import create_app

DEFAULT_URL = os.environ.get("VEILLEUR_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REPLY = "Bonjour, nous regardons votre demande et revenons vers vous rapidement."
BUMPS = ("assigned", "state", "reply_sent")  # history actions that raise the case's version
MAX_TRIES = 20


@dataclass
class Tally:
    """What one agent saw: successes per case and action, conflicts, latencies."""

    done: Counter = field(default_factory=Counter)  # (case id, history action) → successes
    conflicts: int = 0
    gave_up: int = 0
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)


@dataclass
class Report:
    agents: int
    seconds: float
    actions: int
    conflicts: int
    gave_up: int
    latencies: list[float]
    problems: list[str]
    journal_entries: int

    @property
    def ok(self) -> bool:
        return not self.problems

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


# -- the database --------------------------------------------------------------------------------
def own_schema(base_url: str, schema: str) -> str:
    """Create an empty schema and return a URL whose search_path is it."""
    admin = create_engine(base_url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    return f"{base_url}{'&' if '?' in base_url else '?'}options=-csearch_path%3D{schema}"


def drop_schema(base_url: str, schema: str) -> None:
    admin = create_engine(base_url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


def organisation() -> Organisation:
    return Organisation(group="Groupe", entities=[
        Entity(id="groupe", name="Groupe", kind="group"),
        Entity(id="banque-a", name="Banque A", kind="regional_bank", parent="groupe"),
        Entity(id="banque-b", name="Banque B", kind="regional_bank", parent="groupe")])


def seed(store: SqlStore, users: Users, agents: int, cases: int) -> tuple[dict[str, str], list[int]]:
    """Agents of banque-a with a token each, and ``cases`` new cases of banque-a in their queue."""
    root = Actor("bench:setup", Role.ADMIN)
    tokens = {}
    for n in range(agents):
        login = f"agent{n:02d}"
        users.add(login, Role.COMMUNITY_MANAGER, root, entity="banque-a")
        tokens[login] = users.issue_token(login, root, name="load test", days=1).token
    now = datetime.now(UTC)
    with store.engine.begin() as conn:
        ids = [inbox_store.insert_case(conn, Case(
            id=None, state=CaseState.NEW, priority=Priority.P3, queue="community_managers", opened_at=now,
            conversation_key=f"load:{n}", entity="banque-a", platform="x", author_handle=f"client{n}"),
            "bench:setup", now).id for n in range(cases)]
    return tokens, ids


# -- the server ----------------------------------------------------------------------------------
def serve(app) -> tuple[str, threading.Thread, object]:
    """Run ``app`` under uvicorn on a free loopback port, in a thread; its base URL, thread and server."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    return f"http://127.0.0.1:{sock.getsockname()[1]}", thread, server


# -- an agent ------------------------------------------------------------------------------------
class Agent:
    """One person working the inbox through the API with their own token."""

    def __init__(self, login: str, token: str, base_url: str, case_ids: list[int], seed: int):
        self.login, self.case_ids, self.random = login, case_ids, random.Random(seed)
        self.client = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60)
        self.tally = Tally()

    def call(self, method: str, path: str, body: dict | None = None) -> httpx.Response:
        start = time.perf_counter()
        answer = self.client.request(method, path, json=body)
        self.tally.latencies.append(time.perf_counter() - start)
        return answer

    def run(self, until: float) -> Tally:
        try:
            while time.monotonic() < until:
                self.work(self.random.choice(self.case_ids))
        except Exception as exc:  # an agent that dies is reported, not hidden
            self.tally.errors.append(f"{self.login}: {type(exc).__name__}: {exc}")
        finally:
            self.client.close()
        return self.tally

    def work(self, case_id: int) -> None:
        """Take the case, note, move it, reply: each update retried on conflict after re-reading."""
        base = f"/inbox/cases/{case_id}"
        if not self.versioned(case_id, "assigned", f"{base}/assign", lambda case: {"assignee": self.login}):
            return
        self.expect(self.call("post", f"{base}/notes", {"text": f"pris par {self.login}"}), 201)
        self.tally.done[case_id, "note"] += 1
        self.versioned(case_id, "state", f"{base}/state", lambda case: {
            "state": "assigned" if case["state"] == "waiting_customer" else "waiting_customer"})
        drafted = self.expect(self.call("post", f"{base}/replies", {"text": REPLY}), 201).json()
        self.tally.done[case_id, "reply_drafted"] += 1
        if drafted["state"] == "ready":
            self.versioned(case_id, "reply_sent", f"/inbox/replies/{drafted['id']}/send", lambda case: {})

    def versioned(self, case_id: int, action: str, path: str, body_of) -> bool:
        """POST with the version just read; on 409 re-read and retry. True once it succeeded."""
        for _ in range(MAX_TRIES):
            case = self.expect(self.call("get", f"/inbox/cases/{case_id}"), 200).json()["case"]
            answer = self.call("post", path, {**body_of(case), "expected_version": case["version"]})
            if answer.status_code == 200:
                self.tally.done[case_id, action] += 1
                return True
            if answer.status_code != 409:
                self.expect(answer, 200)
            self.tally.conflicts += 1
        self.tally.gave_up += 1
        return False

    @staticmethod
    def expect(answer: httpx.Response, status: int) -> httpx.Response:
        if answer.status_code != status:
            raise RuntimeError(f"{answer.request.method} {answer.request.url.path}: {answer.status_code} {answer.text}")
        return answer


# -- the check -----------------------------------------------------------------------------------
def lost_updates(store: SqlStore, done: Counter) -> tuple[list[str], int]:
    """What the database disagrees with the agents about; and the journal's entry count."""
    problems = []
    by_case: dict[int, Counter] = defaultdict(Counter)
    for (case_id, action), count in done.items():
        by_case[case_id][action] += count
    with store.engine.connect() as conn:
        for case_id, seen in sorted(by_case.items()):
            case = inbox_store.get_case(conn, case_id)
            history = inbox_store.events(conn, case_id)
            bumps = sum(seen[a] for a in BUMPS)
            if case.version != 1 + bumps:
                problems.append(f"case {case_id}: version {case.version}, expected {1 + bumps}")
            recorded = Counter(e.action for e in history)
            if recorded != +seen:
                problems.append(f"case {case_id}: history {dict(recorded)} but agents saw {dict(+seen)}")
        entries = list(chain.entries(conn))
    versions: dict[int, list[int]] = defaultdict(list)
    for e in entries:
        if e.record_type == "case_action" and e.action in BUMPS:
            versions[int(e.subject.split(":")[1])].append(int(e.details["version"]))
    for case_id, seen in sorted(by_case.items()):
        expected = list(range(2, 2 + sum(seen[a] for a in BUMPS)))
        if sorted(versions[case_id]) != expected:
            problems.append(f"case {case_id}: journaled versions {sorted(versions[case_id])}, expected {expected}")
    history_lines = sum(done.values())
    case_entries = sum(1 for e in entries if e.record_type == "case_action")
    if case_entries != history_lines:
        problems.append(f"journal: {case_entries} case_action entries for {history_lines} actions")
    verification = Journal(store).verify()
    if not verification.ok:
        problems.append(f"journal broken: {verification.problems[:3]}")
    return problems, len(entries)


def run_load(base_url: str = DEFAULT_URL, *, agents: int = 20, seconds: float = 20, cases: int = 40,
             seed_value: int = 7, keep: bool = False) -> Report:
    """Run the load test in a schema of its own on ``base_url``; the report says whether an update was lost."""
    schema = f"veilleur_load_{os.getpid()}_{threading.get_ident() % 10_000}"
    url = own_schema(base_url, schema)
    store = SqlStore(url, pool_size=agents + 5, max_overflow=agents)
    server = None
    try:
        store.upgrade()
        settings = Settings(database_url=url, organisation=organisation())
        users = Users(store, settings.organisation, settings.access)
        tokens, case_ids = seed(store, users, agents, cases)
        app = create_app(settings, store=store, users=users)
        base, thread, server = serve(app)
        crew = [Agent(login, token, base, case_ids, seed_value + n) for n, (login, token) in enumerate(tokens.items())]
        until = time.monotonic() + seconds
        started = time.perf_counter()
        workers = [threading.Thread(target=a.run, args=(until,)) for a in crew]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        elapsed = time.perf_counter() - started
        done = sum((a.tally.done for a in crew), Counter())
        problems, journal_entries = lost_updates(store, done)
        problems = [e for a in crew for e in a.tally.errors] + problems
        return Report(agents, elapsed, sum(done.values()), sum(a.tally.conflicts for a in crew),
                      sum(a.tally.gave_up for a in crew), [x for a in crew for x in a.tally.latencies], problems,
                      journal_entries)
    finally:
        if server is not None:
            server.should_exit = True
            thread.join(timeout=10)
        store.close()
        if not keep:
            drop_schema(base_url, schema)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--cases", type=int, default=40, help="cases the agents share (fewer: more conflicts)")
    parser.add_argument("--postgresql", default=DEFAULT_URL, help="PostgreSQL URL (a schema of its own is used)")
    parser.add_argument("--keep", action="store_true", help="keep the schema afterwards, for inspection")
    args = parser.parse_args()
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"{args.agents} agents, {args.cases} cases, {args.seconds:g} s, on {args.postgresql}")
    report = run_load(args.postgresql, agents=args.agents, seconds=args.seconds, cases=args.cases, keep=args.keep)
    table = Table("measure", "value")
    table.add_row("actions (successful, all kinds)", str(report.actions))
    table.add_row("actions/s", f"{report.actions / report.seconds:.1f}")
    table.add_row("HTTP requests", str(len(report.latencies)))
    table.add_row("conflicts (409, re-read and retried)", str(report.conflicts))
    table.add_row("updates given up after retries", str(report.gave_up))
    table.add_row("latency p50 / p95 / max (ms)", f"{report.percentile(0.5) * 1000:.1f} / "
                  f"{report.percentile(0.95) * 1000:.1f} / {max(report.latencies, default=0) * 1000:.1f}")
    table.add_row("mean latency (ms)", f"{statistics.fmean(report.latencies) * 1000:.1f}" if report.latencies else "-")
    table.add_row("journal entries", str(report.journal_entries))
    table.add_row("lost updates", "none" if report.ok else str(len(report.problems)))
    console.print(table)
    for problem in report.problems[:20]:
        console.print(f"[red]{problem}[/]", highlight=False)
    sys.exit(0 if report.ok else 1)


if __name__ == "__main__":
    main()
