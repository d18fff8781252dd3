"""Serving a process's Prometheus metrics (``YANSHEN_METRICS_PORT``).

``yanshen run`` / ``serve`` answer ``/metrics`` on the gateway; the processes without a
gateway (``project``, ``relay``, ``schedule``) serve them on their own port, where they
have one.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from prometheus_client import start_http_server

from services.shared.environment import read_int

__all__ = ["metrics_port", "serve_metrics"]

log = logging.getLogger(__name__)


def metrics_port(env: Mapping[str, str] | None = None) -> int | None:
    """``YANSHEN_METRICS_PORT`` (1–65535), None when unset; a value that cannot be used
    raises ``ConfigurationError`` naming the variable.

    >>> metrics_port({"YANSHEN_METRICS_PORT": "9464"})
    9464
    """
    e = os.environ if env is None else env
    return read_int(e, "YANSHEN_METRICS_PORT", None, minimum=1, maximum=65535)


def serve_metrics(port: int | None, process: str) -> None:
    """Serve this process's metrics at ``:port/metrics`` from a thread (nothing when
    ``port`` is None).

    Raises :class:`OSError` naming the setting when the port cannot be bound (e.g. taken),
    so the command can say which setting to change.
    """
    if port is None:
        return
    try:
        start_http_server(port)
    except OSError as error:
        raise OSError(error.errno, f"YANSHEN_METRICS_PORT {port}: {error.strerror}") from error
    log.info("%s metrics on :%d/metrics", process, port)
