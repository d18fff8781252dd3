"""One process with everything: GraphQL server plus, optionally, the workers as threads.

Used by ``make run`` (``yanshen run``) and ``yanshen serve``. The HTTP port is bound (and
the workers' metrics port checked) before anything starts: a port in use is a
:class:`StartupError`. Ctrl-C (SIGINT) or SIGTERM (``docker stop``, systemd) stops the
server (requests in flight get :data:`GRACEFUL_SECONDS`), then the workers, then the pools
and the embedded PostgreSQL, in that order, and the process exits 0. A worker that ended
without being stopped stops the process the same way, with status 1
(:mod:`deploy.background`).
"""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
import threading
from collections.abc import Iterator
from types import FrameType

import uvicorn

from deploy.background import BackgroundWorkers
from deploy.bootstrap import Platform, resolve_database_url
from deploy.embedded_pg import IncompleteDataDirError
from deploy.settings import Settings
from gateway.app import create_app
from projections.runtime import ProjectionOptions

__all__ = ["GRACEFUL_SECONDS", "WORKER_FAILED", "StartupError", "run_platform"]

log = logging.getLogger("yanshen")

GRACEFUL_SECONDS = 10
"""How long requests in flight may take to finish once the server is stopping."""
WORKER_SECONDS = 10.0
"""How long the workers may take to stop before the pools are closed under them."""
WORKER_FAILED = 1
"""The exit status when a background worker ended without being stopped."""


class StartupError(Exception):
    """The process cannot start (a port in use, the embedded PostgreSQL's data directory
    unusable): nothing was started."""


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: uvicorn re-raises a caught SIGTERM once it
    has shut down, and the signal's default action then ends the process before the workers,
    the pools and the embedded PostgreSQL are stopped. :func:`run_platform` handles them."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _banner(settings: Settings) -> str:
    base = f"http://{settings.host}:{settings.port}"
    return (
        f"\n  Yanshen is serving GraphQL (with GraphiQL) at {base}/graphql\n"
        f'  Try:  query {{ serviceCatalog(hallId: "demo") {{ code name category }} }}\n'
        f"  Token for the demo hall's admin (send as 'Authorization: Bearer <token>'):\n"
        f"        .venv/bin/yanshen dev-token --role hall_admin --tenant demo\n"
        f"  Health {base}/health · readiness {base}/ready · metrics {base}/metrics\n"
        f"  Ctrl-C stops everything.\n"
    )


def _bind(host: str, port: int, variable: str) -> socket.socket:
    """A socket bound to ``host:port`` (as uvicorn and prometheus-client bind theirs)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise StartupError(
            f"cannot listen on {host}:{port} ({error.strerror}): is another Yanshen running? "
            f"Stop it or set {variable}"
        ) from None
    return sock


def _check_metrics_port() -> None:
    """The projection worker serves its metrics on ``YANSHEN_METRICS_PORT``, if set: a port
    in use would end its thread, so it is refused before anything starts."""
    port = ProjectionOptions.from_env().metrics_port
    if port is not None:
        _bind("0.0.0.0", port, "YANSHEN_METRICS_PORT").close()  # where prometheus-client binds


@contextlib.contextmanager
def _signals(server: uvicorn.Server, workers: BackgroundWorkers) -> Iterator[None]:
    """SIGINT and SIGTERM stop the server and the workers (a second Ctrl-C: without
    waiting for requests in flight); the previous handlers are restored afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach the main thread only (e.g. a test running the platform)
        return

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        if server.should_exit and signum == signal.SIGINT:
            server.force_exit = True
            return
        log.info("%s: stopping", signal.Signals(signum).name)
        server.should_exit = True
        workers.stop()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


async def _not_started(scope: object, receive: object, send: object) -> None:
    raise RuntimeError("the gateway is not built yet")  # pragma: no cover - never served


def _start_workers(
    platform: Platform, workers: BackgroundWorkers, *, relay: bool, scheduler: bool
) -> None:
    workers.start("projection worker", platform.projection_worker())
    if relay:
        workers.start("stream relay", platform.stream_relay())
    if scheduler:
        from services.scheduler import DeadlineScheduler, default_sources

        interval = platform.settings.schedule_interval
        workers.start(
            "deadline scheduler",
            DeadlineScheduler(
                platform.worker_pool,
                platform.hall_app,
                default_sources(),
                interval=interval,
                calendars=platform.calendars,
            ),
        )
        log.info("deadline scheduler: a round every %g s", interval)


def run_platform(
    settings: Settings, *, with_workers: bool, seed: bool, with_scheduler: bool = False
) -> int:
    """Serve until a signal (returns 0) or a failed worker (returns :data:`WORKER_FAILED`);
    raises :class:`StartupError` when a port is in use."""
    if with_scheduler and not settings.schedule_interval > 0:
        raise StartupError("YANSHEN_SCHEDULE_INTERVAL must be above 0 seconds")
    sock = _bind(settings.host, settings.port, "YANSHEN_PORT")
    try:
        if with_workers:
            _check_metrics_port()
    except StartupError:
        sock.close()
        raise
    config = uvicorn.Config(
        _not_started,  # replaced by the gateway once the database is up
        host=settings.host,
        port=settings.port,
        log_level="info",
        log_config=None,
        # The gateway logs each request itself, its path only; uvicorn's access line has the
        # query string: a GET's variables (rating codes, personal data) in the log.
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
    )
    server = _Server(config)

    def on_failure(name: str) -> None:
        server.should_exit = True

    workers = BackgroundWorkers(on_failure)
    with _signals(server, workers), contextlib.closing(sock):
        try:
            url, database = resolve_database_url(settings)
        except IncompleteDataDirError as error:
            raise StartupError(str(error)) from None
        platform = Platform.open(settings, url)
        try:
            platform.calendars.current()  # logs a warning when next year has no schedule
            if seed:
                from deploy.demo import seed_demo_hall

                created = seed_demo_hall(platform)
                log.info("demo hall ready (%d record(s) created)", created)
            if with_workers:
                _start_workers(
                    platform,
                    workers,
                    relay=bool(settings.kafka_bootstrap_servers),
                    scheduler=with_scheduler,
                )
            config.app = create_app(platform, readiness=workers.problem)
            if not server.should_exit:  # not stopped while starting
                print(_banner(settings), flush=True)
                server.run(sockets=[sock])
        finally:
            workers.stop()
            late = workers.join(WORKER_SECONDS)
            if late:
                log.warning("%s did not stop in time; closing its pool", ", ".join(late))
            platform.close()
            if database:
                database.stop()
            log.info("stopped")
    if workers.failed:
        return WORKER_FAILED
    return 0
