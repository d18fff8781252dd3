"""A real single-node Apache Kafka broker (KRaft mode), started from jars fetched with Maven.

Nothing is installed by hand: :func:`fetch_jars` runs ``mvn`` once on ``deploy/kafka/pom.xml``
and copies the broker jars into a cache directory (``$YANSHEN_CACHE_DIR/kafka-<version>``, else
``~/.cache/yanshen/kafka-<version>``); :class:`KafkaBroker` then runs ``java -cp 'libs/*'
kafka.Kafka`` on free loopback ports and waits until a kafka-python client gets a useful answer.
Set ``KAFKA_HOME`` (or pass ``kafka_home``) to use an unpacked Kafka distribution instead.

The broker is configured for tests, not for production: one node that is both broker and
controller, replication factor 1 everywhere, small internal topics, no rebalance delay, and
``auto.create.topics.enable=false`` so that code must create its topics explicitly (as it has to
against a real cluster) and a misspelt topic name fails instead of quietly creating a topic.

Command line (used by ``make kafka-jars``)::

    python -m deploy.kafka.broker fetch     # fetch the jars into the cache, print the libs dir
    python -m deploy.kafka.broker run       # start a broker, print its address, stop on Ctrl-C
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType, TracebackType
from typing import IO, Self

from kafka import KafkaAdminClient
from kafka.errors import KafkaError

__all__ = [
    "BrokerStartError",
    "JarFetchError",
    "KafkaBroker",
    "KafkaNotReadyError",
    "cache_dir",
    "fetch_jars",
    "kafka_version",
    "main",
    "wait_until_ready",
]

POM = Path(__file__).resolve().with_name("pom.xml")
# Written last by fetch_jars: its presence (with the pom's hash) means the libs dir is complete.
MARKER_NAME = ".complete"
BROKER_MAIN = "kafka.Kafka"
STORAGE_TOOL_MAIN = "kafka.tools.StorageTool"
# Modest on purpose: the machines have 2 cores, and PostgreSQL and the tests run beside it.
DEFAULT_JVM_OPTS = ("-Xms128m", "-Xmx512m", "-XX:+UseSerialGC", "-Djava.awt.headless=true")
DEFAULT_START_TIMEOUT = 90.0
DEFAULT_STOP_TIMEOUT = 30.0
LOG_TAIL_LINES = 40
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class JarFetchError(RuntimeError):
    """Maven could not fetch the Kafka jars."""


class KafkaNotReadyError(RuntimeError):
    """No usable Kafka broker answered at the given address in time."""


class BrokerStartError(RuntimeError):
    """The broker process could not be started, or did not become ready in time."""


# --------------------------------------------------------------------------- jar fetching


def kafka_version(pom: Path = POM) -> str:
    """The Kafka version pinned in ``pom.xml`` (its ``kafka.version`` property)."""
    namespace = {"m": "http://maven.apache.org/POM/4.0.0"}
    element = ET.parse(pom).getroot().find("m:properties/m:kafka.version", namespace)
    if element is None or not (element.text or "").strip():
        raise JarFetchError(f"{pom} has no <kafka.version> property")
    return (element.text or "").strip()


def cache_dir(version: str | None = None) -> Path:
    """Where the jars of ``version`` (default: the pinned one) are cached."""
    base = os.environ.get("YANSHEN_CACHE_DIR")
    root = Path(base) if base else Path.home() / ".cache" / "yanshen"
    return root / f"kafka-{version or kafka_version()}"


def _pom_digest(pom: Path) -> str:
    # The marker stores this, so editing the pom (say, the logging backend) refetches even
    # when the Kafka version, and so the cache directory, stays the same.
    return hashlib.sha256(pom.read_bytes()).hexdigest()


@contextlib.contextmanager
def _exclusive_lock(path: Path) -> Iterator[None]:
    # Two pytest-xdist workers may fetch at once; the second must wait, not delete the
    # first one's half-copied jars.
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run_maven(pom: Path, libs: Path) -> None:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise JarFetchError("mvn is not on PATH; install Maven (Debian package 'maven')")
    command = [
        mvn,
        "-B",
        "-q",
        "-f",
        str(pom),
        "dependency:copy-dependencies",
        f"-DoutputDirectory={libs}",
        "-DincludeScope=runtime",
    ]
    # -B: CI has no stdin and no terminal; -q: print only errors, which we capture for the message.
    result = subprocess.run(
        command, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        # Maven 3.8 writes colour resets even in batch mode; keep the message readable.
        output = _ANSI_ESCAPE.sub("", result.stdout + result.stderr).strip().splitlines()
        raise JarFetchError(
            f"{' '.join(command)} failed with exit code {result.returncode}:\n"
            + "\n".join(output[-LOG_TAIL_LINES:])
        )


def fetch_jars(pom: Path = POM) -> Path:
    """Fetch the broker jars with Maven unless cached; return the directory holding them."""
    root = cache_dir(kafka_version(pom))
    libs = root / "libs"
    marker = root / MARKER_NAME
    digest = _pom_digest(pom)
    with _exclusive_lock(root / ".lock"):
        if marker.is_file() and marker.read_text().strip() == digest:
            return libs
        # No marker (or another pom's): whatever is there may be a half-finished copy.
        marker.unlink(missing_ok=True)
        shutil.rmtree(libs, ignore_errors=True)
        _run_maven(pom, libs)
        if not any(libs.glob("kafka_2.13-*.jar")):
            raise JarFetchError(f"mvn finished but {libs} holds no kafka_2.13 jar")
        marker.write_text(digest + "\n")
    return libs


# --------------------------------------------------------------------------- readiness


def _port_accepts(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((host, port)) == 0


def _split_address(address: str) -> tuple[str, int]:
    host, _, port = address.strip().rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)


def _probe(bootstrap_servers: str) -> str | None:
    """``None`` when a client can use the cluster, else why not (for the error message)."""
    first = bootstrap_servers.split(",", maxsplit=1)[0]
    host, port = _split_address(first)
    if not _port_accepts(host, port):
        return f"nothing accepts connections on {first}"
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=bootstrap_servers,
            client_id="yanshen-readiness-probe",
            request_timeout_ms=5000,
            bootstrap_timeout_ms=5000,
        )
    except (KafkaError, OSError) as exc:
        return f"kafka-python cannot bootstrap: {exc!r}"
    try:
        cluster = admin.describe_cluster()
    except (KafkaError, OSError) as exc:
        return f"describe_cluster failed: {exc!r}"
    finally:
        admin.close()
    # A KRaft broker accepts connections before the controller unfences it; until then the
    # cluster has no usable broker and topic creation would fail.
    if not any(not broker.get("is_fenced", False) for broker in cluster.get("brokers", [])):
        return f"no unfenced broker yet: {cluster!r}"
    return None


def wait_until_ready(
    bootstrap_servers: str,
    timeout: float = 30.0,
    is_alive: Callable[[], bool] | None = None,
) -> None:
    """Block until a kafka-python client can use the cluster at ``bootstrap_servers``.

    Raises :class:`KafkaNotReadyError` with the last reason after ``timeout`` seconds, or at
    once when ``is_alive`` (the broker process, if we own it) says it died.
    """
    deadline = time.monotonic() + timeout
    while True:
        reason = _probe(bootstrap_servers)
        if reason is None:
            return
        if is_alive is not None and not is_alive():
            raise KafkaNotReadyError(f"the broker process exited; last probe: {reason}")
        if time.monotonic() >= deadline:
            raise KafkaNotReadyError(
                f"Kafka at {bootstrap_servers} not ready after {timeout:.0f}s: {reason}"
            )
        time.sleep(0.25)


# --------------------------------------------------------------------------- the broker


def _free_ports(count: int) -> list[int]:
    # Hold all sockets open until every port is chosen so the kernel hands out distinct ones.
    # Another process may still grab one before the broker binds it; that shows up as a clear
    # start error with the bind failure in the log tail.
    with contextlib.ExitStack() as stack:
        ports = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind(("127.0.0.1", 0))
            ports.append(int(sock.getsockname()[1]))
        return ports


def _random_cluster_id() -> str:
    # Kafka's Uuid text form: URL-safe base64 of 16 random bytes without padding. Kafka's own
    # generator rejects ids starting with '-' because command lines would read them as options.
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not text.startswith("-"):
            return text


def _java_executable() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return str(Path(java_home) / "bin" / "java")
    found = shutil.which("java")
    if found is None:
        raise BrokerStartError(
            "java is not installed; run `make java` (deploy/kafka/ensure-java.sh, as root)"
        )
    return found


def _properties_value(value: str) -> str:
    # java.util.Properties treats a backslash as an escape; paths never need one, but be safe.
    return value.replace("\\", "\\\\")


def _server_properties(data_dir: Path, broker_port: int, controller_port: int) -> str:
    settings = {
        # One JVM is the whole cluster: broker and KRaft controller, node 1, a static quorum.
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@127.0.0.1:{controller_port}",
        "listeners": f"PLAINTEXT://127.0.0.1:{broker_port},CONTROLLER://127.0.0.1:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://127.0.0.1:{broker_port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "log.dirs": _properties_value(str(data_dir)),
        # A single replica can only ever be the whole ISR.
        "default.replication.factor": "1",
        "min.insync.replicas": "1",
        "offsets.topic.replication.factor": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        # Internal topics default to 50 partitions each; creating them on the first group join
        # or idempotent produce is what makes a fresh broker slow, and one node gains nothing.
        "offsets.topic.num.partitions": "1",
        "transaction.state.log.num.partitions": "1",
        "share.coordinator.state.topic.num.partitions": "1",
        # Tests join groups all the time; the default 3 s wait for more members only slows them.
        "group.initial.rebalance.delay.ms": "0",
        # Topics are created explicitly (KafkaAdminClient), as against a real cluster.
        "auto.create.topics.enable": "false",
        "num.partitions": "1",
    }
    return "".join(f"{key}={value}\n" for key, value in settings.items())


# log4j 2 reads .properties natively; everything goes to stdout, which we send to broker.log.
_LOG4J2_PROPERTIES = """\
status = warn
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = {level}
rootLogger.appenderRef.out.ref = out
# Per-request logging would drown the useful lines.
logger.request.name = kafka.request.logger
logger.request.level = warn
"""


def _tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


class KafkaBroker:
    """A single-node KRaft broker in a child JVM, as a context manager.

    ``log_dir`` receives everything: ``server.properties``, ``log4j2.properties``, the broker's
    output (``broker.log``), the storage format output (``format.log``) and the data (``data/``).
    The jars come from ``kafka_home/libs`` (or ``$KAFKA_HOME/libs``) when given, else from
    :func:`fetch_jars`. After ``__enter__``, :attr:`bootstrap_servers` is ``"127.0.0.1:PORT"``.
    """

    def __init__(
        self,
        log_dir: Path,
        kafka_home: Path | None = None,
        *,
        start_timeout: float = DEFAULT_START_TIMEOUT,
        stop_timeout: float = DEFAULT_STOP_TIMEOUT,
        jvm_opts: tuple[str, ...] = DEFAULT_JVM_OPTS,
        log_level: str = "INFO",
    ) -> None:
        self.log_dir = Path(log_dir).resolve()
        env_home = os.environ.get("KAFKA_HOME")
        self.kafka_home = kafka_home or (Path(env_home) if env_home else None)
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.jvm_opts = jvm_opts
        self.log_level = log_level
        self.startup_seconds: float | None = None
        self._bootstrap_servers: str | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None

    # -- public --------------------------------------------------------------------------

    @property
    def bootstrap_servers(self) -> str:
        if self._bootstrap_servers is None:
            raise RuntimeError("the broker is not running; use `with KafkaBroker(...) as b:`")
        return self._bootstrap_servers

    @property
    def broker_log(self) -> Path:
        return self.log_dir / "broker.log"

    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> str:
        """Format the storage, start the JVM, wait until it serves; return the address."""
        if self._process is not None:
            raise RuntimeError("the broker is already started")
        began = time.monotonic()
        libs = self._libs_dir()
        java = _java_executable()
        broker_port, controller_port = _free_ports(2)
        config = self._write_config(broker_port, controller_port)
        self._format_storage(java, libs, config)
        self._launch(java, libs, config)
        address = f"127.0.0.1:{broker_port}"
        try:
            remaining = max(self.start_timeout - (time.monotonic() - began), 1.0)
            wait_until_ready(address, timeout=remaining, is_alive=self.is_running)
        except KafkaNotReadyError as exc:
            self.stop()  # __exit__ never runs when __enter__ raises: leave no JVM behind
            raise BrokerStartError(
                f"{exc}\n--- last lines of {self.broker_log} ---\n{_tail(self.broker_log)}"
            ) from exc
        except BaseException:
            self.stop()  # Ctrl-C while waiting: still leave no JVM behind
            raise
        self._bootstrap_servers = address
        self.startup_seconds = time.monotonic() - began
        return address

    def stop(self) -> None:
        """SIGTERM (Kafka's clean shutdown), then SIGKILL after ``stop_timeout``; idempotent."""
        process, self._process = self._process, None
        self._bootstrap_servers = None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- steps of start() --------------------------------------------------------------------

    def _libs_dir(self) -> Path:
        libs = self.kafka_home / "libs" if self.kafka_home else fetch_jars()
        if not any(libs.glob("kafka_2.13-*.jar")):
            raise BrokerStartError(f"no kafka_2.13 jar in {libs}")
        return libs

    def _write_config(self, broker_port: int, controller_port: int) -> Path:
        data_dir = self.log_dir / "data"
        data_dir.mkdir(parents=True, exist_ok=True)
        (self.log_dir / "log4j2.properties").write_text(
            _LOG4J2_PROPERTIES.format(level=self.log_level)
        )
        config = self.log_dir / "server.properties"
        config.write_text(_server_properties(data_dir, broker_port, controller_port))
        return config

    def _java_command(self, java: str, libs: Path, main_class: str) -> list[str]:
        return [
            java,
            *self.jvm_opts,
            f"-Dlog4j2.configurationFile={self.log_dir / 'log4j2.properties'}",
            f"-Dkafka.logs.dir={self.log_dir}",
            "-cp",
            f"{libs}/*",  # expanded by java itself, not by a shell
            main_class,
        ]

    def _format_storage(self, java: str, libs: Path, config: Path) -> None:
        # KRaft refuses to start on an unformatted log dir; a random cluster id per broker.
        command = [
            *self._java_command(java, libs, STORAGE_TOOL_MAIN),
            "format",
            "--cluster-id",
            _random_cluster_id(),
            "--config",
            str(config),
        ]
        format_log = self.log_dir / "format.log"
        with format_log.open("wb") as out:
            result = subprocess.run(
                command,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=self.start_timeout,
                check=False,
            )
        if result.returncode != 0:
            raise BrokerStartError(
                f"formatting the Kafka storage failed (exit {result.returncode}):\n"
                f"{_tail(format_log)}"
            )

    def _launch(self, java: str, libs: Path, config: Path) -> None:
        command = [*self._java_command(java, libs, BROKER_MAIN), str(config)]
        # If this Python process dies without running stop() (SIGKILL, a crashed CI job), the
        # kernel sends the JVM SIGTERM: setpriv sets the parent-death signal, then execs java.
        setpriv = shutil.which("setpriv")
        if setpriv is not None:
            command = [setpriv, "--pdeathsig", "TERM", "--", *command]
        self._log_file = self.broker_log.open("ab")
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            cwd=self.log_dir,
            # Own session: a Ctrl-C in the terminal reaches us, and we stop the broker in order
            # (after the tests that use it), instead of both racing to shut down.
            start_new_session=True,
        )


