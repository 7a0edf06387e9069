"""How fast the web app's pages are for a big LA with 20 people using it at once (issue 6).

1. A synthetic LA of 5,000 children over 10 collection years, imported into SQLite, with
   the demo accounts (one per role) and one aim with a PDSA cycle.
2. `carejourney serve` on it in a subprocess, as an LA would run it (one uvicorn process,
   access log off, the app's own log on).
3. 20 virtual users sign in, spread across the roles, each with its own session cookie.
   Each warms up (opens each of its pages once: the first load of the LA's journeys, the
   drift list's cache), then all 20 at once request their pages in turn, a fixed number of
   requests each: home, drift list, a child's journey (children in the user's scope, a
   different one each time), aims, timeliness and data, each only for the roles that may
   open it. By default nobody pauses (the worst case: 20 requests always in flight);
   `--think 1` has each user pause about a second between requests, still far busier
   than 20 people reading pages.

Prints requests per second, p50/p95/max latency per page and overall, and the errors
(anything but 200; there must be none). Goal (issue 6): p95 under 300 ms.

    uv run python benchmarks/web_load.py [--children 5000] [--years 10] [--users 20]
        [--requests 30] [--think SECONDS] [--keep DIR] [--url URL]

`--keep DIR` builds the LA's database in DIR once and reuses it on later runs.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from carejourney import imports
from carejourney.config.rules import load_rule_set
from carejourney.improvement.aims import Aim, Measure, add_aim
from carejourney.store import database
from carejourney.synth.ssda903 import write_returns
from carejourney.web.demo import demo_accounts
from carejourney.web.roles import Role

LA = "999"
GOAL_MS = 300
PAGES = {
    "home": "/",
    "drift list": "/drift",
    "journey": "/children/{child}",
    "aims": "/aims",
    "timeliness": "/timeliness",
    "data": "/data",
}
# 20 users: mostly the people who open the app every morning.
MIX = [
    (Role.MANAGER, "manager"),
    (Role.TEAM_MANAGER, "teammanager"),
    (Role.PRACTITIONER, "practitioner"),
    (Role.TEAM_MANAGER, "teammanager"),
    (Role.PRACTITIONER, "practitioner"),
    (Role.AUDITOR, "auditor"),
    (Role.ANALYST, "analyst"),
    (Role.MANAGER, "manager"),
    (Role.PRACTITIONER, "practitioner"),
    (Role.ADMINISTRATOR, "admin"),
]
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_FAILED = re.compile(r" 5\d\d \d+ ms$")  # the app's line per request: METHOD ROUTE STATUS N ms


def build(folder: Path, children: int, years: int) -> Path:
    """The LA's database in `folder` (made once: reused when already there)."""
    db = folder / "web-load.db"
    if db.exists():
        print(f"Reusing {db}")
        return db
    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    write_returns(folder / "returns", children=children, years=years, seed=1, la=LA)
    engine = database.connect(str(db))
    assert imports.import_returns(engine, [folder / "returns"], la=LA).stored
    rule = load_rule_set("england").rules[0]
    with engine.begin() as conn:
        demo_accounts(conn, LA, by="benchmark")
        add_aim(
            conn,
            LA,
            Aim(
                name="benchmark-aim",
                statement=f"More children on time: {rule.title}.",
                measure=Measure.RULE,
                rule_set="england",
                rule=rule.name,
                target_percent=80,
            ),
            who="benchmark",
        )
    engine.dispose()
    print(
        f"Built a synthetic LA of {children:,} children over {years} years in "
        f"{time.perf_counter() - start:.0f} s"
    )
    return db


def children_in_scope(db: Path) -> dict[str, list[str]]:
    """The children each demo account may open, by user name (a sample for the LA-wide)."""
    with closing(sqlite3.connect(db)) as conn:
        everyone = [r[0] for r in conn.execute("SELECT DISTINCT child FROM ssda903_header")]
        account = "SELECT team, worker FROM web_user WHERE username = ?"
        team = conn.execute(account, ("teammanager",)).fetchone()[0]
        worker = conn.execute(account, ("practitioner",)).fetchone()[1]
        allocated = "SELECT child FROM allocation WHERE la = ? AND {} = ? ORDER BY child"
        by_team = [r[0] for r in conn.execute(allocated.format("team"), (LA, team))]
        by_worker = [r[0] for r in conn.execute(allocated.format("worker"), (LA, worker))]
    return {
        "manager": everyone[::7],
        "auditor": everyone[::11],
        "teammanager": by_team,
        "practitioner": by_worker,
    }


@contextmanager
def served(db: Path, log: Path, running: str | None = None) -> Iterator[str]:
    """`carejourney serve` over `db` in a subprocess (or the server already `running`
    there); yields its base URL."""
    if running:
        yield running.rstrip("/")
        return
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "CAREJOURNEY_SESSION_KEY": secrets.token_hex(32)}
    command = [sys.executable, "-c", "from carejourney.entry import main; main()"]
    command += ["serve", "--db", str(db), "--port", str(port)]
    with open(log, "w", encoding="utf-8") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{url}/health", timeout=1).text == "ok":
                        break
                except httpx.HTTPError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start: see {log}")
                time.sleep(0.1)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=30)


