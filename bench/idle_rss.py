"""Resident memory of the running service: right after start-up, and idle after a few analyses."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.server import ServiceProcess

from common import ROOT, write_result


def rss_mb(pid: int) -> float:
    """VmRSS of a process in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError("no VmRSS")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        service = ServiceProcess({"DATA_DIR": folder}, Path(folder))
        service.start()
        pid = service.pid
        time.sleep(1)
        started = rss_mb(pid)
        files = [
            ROOT / "tests/fixtures" / name
            for name in ("resume_zh.pdf", "resume_en.docx", "resume_zh_gbk.txt")
        ]
        with httpx.Client(base_url=service.url, timeout=30) as client:
            for path in files * 5:
                client.post("/api/v1/ai/resume/analyze", files={"file": (path.name, path.read_bytes())})
        time.sleep(2)
        idle = rss_mb(pid)
        service.stop()
    result = {"rss_after_start_mb": started, "rss_idle_after_15_analyses_mb": idle}
    print(json.dumps(result, indent=2))
    print("written", write_result("idle_rss", result))


if __name__ == "__main__":
    main()