# --------------------------------------------------------------------------- command line


def _raise_keyboard_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _run_foreground(log_dir: Path | None) -> int:
    with contextlib.ExitStack() as stack:
        if log_dir is None:
            log_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kafka-")))
        # SIGTERM (a supervisor) stops the broker as cleanly as Ctrl-C; SIGINT is set too since
        # a shell without job control starts background commands with SIGINT ignored.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, _raise_keyboard_interrupt)
        try:
            broker = stack.enter_context(KafkaBroker(log_dir))
            print(f"KAFKA_BOOTSTRAP_SERVERS={broker.bootstrap_servers}", flush=True)
            print(
                f"Kafka {kafka_version()} ready in {broker.startup_seconds:.1f}s; "
                f"log {broker.broker_log}; Ctrl-C stops it",
                file=sys.stderr,
                flush=True,
            )
            while broker.is_running():
                time.sleep(0.5)
            print(f"the broker exited; see {broker.broker_log}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            return 0
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.kafka.broker",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("fetch", help="fetch the Kafka jars with mvn into the cache")
    run = commands.add_parser("run", help="run a broker in the foreground until Ctrl-C")
    run.add_argument(
        "--log-dir",
        type=Path,
        default=None,
        help="config, logs and data (default: a temporary directory, deleted)",
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "fetch":
            print(fetch_jars(), flush=True)
            return 0
        return _run_foreground(args.log_dir)
    except (JarFetchError, BrokerStartError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
