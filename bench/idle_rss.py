"""Resident memory of the running service: right after start-up, and idle after a few analyses."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import httpx

from common import ROOT, write_result

sys.path.insert(0, str(ROOT))  # the service runner is shared with the tests
from tests.support.server import ServiceProcess


def rss_mb(pid: int) -> float:
    """VmRSS of a process in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError("no VmRSS")


def _measure(folder: str, env: dict[str, str], python: str) -> tuple[float, float]:
    """RSS one second after start-up, and idle after 15 analyses of PDF, DOCX and GBK text uploads."""
    service = ServiceProcess({"DATA_DIR": folder, **env}, Path(folder), python)
    service.start()
    time.sleep(1)
    started = rss_mb(service.pid)
    names = ("resume_zh.pdf", "resume_en.docx", "resume_zh_gbk.txt")
    files = [ROOT / "tests/fixtures" / name for name in names]
    headers = {"Authorization": f"Bearer {_token(env)}"} if "JWT_SECRET" in env else {}
    with httpx.Client(base_url=service.url, timeout=30, headers=headers) as client:
        for path in files * 5:
            upload = {"file": (path.name, path.read_bytes())}
            # refresh: analyse anew each time, as before stored analyses were reused
            client.post("/api/v1/ai/resume/analyze?refresh=true", files=upload).raise_for_status()
    time.sleep(2)
    idle = rss_mb(service.pid)
    service.stop()
    return started, idle


def _token(env: dict[str, str]) -> str:
    import jwt

    return jwt.encode({"sub": "bench", "exp": time.time() + 600}, env["JWT_SECRET"], algorithm="HS256")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--service-python",
        default=sys.executable,
        help="Python of a venv with only the runtime install (`pip install .`): the dev extras add Pillow "
        "and fontTools, which pypdf then loads",
    )
    python = parser.parse_args().service_python
    result: dict[str, object] = {"service_python": python}
    with tempfile.TemporaryDirectory() as folder:
        for name, env in (
            ("first start (creates and migrates the database)", {}),
            ("restart (database already migrated)", {}),
            ("restart with JWT auth on", {"JWT_SECRET": "bench-secret-bench-secret-bench-secret"}),
        ):
            started, idle = _measure(folder, env, python)
            result[name] = {"after_start_mb": started, "idle_after_15_analyses_mb": idle}
    print(json.dumps(result, indent=2))
    print("written", write_result("idle_rss", result))


if __name__ == "__main__":
    main()
