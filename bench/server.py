"""Start gunicorn on the app with the production configuration, wait until it answers, stop it after."""
from __future__ import annotations

import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
APP = "schoolpeers:create_app()"  # what gunicorn serves unless told otherwise


def production_env(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """The environment of a production app server: real secret, database and shared rate limits."""
    return {**os.environ, "SCHOOLPEERS_ENV": "production", "SCHOOLPEERS_SECRET_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": database_url, "REDIS_URL": redis_url, "SCHOOLPEERS_BASE_URL": "https://127.0.0.1",
            "SCHOOLPEERS_TOTP_KEYS": "dGVzdC1rZXktZm9yLXRvdHAtc2VjcmV0cy0zMmJ5dGU=",
            **extra}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log_path: Path

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text().splitlines()[-lines:])
        except OSError:
            return ""


@contextmanager
def gunicorn(env: dict[str, str], log_path: Path, *, workers: int = 2, worker_class: str = "sync",
             threads: int = 1, timeout_s: float = 60, app: str = APP) -> Iterator[Server]:
    """One gunicorn server on a free port of 127.0.0.1, healthy when entered, stopped on exit."""
    with gunicorn_servers(env, [log_path], workers=workers, worker_class=worker_class, threads=threads,
                          timeout_s=timeout_s, app=app) as (server,):
        yield server


@contextmanager
def gunicorn_servers(env: dict[str, str], log_paths: list[Path], *, workers: int, worker_class: str = "sync",
                     threads: int = 1, timeout_s: float = 60, app: str = APP) -> Iterator[tuple[Server, ...]]:
    """One server per log path, started together (importing the app is most of the start-up)."""
    started: list[Server] = []
    try:
        for log_path in log_paths:
            port = free_port()
            command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", worker_class,
                       "--threads", str(threads), "--bind", f"127.0.0.1:{port}", "--error-logfile", str(log_path),
                       "--no-control-socket", app]
            process = subprocess.Popen(command, env=env, cwd=REPOSITORY, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
            started.append(Server(process, port, log_path))
        for server in started:
            wait_until_healthy(server, timeout_s)
        yield tuple(started)
    finally:
        for server in started:
            server.process.send_signal(signal.SIGINT)  # quick shutdown: nothing is left to finish
        for server in started:
            try:
                server.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()


def wait_until_idle(server: Server, fast_s: float = 0.05, timeout_s: float = 120) -> None:
    """Wait until /healthz answers fast: requests a load generator gave up on are still being served."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        start = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout_s)
        try:
            connection.request("GET", "/healthz")
            connection.getresponse().read()
        finally:
            connection.close()
        if time.monotonic() - start < fast_s:
            return
        time.sleep(0.2)


def wait_until_healthy(server: Server, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.process.returncode}:\n{server.log_tail()}")
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=2)
        try:
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer /healthz within {timeout_s:.0f} s:\n{server.log_tail()}")
