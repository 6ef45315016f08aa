"""`python -m jobfirst_ai.llm.standin --host 127.0.0.1 --port 8765`: serve the stand-in model server."""

from __future__ import annotations

import argparse

from jobfirst_ai.llm.standin.app import LOOPBACK, run


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m jobfirst_ai.llm.standin", description=__doc__)
    parser.add_argument("--host", default=LOOPBACK, help="interface to bind (default: loopback only)")
    parser.add_argument("--port", type=int, default=8765)
    arguments = parser.parse_args(argv)
    run(arguments.host, arguments.port)


if __name__ == "__main__":
    main()
