"""CPU used by an idle network: `juki up`, and three `juki node serve` processes over HTTPS.

Starts the network in a scratch directory, waits until it answers, lets start-up settle,
then reads each process's CPU time (utime + stime, /proc/<pid>/stat fields 14 and 15, in
clock ticks) at the start and end of a quiet window. CPU seconds consumed by the process
are barely changed by other load on the machine (unlike wall-clock rates), so the figure
holds on a busy one. Result: percent of one core, per process and in total.

`--against /path/to/other/.venv/bin/juki` measures another checkout (e.g. the polling
dispatcher of an older commit) in the same run, one after the other, with the same
windows. Prints a summary and one JSON line.

    .venv/bin/python bench/idle.py --seconds 30 --against /tmp/idle-base/.venv/bin/juki
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from juki.core.pki import PkiDirectory
from juki.network.serve import routes_for

# The layout of tests/e2e/test_processes.py: J-LIS, a prefecture, a municipality.
LAYOUT = {
    "jlis": ["national", "numbering", "card", "jpki", "kiosk", "issuance"],
    "tokyo": ["prefecture:13"],
    "sumida": ["cs:131075", "registry:131075"],
}
TICKS_PER_S = os.sysconf("SC_CLK_TCK")
TRIES = 3  # a port picked free may be taken by someone else before the process binds it


class StartupFailed(RuntimeError):
    """A process exited before it answered (e.g. its port was taken meanwhile)."""


def cpu_seconds(pid: int) -> float:
    """utime + stime of `pid` (proc(5): fields 14 and 15, after the command in brackets)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_S


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_answers(client: httpx.Client, url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StartupFailed(f"{process.args} exited with {process.returncode}")
        try:
            if client.get(url).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer")


def measure(pids: dict[str, int], seconds: float) -> dict[str, float]:
    """Percent of one core used by each process over `seconds` of wall time."""
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    started = time.monotonic()
    time.sleep(seconds)
    wall = time.monotonic() - started
    return {
        name: round(100 * (cpu_seconds(pid) - before[name]) / wall, 3) for name, pid in pids.items()
    }


@contextmanager
def started(
    commands: dict[str, list[str]], cwd: Path
) -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    """The processes named in `commands`, each logging to <name>.log; terminated on exit."""
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name, command in commands.items():
            with (cwd / f"{name}.log").open("wb") as log:  # the child holds its own descriptor
                processes[name] = subprocess.Popen(
                    command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT
                )
        yield processes
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def idle_up(juki: str, root: Path, settle: float, seconds: float) -> dict[str, float]:
    """`juki up` (18 nodes, SQLite) with nothing to do."""
    port = free_port()
    command = [juki, "up", "--port", str(port), "--home", str(root / ".juki")]
    with started({"up": command}, root) as processes, httpx.Client(timeout=10) as client:
        wait_until_answers(client, f"http://127.0.0.1:{port}/", processes["up"])
        time.sleep(settle)
        return measure({"up": processes["up"].pid}, seconds)


def idle_processes(juki: str, root: Path, settle: float, seconds: float) -> dict[str, float]:
    """Three `juki node serve` processes talking HTTPS with mutual TLS, with nothing to do."""
    home = root / ".juki"
    pki = PkiDirectory(home / "pki")
    ca = pki.init()
    for name in [*LAYOUT, "bench"]:
        pki.ensure_tls(name, ca)
    ports = {name: free_port() for name in LAYOUT}
    routes = routes_for(LAYOUT, ports)
    (root / "routes.json").write_text(json.dumps(routes))
    commands = {
        name: [juki, "node", "serve", "--nodes", ",".join(nodes), "--port", str(ports[name]),
               "--routes", str(root / "routes.json"), "--name", name, "--home", str(home)]
        for name, nodes in LAYOUT.items()
    }  # fmt: skip
    client = httpx.Client(verify=pki.client_context("bench"), timeout=10)
    with started(commands, root) as processes, client:
        for name, process in processes.items():
            wait_until_answers(client, routes[LAYOUT[name][0]] + "/health", process)
        time.sleep(settle)
        return measure({name: process.pid for name, process in processes.items()}, seconds)


def run(juki: str, settle: float, seconds: float) -> dict[str, dict[str, float]]:
    return {
        "up": _with_retries(idle_up, juki, settle, seconds),
        "node_serve": _with_retries(idle_processes, juki, settle, seconds),
    }


def _with_retries(
    measure_network: Callable[[str, Path, float, float], dict[str, float]],
    juki: str,
    settle: float,
    seconds: float,
) -> dict[str, float]:
    for attempt in range(1, TRIES + 1):
        with tempfile.TemporaryDirectory() as scratch:
            try:
                return measure_network(juki, Path(scratch), settle, seconds)
            except StartupFailed as failed:
                if attempt == TRIES:
                    raise
                print(f"retrying: {failed}", file=sys.stderr)
    raise AssertionError("unreachable")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30, help="the measured window")
    parser.add_argument("--settle", type=float, default=10, help="wait after start-up")
    parser.add_argument("--juki", default=str(Path(sys.executable).parent / "juki"))
    parser.add_argument("--against", help="another checkout's juki, measured in the same run")
    args = parser.parse_args()
    results = {"juki": run(args.juki, args.settle, args.seconds)}
    if args.against:
        results["against"] = run(args.against, args.settle, args.seconds)
    for label, result in results.items():
        serve = result["node_serve"]
        print(
            f"{label}: idle `juki up` {result['up']['up']} % of a core; "
            f"3 × `juki node serve` {round(sum(serve.values()), 3)} % in total "
            f"({', '.join(f'{name} {share} %' for name, share in serve.items())}); "
            f"{args.seconds:.0f} s window after {args.settle:.0f} s settling"
        )
    print(json.dumps({"seconds": args.seconds, "settle": args.settle, **results}))


if __name__ == "__main__":
    main()
