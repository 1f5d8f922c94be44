"""Benchmark: the reliability figures of issue 13, point 7, measured on a real server.

A fresh data directory is loaded with a demo district (in this process, through the engine), then
``lianjian serve`` runs as a subprocess over it: real uvicorn, the embedded FalkorDB
(``redis-server``) started and supervised by that process, as an operator would run it. From this
process the bench then measures, each figure printed beside its target and a baseline (bench and demo
accounts carry tokens signed with the server's secret, as ``/auth/token`` would issue them, so
that argon2 is spent only where the figure is about passwords):

1. **claims**: double claims in 1,000 concurrent tries. C providers (units and members, each with
   its own account and a roomy offering) claim every one of N fresh needs (half want 1 provider,
   half want ``k``) all at once; a need with more active claims than it wants is a double claim
   (target 0). Counted from the store (``GET /claims?need_id=…`` as an admin) and from the answers;
   wins and 409s (by code) are printed. Baseline: exactly ``wanted`` winners per need.
2. **lockout**: sign-in attempts accepted after lockout. A control sign-in with the right password
   first (it must work, or the figure would mean nothing); then T threads, each from its own
   loopback address (127.0.0.x: the address throttle counts per address), send wrong passwords for
   one account until the account lock (423) engages; then at once, racing the wrong attempts
   still sent for 2 s, the right password twice from every one of those addresses and from as many
   fresh ones; every token issued after the lock is counted (target 0).
   Last, an admin unlocks the account and the right password must work again (the refusals were
   the lock's, not a broken account).
3. **kill**: acknowledged writes lost after kill -9. W writers post needs and K providers claim the
   needs just posted, concurrently; each write answered 2xx is recorded with its id. Mid-load the
   store (the ``redis-server`` process) gets SIGKILL, and once the API answers again, mid-load,
   the API (the uvicorn process, ``lianjian serve``) gets SIGKILL and is started again at once
   (it finds the orphaned store still running and reuses it). After the load every acknowledged id
   is read back (target 0 missing). Writes refused meanwhile (503, connection refused or reset) are
   not lost: they were never acknowledged; they are printed by cause. Times until the API answered
   a store-reading request (``GET /health``) again are printed beside their baselines: the
   supervision test's 10 s bound for the store, the API's cold start measured in this run for the
   API.
4. **fuzz**: 5xx in a schemathesis run of every operation in the live OpenAPI (target 0), as each
   demo account in turn (admin, planner, secretary, unit, member, grid worker; the admin last: its
   writes touch other accounts). Three passes
   per operation as in ``tests/test_api_fuzz.py``: generated ids, ids of real demo records, and
   invalid input (negative mode); only the 5xx check applies here (the test checks the schemas).

The server runs with ``LIANJIAN_SIGNIN_SLOW_SECONDS=1`` so that the lock is reached in seconds
(the wait after the first failures is what an attacker sits out; it changes no figure). The exit
status is 1 when a target is missed.

Run:  .venv/bin/python bench/reliability.py [--size district] [--quick] [--only claims,kill]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from queue import Empty, Queue
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECRET = "reliability-bench-signing-secret-0123456789-abcdef"
GRAPH = "lianjian"
CATEGORY = "environment.cleanup"
LOCKOUT_ACCOUNT = "bench-lockout"
LOCKOUT_PASSWORD = "Bench-lockout-2026"
FUZZ_TARGET_ACCOUNT = "bench-fuzz-target"
ADMIN_ACCOUNT = "bench-admin"
STORE_BACK_BASELINE_S = 10.0  # tests/test_store_supervision.py: the API answers again within 10 s
SECTIONS = ("claims", "lockout", "kill", "fuzz")
FUZZ_ROLES = ("member", "unit", "grid_worker", "planner", "secretary", "admin")  # admin last


@dataclass
class Figure:
    """One printed figure: its value, its target, the baseline beside it, and whether it is met."""

    section: str
    name: str
    value: str
    target: str
    baseline: str
    met: bool | None  # None: informative, no target


@dataclass
class Results:
    """All figures of the run, printed as they come and summarised at the end."""

    figures: list[Figure] = field(default_factory=list)

    def add(
        self, section: str, name: str, value: object, target: str, baseline: str, met: bool | None
    ) -> None:
        """Record and print one figure."""
        figure = Figure(section, name, str(value), target, baseline, met)
        self.figures.append(figure)
        verdict = "" if met is None else ("  ok" if met else "  MISSED")
        print(f"  {name}: {value}   [target: {target}; baseline: {baseline}]{verdict}", flush=True)

    @property
    def ok(self) -> bool:
        """Whether every figure with a target met it."""
        return all(f.met is not False for f in self.figures)


# ---------------------------------------------------------------------------------------------
# The data directory and the server.


def window() -> dict[str, str]:
    """A need window open from an hour ago for 30 days (ISO-8601 UTC)."""
    now = datetime.now(UTC)
    return {
        "window_start": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "window_end": (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def prepare(data: Path, size: str, seed: int, providers: int, needs: int, k: int) -> dict[str, Any]:
    """Load the demo into a fresh data directory (the store started here and stopped again) and
    add what the bench needs: the demo accounts, a bench admin, ``providers`` provider accounts
    with an offering each, ``needs`` open needs for the claims race (alternately wanting 1 and
    ``k`` providers), the account to lock out and an account for the fuzzing admin to act on."""
    from engine.actors import Actor, Role
    from engine.demo import generate, load_dataset
    from engine.demo.accounts import demo_account_drafts
    from engine.services import NeedDraft, OfferingDraft, post_need, register_offering
    from engine.services.accounts import AccountDraft, create_account
    from engine.services.clock import utc_now
    from engine.settings import Settings
    from engine.store import open_store
    from engine.store.queries.nodes import node_stmt
    from engine.store.schema_apply import apply_schema

    settings = Settings(data_dir=data, graph=GRAPH, backend="falkordb", secret_key=SECRET)
    admin = Actor("bench", Role.ADMIN)
    with open_store(settings) as store:
        apply_schema(store)
        dataset = generate(size, seed)
        load_dataset(store, dataset)
        demo = [d.model_dump(exclude_none=True, exclude={"password"}) for d in demo_account_drafts(dataset)]
        community = next(str(d["scope_org_id"]) for d in demo if d["id"] == "secretary")
        communities = [o["id"] for o in dataset.nodes["Org"] if o["level"] == "community"]
        picked = [("unit", u["id"]) for u in dataset.nodes["Unit"][1 : 1 + providers // 2]]
        picked += [("member", m["id"]) for m in dataset.nodes["Member"][1 : 1 + providers - len(picked)]]
        now = utc_now()
        rows = [
            {"id": ADMIN_ACCOUNT, "display_name": "压测管理员", "role": "admin"},
            {"id": FUZZ_TARGET_ACCOUNT, "display_name": "压测账号", "role": "member",
             "subject_id": dataset.nodes["Member"][-2]["id"]},
            *({**d, "role": d["role"].value} for d in demo),  # signed in by token: no argon2 here
        ]  # fmt: skip
        claimants = [
            {
                "id": f"bench-{role}-{i:03d}",
                "display_name": f"压测服务方 {i}",
                "role": role,
                "subject_id": sid,
            }
            for i, (role, sid) in enumerate(picked)
        ]
        store.run(
            node_stmt("bulk_create", "Account"),
            {
                "rows": [
                    {"password_hash": "-", "active": True, "created_at": now, "updated_at": now, **r}
                    for r in rows + claimants
                ]
            },
        )
        offerings = {}
        for row in claimants:
            actor = Actor(row["id"], Role(row["role"]), subject_id=row["subject_id"])
            offer = OfferingDraft(title="压测志愿服务", category=CATEGORY, capacity=10000, period="year")
            offerings[row["id"]] = register_offering(store, actor, offer)["id"]
        race = []
        for i in range(needs):
            wanted = 1 if i % 2 == 0 else k
            draft = NeedDraft(
                org_id=communities[i % len(communities)],
                title=f"抢单压测 {i}",
                category=CATEGORY,
                people_wanted=wanted,
                **window(),
            )
            race.append({"id": post_need(store, admin, draft)["id"], "wanted": wanted})
        member = dataset.nodes["Member"][-1]["id"]
        lockout = AccountDraft(
            id=LOCKOUT_ACCOUNT,
            display_name="压测账号",
            role=Role.MEMBER,
            subject_id=member,
            password=LOCKOUT_PASSWORD,
        )
        create_account(store, admin, lockout)
    return {
        "offerings": offerings,
        "race": race,
        "communities": communities,
        "real_ids": real_ids(dataset, community),
    }


def real_ids(dataset: Any, community: str) -> dict[str, str]:
    """Ids of real demo records in the secretary's community for the fuzzing's path parameters
    (the admin acts on a bench account, never on an account another role signs in with)."""
    rels, nodes = dataset.rels, dataset.nodes
    needs = {r["start"] for r in rels[("POSTED_BY", "Need", "Org")]}
    open_need = next(n["id"] for n in nodes["Need"] if n["id"] in needs and n["status"] == "open")
    projects = [r["start"] for r in rels[("FULFILLS", "Project", "Need")]]
    unit = nodes["Unit"][0]["id"]
    offering = next(r["end"] for r in rels[("OFFERS", "Unit", "Offering")] if r["start"] == unit)
    return {
        "need_id": open_need,
        "service_request_id": open_need,
        "project_id": projects[0],
        "offering_id": offering,
        "org_id": community,
        "unit_id": unit,
        "holder_id": unit,
        "member_id": nodes["Member"][0]["id"],
        "account_id": FUZZ_TARGET_ACCOUNT,
        "code": "elderly.meals",
    }


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``lianjian serve`` over a data directory, as a subprocess; its store found by its socket."""

    def __init__(self, data: Path) -> None:
        from engine.store.embedded import socket_path_for

        self.data, self.port = data, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.socket = socket_path_for(data)
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data / "serve.log"
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),  # the server runs the code of this tree, as the bench does
            "LIANJIAN_DATA_DIR": str(data),
            "LIANJIAN_GRAPH": GRAPH,
            "LIANJIAN_BACKEND": "falkordb",
            "LIANJIAN_SECRET_KEY": SECRET,
            "LIANJIAN_LOG_LEVEL": "WARNING",
            "LIANJIAN_SIGNIN_SLOW_SECONDS": "1",
        }
        for name in ("NEO4J_URI", "LIANJIAN_NEO4J_URI", "LIANJIAN_FALKORDB_SOCKET"):
            self.env.pop(name, None)

    def start(self, timeout: float = 300) -> float:
        """Start ``lianjian serve`` and wait until ``GET /health`` (a store query) answers 200;
        returns the seconds that took."""
        command = [str(Path(sys.executable).with_name("lianjian")), "serve", "--port", str(self.port)]
        began = time.monotonic()
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                command, env=self.env, stdout=log, stderr=log, start_new_session=True
            )
        return self.wait_healthy(began, timeout)

    def wait_healthy(self, since: float, timeout: float = 300) -> float:
        """Seconds from ``since`` (a monotonic time) until ``GET /health`` answers 200."""
        while True:
            if self.proc is not None and self.proc.poll() is not None:
                tail = self.log.read_text(errors="replace").splitlines()[-15:]
                raise SystemExit("the server process ended:\n" + "\n".join(tail))
            with suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/health", timeout=5).status_code == 200:
                    return time.monotonic() - since
            if time.monotonic() - since > timeout:
                raise SystemExit(f"the server did not answer within {timeout:.0f} s (log: {self.log})")
            time.sleep(0.02)

    def store_pid(self) -> int:
        """The pid of the redis-server answering on the data directory's socket (its INFO)."""
        import redis

        client = redis.Redis(unix_socket_path=str(self.socket), decode_responses=True)
        try:
            return int(client.info("server")["process_id"])
        finally:
            client.close()

    def kill_api(self) -> None:
        """SIGKILL the uvicorn process alone (its store, a child, is orphaned and keeps running)."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        """Stop the API (SIGINT: uvicorn shuts down and its store with it when it owns it), then
        any store left running (a reused orphan is nobody's to stop)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        with suppress(Exception):
            pid = self.store_pid()
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 30
            while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
                time.sleep(0.05)


def token(account: str) -> str:
    """A bearer token of ``account`` signed with the server's secret (as ``/auth/token`` issues it
    after the password check; bench accounts have no usable password)."""
    from api.auth.tokens import issue_token

    return issue_token(account, SECRET, 600)


def client(
    url: str, account: str | None = None, address: str | None = None, timeout: float = 30
) -> httpx.Client:
    """An HTTP client, signed in as ``account`` when given, sending from ``address`` when given."""
    headers = {"Authorization": f"Bearer {token(account)}"} if account else {}
    transport = httpx.HTTPTransport(local_address=address) if address else None
    return httpx.Client(base_url=url, headers=headers, timeout=timeout, transport=transport)


# ---------------------------------------------------------------------------------------------
# 1. Double claims in concurrent tries.


def bench_claims(server: Server, manifest: dict[str, Any], results: Results) -> None:
    """Every provider claims every race need, all requests in flight at once; count needs with
    more winners than wanted, from the store and from the answers."""
    race, offerings = manifest["race"], manifest["offerings"]
    tries = [(need["id"], account, offering) for need in race for account, offering in offerings.items()]
    random.Random(7).shuffle(tries)
    print(
        f"\n[claims] {len(offerings)} providers × {len(race)} needs = {len(tries)} concurrent tries",
        flush=True,
    )

    async def run() -> list[tuple[str, int, str]]:
        clients = {
            a: httpx.AsyncClient(
                base_url=server.url,
                headers={"Authorization": f"Bearer {token(a)}"},
                timeout=120,
                limits=httpx.Limits(max_connections=len(race)),
            )
            for a in offerings
        }
        gate = asyncio.Event()

        async def attempt(need: str, account: str, offering: str) -> tuple[str, int, str]:
            await gate.wait()
            try:
                answer = await clients[account].post(
                    "/claims", json={"need_id": need, "offering_id": offering}
                )
            except httpx.HTTPError as exc:
                return need, 0, type(exc).__name__
            code = answer.json().get("code", "") if answer.status_code >= 400 else ""
            return need, answer.status_code, code

        tasks = [asyncio.create_task(attempt(*t)) for t in tries]
        await asyncio.sleep(0.2)
        gate.set()
        try:
            return await asyncio.gather(*tasks)
        finally:
            for c in clients.values():
                await c.aclose()

    began = time.monotonic()
    answers = asyncio.run(run())
    elapsed = time.monotonic() - began
    statuses = Counter(status for _, status, _ in answers)
    codes = Counter(code for _, status, code in answers if status == 409)
    wins = Counter(need for need, status, _ in answers if status == 201)
    stored: dict[str, int] = {}
    with client(server.url, ADMIN_ACCOUNT) as admin:
        for need in race:
            rows = admin.get("/claims", params={"need_id": need["id"], "status": "active", "limit": 200})
            rows.raise_for_status()
            stored[need["id"]] = len(rows.json())
    over = sum(1 for n in race if stored[n["id"]] > n["wanted"])
    over_answers = sum(1 for n in race if wins[n["id"]] > n["wanted"])
    short = sum(1 for n in race if stored[n["id"]] < min(n["wanted"], len(offerings)))
    mismatch = sum(1 for n in race if stored[n["id"]] != wins[n["id"]])
    wanted = sum(min(n["wanted"], len(offerings)) for n in race)
    others = {s: c for s, c in statuses.items() if s not in (201, 409)}
    print(
        f"  {len(answers)} answers in {elapsed:.1f} s: {statuses[201]} wins (201), {statuses[409]} refused "
        f"(409: {dict(codes)}), other {others or 'none'}",
        flush=True,
    )
    results.add(
        "claims",
        "needs with more active claims than wanted (store)",
        over,
        "0",
        f"{wanted} winners wanted over {len(race)} needs",
        over == 0,
    )
    results.add(
        "claims", "needs with more 201 answers than wanted", over_answers, "0", "as above", over_answers == 0
    )
    results.add("claims", "needs left short though enough tried", short, "0", "each need fills", short == 0)
    results.add(
        "claims",
        "needs whose stored claims differ from the 201s",
        mismatch,
        "0",
        "every 201 is a stored claim, and only those",
        mismatch == 0,
    )
    results.add(
        "claims",
        "answers other than 201/409",
        sum(others.values()),
        "0",
        "every try wins or is refused",
        not others,
    )


# ---------------------------------------------------------------------------------------------
# 2. Sign-in attempts accepted after lockout.


def sign_in(url: str, username: str, password: str, address: str) -> tuple[int, str]:
    """One password sign-in from ``address``: (status, error code or '')."""
    with client(url, address=address, timeout=60) as c:
        try:
            answer = c.post("/auth/token", data={"username": username, "password": password})
        except httpx.HTTPError as exc:
            return 0, type(exc).__name__
    code = ""
    if answer.status_code != 200:
        with suppress(ValueError):
            code = str(answer.json().get("code", ""))
    return answer.status_code, code


def bench_lockout(server: Server, threads: int, results: Results, hammer_s: float = 30.0) -> None:
    """Wrong passwords from ``threads`` addresses until the account lock engages, then the right
    one from each of them and from fresh addresses; tokens issued after the lock are counted."""
    print(
        f"\n[lockout] {threads} threads, each from its own loopback address, wrong passwords for "
        f"“{LOCKOUT_ACCOUNT}”",
        flush=True,
    )
    control, _ = sign_in(server.url, LOCKOUT_ACCOUNT, LOCKOUT_PASSWORD, "127.0.0.9")
    locked_at: list[float] = []
    seen: Counter[tuple[int, str]] = Counter()
    issued_wrong = 0
    lock = threading.Lock()
    stop = time.monotonic() + hammer_s

    def hammer(i: int) -> None:
        nonlocal issued_wrong
        address, n = f"127.0.0.{20 + i}", 0
        while time.monotonic() < stop:
            n += 1
            status, code = sign_in(server.url, LOCKOUT_ACCOUNT, f"wrong-password-{i}-{n}", address)
            with lock:
                seen[(status, code)] += 1
                issued_wrong += status == 200
                if status == 423 and not locked_at:
                    locked_at.append(time.monotonic())
                if locked_at and time.monotonic() - locked_at[0] > 2.0:
                    return  # the lock holds; two seconds of attempts after it are enough
            if status == 429:
                time.sleep(0.2)  # slowed: an attacker tries again soon, not in a tight loop

    workers = [threading.Thread(target=hammer, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    while not locked_at and any(w.is_alive() for w in workers):
        time.sleep(0.01)
    right: Counter[tuple[int, str]] = Counter()
    answers: list[tuple[int, str]] = []
    pool: list[threading.Thread] = []
    if locked_at:  # the right password at once, racing the wrong ones still in flight for 2 s
        addresses = [f"127.0.0.{20 + i}" for i in range(threads)] + [
            f"127.0.0.{100 + i}" for i in range(threads)
        ]
        pool = [
            threading.Thread(
                target=lambda a=a: answers.append(sign_in(server.url, LOCKOUT_ACCOUNT, LOCKOUT_PASSWORD, a))
            )
            for a in addresses
            for _ in range(2)
        ]
        for t in pool:
            t.start()
    for t in [*workers, *pool]:
        t.join()
    right.update(answers)
    accepted = right[(200, "")] + issued_wrong
    print(f"  control (right password before): {control}; wrong attempts answered {dict(seen)}", flush=True)
    print(f"  right password after the lock, {sum(right.values())} attempts: {dict(right)}", flush=True)
    unlocked = None
    with client(server.url, ADMIN_ACCOUNT) as admin:
        answer = admin.post(f"/accounts/{LOCKOUT_ACCOUNT}/unlock")
        if answer.status_code < 300:
            unlocked, _ = sign_in(server.url, LOCKOUT_ACCOUNT, LOCKOUT_PASSWORD, "127.0.0.250")
        print(f"  admin unlock: {answer.status_code}; right password after it: {unlocked}", flush=True)
    results.add(
        "lockout",
        "control sign-in with the right password before the hammer",
        control,
        "200",
        "the account works",
        control == 200,
    )
    results.add(
        "lockout",
        "account lock engaged (first 423)",
        "yes" if locked_at else "no",
        "yes",
        f"after signin_lock_after wrong passwords (within {hammer_s:.0f} s)",
        bool(locked_at),
    )
    results.add(
        "lockout",
        "tokens issued after the lock engaged",
        accepted if locked_at else "n/a",
        "0",
        f"{sum(right.values())} right-password attempts from {threads} hammering and {threads} fresh "
        "addresses",
        bool(locked_at) and accepted == 0,
    )
    results.add(
        "lockout",
        "right password after an admin's unlock",
        unlocked,
        "200",
        "the refusals were the lock's",
        unlocked == 200,
    )


# ---------------------------------------------------------------------------------------------
# 3. Acknowledged writes lost after kill -9 of the store and of the API.


@dataclass
class WriteLog:
    """Acknowledged writes by kind with their ids, and refused ones by cause."""

    acknowledged: dict[str, list[str]] = field(default_factory=lambda: {"need": [], "claim": []})
    refused: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, answer: httpx.Response | Exception, ids: str = "id") -> dict[str, Any] | None:
        """Keep an acknowledged write's id; count a refusal under its cause."""
        with self.lock:
            if isinstance(answer, Exception):
                self.refused[f"{kind}: {type(answer).__name__}"] += 1
                return None
            if 200 <= answer.status_code < 300:
                body: dict[str, Any] = answer.json()
                self.acknowledged[kind].append(str(body[ids]))
                return body
            code = ""
            with suppress(ValueError):
                code = str(answer.json().get("code", ""))
            self.refused[f"{kind}: {answer.status_code} {code}".strip()] += 1
            return None


def bench_kill(
    server: Server, manifest: dict[str, Any], writers: int, phase_s: float, cold_s: float, results: Results
) -> None:
    """Writers post needs, providers claim them; kill -9 the store, then the API, mid-load;
    read back every acknowledged id."""
    providers = list(manifest["offerings"].items())[:writers]
    print(
        f"\n[kill] {writers} writers posting needs and {len(providers)} providers claiming them, "
        f"{phase_s:.0f} s of load before, between and after the kills",
        flush=True,
    )
    log, halt, fresh = WriteLog(), threading.Event(), Queue[str]()
    communities = manifest["communities"]

    def write_needs(i: int) -> None:
        with client(server.url, ADMIN_ACCOUNT, timeout=30) as c:
            n = 0
            while not halt.is_set():
                n += 1
                body = {
                    "org_id": communities[(i + n) % len(communities)],
                    "title": f"宕机压测 {i}-{n}",
                    "category": CATEGORY,
                    **window(),
                }
                try:
                    made = log.record("need", c.post("/needs", json=body))
                except httpx.HTTPError as exc:
                    made = log.record("need", exc)
                if made is None:
                    time.sleep(0.05)  # the store or the API is down: try again shortly
                else:
                    fresh.put(made["id"])

    def claim_needs(account: str, offering: str) -> None:
        with client(server.url, account, timeout=30) as c:
            while not halt.is_set():
                try:
                    need = fresh.get(timeout=0.2)
                except Empty:
                    continue
                try:
                    made = log.record(
                        "claim", c.post("/claims", json={"need_id": need, "offering_id": offering})
                    )
                except httpx.HTTPError as exc:
                    made = log.record("claim", exc)
                if made is None:
                    time.sleep(0.05)

    threads = [threading.Thread(target=write_needs, args=(i,)) for i in range(writers)]
    threads += [threading.Thread(target=claim_needs, args=p) for p in providers]
    for t in threads:
        t.start()
    try:
        time.sleep(phase_s)
        before_store = sum(len(v) for v in log.acknowledged.values())
        pid = server.store_pid()
        os.kill(pid, signal.SIGKILL)
        killed = time.monotonic()
        store_back = server.wait_healthy(killed, timeout=120)
        print(
            f"  store (pid {pid}) killed after {before_store} acknowledged writes; "
            f"API answered again after {store_back:.2f} s (store pid {server.store_pid()})",
            flush=True,
        )
        time.sleep(phase_s)
        before_api = sum(len(v) for v in log.acknowledged.values())
        assert server.proc is not None
        api_pid = server.proc.pid
        server.kill_api()
        killed = time.monotonic()
        server.start()
        api_back = time.monotonic() - killed
        print(
            f"  API (pid {api_pid}) killed after {before_api} acknowledged writes, started again at once; "
            f"answered after {api_back:.2f} s",
            flush=True,
        )
        time.sleep(phase_s)
    finally:
        halt.set()
        for t in threads:
            t.join(timeout=60)
    missing: Counter[str] = Counter()
    with client(server.url, ADMIN_ACCOUNT, timeout=60) as admin:
        for kind, path in (("need", "/needs/{}"), ("claim", "/claims/{}")):
            for made in log.acknowledged[kind]:
                if admin.get(path.format(made)).status_code != 200:
                    missing[kind] += 1
    total = sum(len(v) for v in log.acknowledged.values())
    distinct = sum(len(set(v)) for v in log.acknowledged.values())
    print(
        f"  acknowledged: {len(log.acknowledged['need'])} needs, {len(log.acknowledged['claim'])} claims; "
        f"refused: {dict(log.refused) or 'none'}",
        flush=True,
    )
    results.add(
        "kill",
        "acknowledged writes missing after kill -9 of store and API",
        f"{sum(missing.values())} of {total} ({dict(missing) or 'none'})",
        "0",
        "appendfsync always: an acknowledged write is on disk",
        total > 0 and not missing,
    )
    results.add(
        "kill", "acknowledged ids given twice", total - distinct, "0", "one id per write", total == distinct
    )
    results.add(
        "kill",
        "write attempts refused (not lost: never acknowledged; retried every 50 ms)",
        sum(log.refused.values()),
        "none",
        "503 while the store restarts, connection errors while the API is down",
        None,
    )
    errors = sum(c for cause, c in log.refused.items() if " 5" in cause and " 503" not in cause)
    results.add(
        "kill", "writes answered 5xx other than 503", errors, "0", "a down store answers 503", errors == 0
    )
    results.add(
        "kill",
        "seconds until the API answered after kill -9 of the store",
        f"{store_back:.2f}",
        f"< {STORE_BACK_BASELINE_S:.0f}",
        f"{STORE_BACK_BASELINE_S:.0f} s (tests/test_store_supervision.py)",
        store_back < STORE_BACK_BASELINE_S,
    )
    results.add(
        "kill",
        "seconds until the API answered after kill -9 of the API and a restart",
        f"{api_back:.2f}",
        "none (an operator's or systemd's restart)",
        f"cold start of the same server in this run: {cold_s:.2f} s ({api_back / cold_s:.2f}×)",
        None,
    )


# ---------------------------------------------------------------------------------------------
# 4. 5xx in a schemathesis run of every operation.


@contextmanager
def quiet_hypothesis() -> Iterator[None]:
    """Hypothesis prints nothing of its own here (the bench prints the counts)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def invalid_possible(spec: dict[str, Any]) -> bool:
    """Whether an operation takes input that can be malformed: a body, a query parameter, or a
    parameter with a type or limits (a bare text path id has no invalid value, and asking
    schemathesis for one spends seconds before it gives up)."""
    typed = ('"integer"', '"number"', '"boolean"', "imum", "enum", "$ref", "Length")
    return "requestBody" in spec or any(
        p["in"] != "path" or any(t in json.dumps(p["schema"]) for t in typed)
        for p in spec.get("parameters", [])
    )


def fuzz_role(
    url: str,
    document: dict[str, Any],
    headers: dict[str, str],
    ids: dict[str, str],
    examples: int,
    every: int = 1,
) -> tuple[Counter[int], list[str], int]:
    """Every operation (or every ``every``-th), three passes (generated ids, real ids, invalid
    input), ``examples`` cases each; returns the answers by status class, samples of 5xx, and the
    passes that could not be generated."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis import GenerationMode
    from schemathesis.core.result import Ok

    schema = schemathesis.openapi.from_dict(document)
    classes: Counter[int] = Counter()
    samples: list[str] = []
    skipped = 0
    for result in list(schema.get_all_operations())[::every]:
        if not isinstance(result, Ok):  # an operation the live OpenAPI describes wrongly
            skipped += 1
            continue
        operation = result.ok()
        spec = document["paths"][operation.path][operation.method.lower()]
        names = [p["name"] for p in spec.get("parameters", []) if p["in"] == "path"]
        passes: list[tuple[GenerationMode, dict[str, str] | None]] = [(GenerationMode.POSITIVE, None)]
        if names:
            passes.append((GenerationMode.POSITIVE, {n: ids[n] for n in names if n in ids}))
        if invalid_possible(spec):
            passes.append((GenerationMode.NEGATIVE, None))
        for mode, fixed in passes:

            @settings(
                max_examples=examples,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode, path_parameters=fixed))
            def run(case: Any) -> None:
                answer = case.call(base_url=url, headers=headers)
                classes[answer.status_code // 100] += 1
                if answer.status_code >= 500 and len(samples) < 10:
                    samples.append(f"{case.method} {case.formatted_path} → {answer.status_code}")
                if case.path == "/auth/password" and answer.status_code == 200:  # older tokens ended
                    headers["Authorization"] = f"Bearer {answer.json()['access_token']}"

            try:
                with quiet_hypothesis():
                    run()
            except Exception:  # a pass schemathesis cannot generate (e.g. nothing to make invalid)
                skipped += 1
    return classes, samples, skipped


def bench_fuzz(
    server: Server, manifest: dict[str, Any], roles: list[str], examples: int, every: int, results: Results
) -> None:
    """Schemathesis over every operation (or every ``every``-th) as each role; count 5xx."""
    document = httpx.get(f"{server.url}/openapi.json", timeout=60).json()
    operations = len(range(0, sum(len(item) for item in document["paths"].values()), every))
    print(
        f"\n[fuzz] {operations} operations × up to 3 passes × {examples} examples, as {', '.join(roles)}",
        flush=True,
    )
    total: Counter[int] = Counter()
    all_samples: list[str] = []
    for role in roles:
        began = time.monotonic()
        headers = {"Authorization": f"Bearer {token(role)}"}  # the demo account of that role
        classes, samples, skipped = fuzz_role(
            server.url, document, headers, manifest["real_ids"], examples, every
        )
        total.update(classes)
        all_samples += [f"{role}: {s}" for s in samples]
        print(
            f"  {role}: {sum(classes.values())} requests in {time.monotonic() - began:.0f} s, "
            + ", ".join(f"{c}xx {n}" for c, n in sorted(classes.items()))
            + (f" ({skipped} passes not generated)" if skipped else ""),
            flush=True,
        )
    for sample in all_samples[:10]:
        print("  5xx:", sample)
    results.add(
        "fuzz",
        "5xx answers in the schemathesis run",
        f"{total[5]} of {sum(total.values())}",
        "0",
        f"{operations} operations, {len(roles)} roles (tests/test_api_fuzz.py: 0)",
        total[5] == 0 and sum(total.values()) > 0,
    )


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Prepare a data directory, serve it, run the sections asked for, print the verdict."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="about a minute: tiny demo, fewer tries, 1 example"
    )
    parser.add_argument("--size", default=None, help="demo size (default district; tiny with --quick)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--providers", type=int, default=None, help="claimants (default 50; 20 with --quick)")
    parser.add_argument(
        "--needs", type=int, default=None, help="needs raced for (default 20; 10 with --quick)"
    )
    parser.add_argument("--wanted", type=int, default=3, help="providers wanted by every second raced need")
    parser.add_argument("--writers", type=int, default=None, help="writers during the kills (default 8; 4)")
    parser.add_argument("--phase-seconds", type=float, default=None, help="load before/between/after kills")
    parser.add_argument("--lockout-threads", type=int, default=8)
    parser.add_argument("--fuzz-examples", type=int, default=None, help="cases per pass (default 3; 1)")
    parser.add_argument("--fuzz-roles", help=f"roles to fuzz as (default {','.join(FUZZ_ROLES)}; admin)")
    parser.add_argument(
        "--fuzz-every", type=int, default=1, help="fuzz every n-th operation only (smoke test)"
    )
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"sections to run: {','.join(SECTIONS)}")
    parser.add_argument("--keep", type=Path, help="use this (new) directory for the data and keep it")
    args = parser.parse_args(argv)
    quick = args.quick
    size = args.size or ("tiny" if quick else "district")
    providers = args.providers or (20 if quick else 50)
    needs = args.needs or (10 if quick else 20)
    writers = args.writers or (4 if quick else 8)
    phase_s = args.phase_seconds or (2.0 if quick else 10.0)
    examples = args.fuzz_examples or (1 if quick else 3)
    roles = (args.fuzz_roles or ("admin" if quick else ",".join(FUZZ_ROLES))).split(",")
    only = [s for s in args.only.split(",") if s]
    unknown = set(only) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")

    results = Results()
    with tempfile.TemporaryDirectory(prefix="lj-rel-") as tmp:
        data = args.keep or Path(tmp) / "data"
        began = time.monotonic()
        manifest = prepare(data, size, args.seed, providers, needs, args.wanted)
        print(
            f"“{size}” demo loaded into {data} with {providers} providers and {needs} needs to race for, "
            f"in {time.monotonic() - began:.1f} s; load average {os.getloadavg()[0]:.2f}",
            flush=True,
        )
        server = Server(data)
        try:
            cold = server.start()
            print(
                f"lianjian serve (pid {server.proc.pid if server.proc else '?'}) on {server.url}, store pid "
                f"{server.store_pid()}: answered after {cold:.2f} s",
                flush=True,
            )
            runs: dict[str, Callable[[], None]] = {
                "claims": lambda: bench_claims(server, manifest, results),
                "lockout": lambda: bench_lockout(server, args.lockout_threads, results),
                "kill": lambda: bench_kill(server, manifest, writers, phase_s, cold, results),
                "fuzz": lambda: bench_fuzz(server, manifest, roles, examples, args.fuzz_every, results),
            }
            for name in SECTIONS:
                if name in only:
                    started = time.monotonic()
                    runs[name]()
                    print(f"  ({name}: {time.monotonic() - started:.1f} s)", flush=True)
        finally:
            server.stop()
    print(f"\nsummary (load average {os.getloadavg()[0]:.2f}; {time.monotonic() - began:.0f} s in all)")
    for f in results.figures:
        mark = "-" if f.met is None else ("ok" if f.met else "MISSED")
        print(f"  {mark:<7}{f.section:<8}{f.name}: {f.value} (target {f.target})")
    print("verdict:", "every target met" if results.ok else "a target was MISSED")
    return 0 if results.ok else 1


if __name__ == "__main__":
    sys.exit(main())