@dataclass
class User:
    number: int
    role: Role
    username: str
    client: httpx.Client
    pages: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)

    def path(self, page: str, turn: int) -> str:
        if "{child}" not in PAGES[page]:
            return PAGES[page]
        child = self.children[(self.number * 37 + turn) % len(self.children)]
        return PAGES[page].format(child=child)


def sign_in(url: str, number: int, role: Role, username: str) -> User:
    client = httpx.Client(base_url=url, timeout=60)
    page = client.get("/login")
    token = _TOKEN.search(page.text)
    assert token, "no sign-in form"
    reply = client.post(
        "/login",
        data={
            "username": username,
            "password": f"demo-{username}-password",
            "csrf_token": token.group(1),
        },
    )
    assert reply.status_code == 303, f"{username} could not sign in: {reply.status_code}"
    return User(number, role, username, client)


@dataclass
class Results:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, page: str, seconds: float, problem: str | None) -> None:
        with self.lock:
            self.times[page].append(seconds)
            if problem:
                self.errors.append(problem)


def warm_up(user: User, children: dict[str, list[str]]) -> None:
    """Open each page once; keep the ones the user's role may open."""
    user.children = children.get(user.username, [])
    for page, path in PAGES.items():
        if "{child}" in path and not user.children:
            continue
        status = user.client.get(user.path(page, 0)).status_code
        if status == 200:
            user.pages.append(page)
        elif status != 403:
            raise RuntimeError(f"{page} answered {status} for {user.role} while warming up")


def run_user(
    user: User, requests: int, think: float, start: threading.Barrier, results: Results
) -> None:
    pace = random.Random(user.number)  # people do not click in step: pauses vary
    start.wait()
    for turn in range(requests):
        if think:
            time.sleep(think * pace.uniform(0.5 if turn else 0, 1.5 if turn else 1))
        page = user.pages[(user.number + turn) % len(user.pages)]
        path = user.path(page, turn)
        began = time.perf_counter()
        try:
            status = user.client.get(path).status_code
            problem = None if status == 200 else f"{page} ({user.role}): {status}"
        except httpx.HTTPError as exc:
            problem = f"{page} ({user.role}): {type(exc).__name__}"
        results.add(page, time.perf_counter() - began, problem)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def report(results: Results, seconds: float, users: int, think: float) -> bool:
    everything = [t for times in results.times.values() for t in times]
    pause = f", each pausing about {think:g} s between requests" if think else ", without pausing"
    print(
        f"\n{len(everything):,} requests by {users} users at once{pause}, in {seconds:.1f} s: "
        f"{len(everything) / seconds:.1f} requests per second"
    )
    print(f"  {'page':<12} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    rows = sorted(results.times.items(), key=lambda item: list(PAGES).index(item[0]))
    for page, times in [*rows, ("overall", everything)]:
        print(
            f"  {page:<12} {len(times):>8} {percentile(times, 0.5) * 1000:>8.0f} "
            f"{percentile(times, 0.95) * 1000:>8.0f} {max(times) * 1000:>8.0f}"
        )
    print(f"  errors: {len(results.errors)}")
    for error in sorted(set(results.errors))[:20]:
        print(f"    {error}")
    p95 = percentile(everything, 0.95) * 1000
    slow = [p for p, t in results.times.items() if percentile(t, 0.95) * 1000 > GOAL_MS]
    verdict = "met" if p95 <= GOAL_MS and not slow and not results.errors else "NOT met"
    print(f"Goal (p95 under {GOAL_MS} ms on every page, no errors): {verdict}")
    if slow:
        print(f"  pages over the goal: {', '.join(slow)}")
    return verdict == "met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=5000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--requests", type=int, default=30, help="requests per user")
    parser.add_argument(
        "--think",
        type=float,
        default=0,
        help="seconds each user waits between requests, on average (0.5 to 1.5 times it)",
    )
    parser.add_argument("--keep", type=Path, help="build the database here once, and reuse it")
    parser.add_argument(
        "--url",
        help="use a server already running on the --keep database (to profile it, say: "
        "py-spy record -- carejourney serve --db DIR/web-load.db)",
    )
    args = parser.parse_args()
    if args.url and not args.keep:
        parser.error("--url needs --keep: the database the server is running on")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        db = build(folder, args.children, args.years)
        children = children_in_scope(db)
        log = Path(tmp) / "server.log"
        with served(db, log, args.url) as url:
            mix = [MIX[n % len(MIX)] for n in range(args.users)]
            users = [sign_in(url, n, role, name) for n, (role, name) in enumerate(mix)]
            try:
                began = time.perf_counter()
                for user in users:
                    warm_up(user, children)
                print(f"Warmed up in {time.perf_counter() - began:.1f} s")
                results = Results()
                start = threading.Barrier(len(users))
                threads = [
                    threading.Thread(
                        target=run_user, args=(u, args.requests, args.think, start, results)
                    )
                    for u in users
                ]
                began = time.perf_counter()
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                ok = report(results, time.perf_counter() - began, len(users), args.think)
            finally:
                for user in users:
                    user.client.close()
        if log.exists():
            failed = [line for line in log.read_text().splitlines() if _FAILED.search(line)]
            if failed:
                print(f"The server logged {len(failed)} failures, e.g. {failed[0]}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
