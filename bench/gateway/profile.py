"""Where the service's CPU goes under the gateway bench's chat load: py-spy on the service alone.

    .venv/bin/python bench/gateway/profile.py [--connections 10] [--seconds 20] [--repeat] [--native]

Starts the stand-in and the service exactly as `run.py` does (same settings, same request, the same wrk
script), records the service with py-spy (`--format raw`: collapsed stacks) while wrk loads it, and prints
the functions with the most samples, by own time and inclusive of what they call. The stacks are kept in
`bench/results/profile-<time>.txt` for flame graphs (`flamegraph.pl`, speedscope). Not a benchmark: py-spy
samples at 200 Hz from outside the process and slows it by a few per cent.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import run  # noqa: E402 (the gateway harness: processes, settings, request, wrk)

from model_overhead import StandinProcess  # noqa: E402 (run.py put bench/ on the path)
from tests.support.server import ServiceProcess  # noqa: E402

PY_SPY = Path(sys.executable).parent / "py-spy"


def stacks_summary(path: Path, top: int) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """(own, inclusive) shares of samples per function from py-spy's raw (collapsed) output."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():  # a frame's text can hold a line break: skip the piece
            continue
        count = int(count_text)
        total += count
        frames = [frame.split(" (")[0] + " " + _where(frame) for frame in stack.split(";")]
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    share = 100.0 / max(total, 1)
    return (
        [(name, round(count * share, 1)) for name, count in own.most_common(top)],
        [(name, round(count * share, 1)) for name, count in inclusive.most_common(top)],
    )


def _where(frame: str) -> str:
    """`(path/to/module.py:123)` shortened to the file's last two parts."""
    inside = frame.partition(" (")[2].rstrip(")")
    path = inside.rsplit(":", 1)[0]
    return "(" + "/".join(Path(path).parts[-2:]) + ")"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--repeat", action="store_true", help="one repeated message: the cache-hit path")
    parser.add_argument("--native", action="store_true", help="py-spy --native (C frames too)")
    parser.add_argument("--gil", action="store_true", help="py-spy --gil (only samples holding the GIL)")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--provider-concurrency", type=int, default=0)
    parser.add_argument("--upstream-connections", type=int, default=2000)
    arguments = parser.parse_args()
    run.ensure_tools()
    standin = StandinProcess()
    standin.start()
    out = run.ROOT / "bench" / "results" / f"profile-{time.strftime('%Y%m%d-%H%M%S')}.txt"
    out.parent.mkdir(exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(prefix="jobfirst-profile-") as folder:
            service = ServiceProcess(run.service_env(standin.url, folder, arguments), Path(folder))
            service.start()
            try:
                target = run.Target(
                    "service",
                    service.url + run.CHAT,
                    json.dumps({"message": run.MESSAGE, "stream": False}),
                    run.token(),
                    '"source":"model"',
                    service.pid,
                    tuple(run.token(user) for user in range(run.USERS)),
                )
                httpx.post(target.url, content=target.body_for("warm"), headers=target.headers_for(0))
                command = [str(PY_SPY), "record", "--pid", str(service.pid), "--format", "raw"]
                command += ["--rate", "200", "--output", str(out), "--nonblocking"]
                command += (["--native"] if arguments.native else []) + (["--gil"] if arguments.gil else [])
                spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                time.sleep(1.0)
                stand = _ServiceOnly(standin, target)
                result = run.wrk(
                    stand,  # type: ignore[arg-type]
                    target,
                    connections=arguments.connections,
                    seconds=arguments.seconds,
                    unique=not arguments.repeat,
                )
                spy.send_signal(2)
                spy.wait(timeout=60)
            finally:
                service.stop()
    finally:
        standin.stop()
    print(
        f"{result['per_second']} req/s, p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, "
        f"service CPU {result['cpu_ms_per_request'].get('gateway')} ms/req, good {result['good']}, "
        f"bad {result['bad']}, upstream calls {result['upstream_calls']}"
    )
    own, inclusive = stacks_summary(out, arguments.top)
    print(f"\nown time (% of samples) — stacks in {out.relative_to(run.ROOT)}")
    for name, share in own:
        print(f"{share:6.1f}  {name}")
    print("\ninclusive (% of samples)")
    for name, share in inclusive:
        print(f"{share:6.1f}  {name}")


class _ServiceOnly:
    """What `run.wrk` reads of a stand: the stand-in's pid and its call count."""

    def __init__(self, standin: StandinProcess, target: run.Target) -> None:
        self.standin = standin
        self.targets = {"service": target}

    def upstream_calls(self) -> int:
        records = httpx.get(f"{self.standin.url}/_standin/requests", timeout=30).json()
        return sum(1 for record in records if record["path"].endswith("chat/completions"))


if __name__ == "__main__":
    main()
