"""Run a command (the test suite, the benchmarks) with real services around it.

``python -m deploy.testenv [--no-kafka] -- CMD ...`` starts a throw-away embedded PostgreSQL
unless ``DATABASE_URL`` is set, and a single-node Apache Kafka broker (KRaft) unless
``KAFKA_BOOTSTRAP_SERVERS`` is set or ``--no-kafka`` is given, exports their addresses to
``CMD`` and stops them afterwards, whatever ``CMD`` did. Its exit code is ``CMD``'s.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from deploy.embedded_pg import EmbeddedPostgres
from deploy.settings import masked_url

__all__ = ["main"]


@contextlib.contextmanager
def _postgres(root: Path) -> Iterator[str]:
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
        return
    server = EmbeddedPostgres(root / "pg", cleanup="delete")
    try:
        yield server.start()
    finally:
        server.stop()


@contextlib.contextmanager
def _kafka(root: Path, wanted: bool) -> Iterator[str | None]:
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or not wanted:
        yield os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        return
    from deploy.kafka.broker import KafkaBroker

    with KafkaBroker(log_dir=root / "kafka") as broker:
        yield broker.bootstrap_servers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.testenv")
    parser.add_argument("--no-kafka", action="store_true", help="do not start a Kafka broker")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    data = Path(".data")
    data.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="testenv-", dir=data) as tmp:
        root = Path(tmp)
        os.chmod(root, 0o755)  # the embedded server runs as its own system user
        with _postgres(root) as database_url, _kafka(root, not args.no_kafka) as kafka:
            env = dict(os.environ, DATABASE_URL=database_url)
            if kafka:
                env["KAFKA_BOOTSTRAP_SERVERS"] = kafka
            print(
                f"testenv: DATABASE_URL={masked_url(database_url)} KAFKA_BOOTSTRAP_SERVERS={kafka}",
                flush=True,
            )
            return subprocess.call(command, env=env)


if __name__ == "__main__":
    sys.exit(main())
