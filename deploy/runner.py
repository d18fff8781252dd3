"""One process with everything: GraphQL server plus, optionally, the workers as threads.

Used by ``make run`` (``yanshen run``) and ``yanshen serve``. Ctrl-C stops the server,
then the workers, then the embedded PostgreSQL, in that order.
"""

from __future__ import annotations

import logging
import threading

import uvicorn

from deploy.bootstrap import Platform, resolve_database_url
from deploy.settings import Settings
from gateway.app import create_app
from projections.runtime import ProjectionWorker
from services.relay import StreamRelay

__all__ = ["run_platform"]

log = logging.getLogger("yanshen")


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


def run_platform(settings: Settings, *, with_workers: bool, seed: bool) -> None:
    url, server = resolve_database_url(settings)
    platform = Platform.open(settings, url)
    workers: list[tuple[ProjectionWorker | StreamRelay, threading.Thread]] = []
    try:
        if seed:
            from deploy.demo import seed_demo_hall

            created = seed_demo_hall(platform)
            log.info("demo hall ready (%d record(s) created)", created)
        if with_workers:
            runners: list[ProjectionWorker | StreamRelay] = [platform.projection_worker()]
            if settings.kafka_bootstrap_servers:
                runners.append(platform.stream_relay())
            for runner in runners:
                thread = threading.Thread(
                    target=runner.run_forever, name=type(runner).__name__, daemon=True
                )
                thread.start()
                workers.append((runner, thread))
        print(_banner(settings), flush=True)
        uvicorn.run(
            create_app(platform),
            host=settings.host,
            port=settings.port,
            log_level="info",
            log_config=None,
        )
    finally:
        for runner, _ in workers:
            runner.stop()
        for _, thread in workers:
            thread.join(timeout=10)
        platform.close()
        if server:
            server.stop()
        log.info("stopped")
