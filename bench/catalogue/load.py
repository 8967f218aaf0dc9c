"""The catalogue bench's server (gunicorn) and its clients, the load generator run as a second process:
`python -m bench.catalogue.load CONFIG` prints what `load` returns as JSON."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import BASE_DIR, CLIENTS, GUNICORN_ARGS, WORKERS


class Server:
    """`gunicorn` on a free local port against the bench's database, stopped by its pid."""

    def __init__(self, naive: bool, logs: Path):
        from bench.certificates import _database_url

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.static = tempfile.mkdtemp(prefix="vettrack-bench-static-")  # whitenoise wants the directory to exist
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production",
               "DJANGO_SECRET_KEY": secrets.token_urlsafe(60), "DJANGO_ALLOWED_HOSTS": "localhost",
               "DATABASE_URL": _database_url(), "STATIC_ROOT": self.static, "LOG_LEVEL": "WARNING"}
        self.log = logs / f"gunicorn-{'naive' if naive else 'ours'}.log"
        self.log_file = self.log.open("w")
        app = f"bench.catalogue.naive:server_application(naive={naive})"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{self.port}", "--workers", str(WORKERS),
             "--timeout", "300", "--no-control-socket", *GUNICORN_ARGS],
            cwd=BASE_DIR, env=env, stdout=self.log_file, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while True:
            try:
                status, _ = get(self.port, "/robots.txt")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"gunicorn did not start; see {self.log}")
            time.sleep(0.3)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()
        shutil.rmtree(self.static, ignore_errors=True)


HEADERS = {"X-Forwarded-Proto": "https"}  # as the TLS proxy of production sends it


def get(port: int, url: str) -> tuple[int, bytes]:
    """One request on its own connection, as the clients send it."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        conn.request("GET", url, headers={"Host": f"localhost:{port}", **HEADERS})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def load(config: dict) -> dict:
    """The load generator (run in its own process): `clients` threads, each going round the URLs from its own
    starting point, keep-alive when the server allows it. They start no request after `seconds` and finish the
    ones under way; the time counted runs until the last one ends, so a slow server's last requests count too."""
    port, urls, seconds, clients = config["port"], config["urls"], config["seconds"], config["clients"]
    if config["warm_up"]:  # the workers' first requests load the templates and fill the caches
        for url in urls[:2] * WORKERS:
            get(port, url)
    results = [[] for _ in range(clients)]
    connections = [0] * clients
    start = time.perf_counter()
    last = [start] * clients
    deadline = start + seconds

    def client(n: int) -> None:
        conn, i = None, n * len(urls) // clients
        while True:
            url = urls[i % len(urls)]
            i += 1
            began = time.perf_counter()
            if began >= deadline:
                break
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
                    connections[n] += 1
                conn.request("GET", url, headers={"Host": f"localhost:{port}", **HEADERS})
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as error:
                status = type(error).__name__
                if conn is not None:
                    conn.close()
                conn = None
            ended = time.perf_counter()
            results[n].append((ended - began, status, url))
            last[n] = ended
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"samples": [r for rs in results for r in rs], "seconds": max(last) - start,
            "connections": sum(connections)}


def run_load(port: int, urls: list[str], seconds: float, warm_up: bool) -> dict:
    """The load generator as a second process (`python -m bench.catalogue.load CONFIG`)."""
    config = {"port": port, "urls": urls, "seconds": seconds, "clients": CLIENTS, "warm_up": warm_up}
    out = subprocess.run([sys.executable, "-m", "bench.catalogue.load", json.dumps(config)], cwd=BASE_DIR,
                         capture_output=True, text=True, check=True, timeout=seconds + 900)
    return json.loads(out.stdout)


def summarize(parts: list[dict]) -> dict:
    """Requests per second, p50, p95 and errors of one or more load runs taken together."""
    done = [sample for part in parts for sample in part["samples"]]
    seconds = sum(part["seconds"] for part in parts)
    latencies = sorted(latency for latency, _status, _url in done)
    errors = [(status, url) for _latency, status, url in done if status != 200]
    if len(latencies) < 2:  # too few to cut (a very slow server or a very short run)
        latencies = (latencies or [float("nan")]) * 2
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {"requests": len(done), "rps": len(done) / seconds, "p50": cuts[49], "p95": cuts[94],
            "errors": len(errors), "error_examples": sorted({f"{s} {u}" for s, u in errors})[:5],
            "connections": sum(part["connections"] for part in parts)}


if __name__ == "__main__":
    print(json.dumps(load(json.loads(sys.argv[1]))))
