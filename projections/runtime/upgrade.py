"""A projection worker's automatic rebuilds after an upgrade (``projection_versions``).

At its first round — before any batch — the worker records a version for every read model
that has none (:func:`~projections.runtime.versions.adopt_versions`) and reads them all; then
again every :attr:`VersionUpgrades.check_interval` seconds. A read model whose live tables an
older version of its code built is rebuilt with the ordinary :class:`~projections.runtime.Rebuild`
(shadow schema, swap without downtime for readers, the new version recorded in the swap's
transaction), in a thread of the worker, one read model at a time: the worker's live batches
go on meanwhile, for every read model, the rebuilt one's included (into its old tables, until
the swap).

Two workers: the rebuild lock lets one rebuild a read model; the other finds it held and
skips it (looked at again at its next check), or, when it got the lock after the first one
finished, reads the version recorded by then and does nothing (``outdated_only``). A worker
killed in the middle leaves the live tables and their recorded version as they were; its
shadow is swept (:mod:`~projections.runtime.sweep`) and the next check of any worker starts
the rebuild again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence

from projections.runtime.errors import RebuildRunningError
from projections.runtime.projection import Projection
from projections.runtime.rebuild import Progress, Rebuild, RebuildReport
from projections.runtime.versions import (
    PROJECTION_VERSION,
    REBUILD_PENDING,
    ProjectionVersion,
    adopt_versions,
    export_versions,
)
from services.store.pool import Pool

__all__ = ["VersionUpgrades"]

log = logging.getLogger(__name__)


class VersionUpgrades:
    """Finds the read models of ``projections`` built by older code and rebuilds them.

    ``database_url`` connects as the tables' owner (a rebuild's shadow DDL and swap need it);
    without it the worker only reports what needs ``yanshen rebuild``.
    """

    check_interval = 60.0
    """Seconds between looks at the recorded versions after the first (a rebuild another
    worker gave up, or one that failed here, is started again by a later look)."""
    progress_interval = 10.0
    """Seconds between the progress lines of a running rebuild."""
    retry_limit = 3600.0
    """The longest wait before a rebuild that failed here is tried again (60 s, doubled after
    each failure up to this)."""

    def __init__(
        self,
        pool: Pool,
        projections: Sequence[Projection],
        database_url: str | None,
        *,
        batch_size: int = 5_000,
    ) -> None:
        self.pool = pool
        self.projections = [p for p in projections if p.tables]
        self.database_url = database_url
        self.batch_size = batch_size
        self.versions: list[ProjectionVersion] = []
        """The versions as last read."""
        self.reports: list[RebuildReport] = []
        """What this worker's automatic rebuilds did, in order."""
        self._checked_at: float | None = None
        self._failures: dict[str, tuple[float, int]] = {}
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._current: Rebuild | None = None

    @property
    def running(self) -> bool:
        """Whether an automatic rebuild is running in this worker."""
        return self._thread is not None and self._thread.is_alive()

    def check(self) -> None:
        """Read (and first record) the versions when due, and start the rebuilds needed.

        The first look raises when it fails: the worker applies no batch before every read
        model has a recorded version, or a new install would look like an old one. Later
        looks are logged and retried."""
        now = time.monotonic()
        first = self._checked_at is None
        if self._checked_at is not None and now - self._checked_at < self.check_interval:
            return
        try:
            with self.pool.connection() as conn:
                versions = adopt_versions(conn, self.projections)
        except Exception as error:
            if first:
                raise
            log.warning(
                "could not read the read models' versions (%s); next try in %.0f s",
                error,
                self.check_interval,
            )
            self._checked_at = now
            return
        self._checked_at = now
        self.versions = versions
        export_versions(versions)
        pending = [
            (projection, version)
            for projection, version in zip(self.projections, versions, strict=True)
            if version.rebuild_pending and self._failures.get(projection.name, (0.0, 0))[0] <= now
        ]
        if pending:
            self._start(pending)

    def _start(self, pending: list[tuple[Projection, ProjectionVersion]]) -> None:
        if self.running or self._stopping.is_set():
            return
        if self.database_url is None:
            for projection, version in pending:
                log.error(
                    "projection %s: its live tables were built by version %d, the code is"
                    " version %d; this worker cannot rebuild it: run `yanshen rebuild %s`",
                    projection.name,
                    version.live,
                    version.code,
                    projection.name,
                )
            return
        self._thread = threading.Thread(
            target=self._run, args=(pending,), name="projection upgrades", daemon=True
        )
        self._thread.start()

    def _run(self, pending: list[tuple[Projection, ProjectionVersion]]) -> None:
        for projection, version in pending:
            if self._stopping.is_set():
                return
            try:
                self._rebuild(projection, version)
            except Exception:  # a bug here must not end the worker's thread silently
                log.exception("projection %s: the automatic rebuild failed", projection.name)

    def _rebuild(self, projection: Projection, version: ProjectionVersion) -> None:
        assert self.database_url is not None
        name, code = projection.name, projection.version
        rebuild = Rebuild(
            self.database_url,
            self.pool,
            projection,
            batch_size=self.batch_size,
            progress=self._progress(name, code),
            phase=lambda phase: log.info(
                "projection %s: rebuild for version %d: %s", name, code, phase
            ),
            outdated_only=True,
        )
        with self._lock:
            if self._stopping.is_set():
                return
            self._current = rebuild
        log.info(
            "projection %s: its live tables were built by version %d, the code is version %d:"
            " rebuilding it online (readers keep the old tables until the swap)",
            name,
            version.live,
            code,
        )
        try:
            report = rebuild.run()
        except RebuildRunningError:
            log.info(
                "projection %s: another process is rebuilding it; looked at again in %.0f s",
                name,
                self.check_interval,
            )
            return
        except Exception as error:
            if self._stopping.is_set():
                log.info(
                    "projection %s: rebuild for version %d stopped with the worker; the live"
                    " tables stay version %d until the next worker redoes it",
                    name,
                    code,
                    version.live,
                )
                return
            failures = self._failures.get(name, (0.0, 0))[1] + 1
            delay = min(self.retry_limit, self.check_interval * 2 ** (failures - 1))
            self._failures[name] = (time.monotonic() + delay, failures)
            log.error(
                "projection %s: rebuild for version %d failed (%s); the live tables stay"
                " version %d; tried again in %.0f s",
                name,
                code,
                error,
                version.live,
                delay,
            )
            return
        finally:
            with self._lock:
                self._current = None
        self._failures.pop(name, None)
        self.reports.append(report)
        REBUILD_PENDING.labels(name).set(0)
        PROJECTION_VERSION.labels(name, "live").set(code)
        if report.up_to_date:
            log.info("projection %s: another process rebuilt it for version %d", name, code)
            return
        log.info(
            "projection %s: rebuilt for version %d and swapped in: %d events in %.1f s"
            " (%.0f events/s)",
            name,
            code,
            report.events,
            report.seconds,
            report.rate,
        )

    def _progress(self, name: str, code: int) -> Progress:
        logged = [time.monotonic()]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if now - logged[0] < self.progress_interval:
                return
            logged[0] = now
            share = f" ({100 * done // total} %)" if total else ""
            log.info(
                "projection %s: rebuild for version %d: %d of %d positions%s",
                name,
                code,
                done,
                total,
                share,
            )

        return progress

    def stop(self) -> None:
        """Cancel a running rebuild (it cleans up; the live tables stay as they were)."""
        with self._lock:
            self._stopping.set()
            if self._current is not None:
                self._current.cancel()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the running rebuilds; returns whether none runs any more."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running
