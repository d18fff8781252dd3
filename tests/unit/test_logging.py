"""Logged errors carry their traceback (in both formats) and never the values of local
variables: tokens, keys, passwords and applicants' personal data live there."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator

import pytest
import structlog

from deploy.logging import configure_logging
from deploy.settings import Settings

# Built at run time: a traceback shows source lines, which must not be what gives them away.
JWT_SECRET = "jwt-" + "7c1e" * 6
PASSWORD = "pw-" + "b94d" * 5
TOKEN = "Bearer " + "eyJ" + "q8Zr" * 6
PHONE = "138" + "0013" * 2
SECRETS = (JWT_SECRET, PASSWORD, TOKEN, PHONE)


def _handle_batch(applicant_phone: str, authorization: str) -> None:
    settings = Settings(
        jwt_secret=JWT_SECRET,
        database_url=f"postgresql://yanshen:{PASSWORD}@db.internal:5432/yanshen",
    )
    if settings.jwt_secret and applicant_phone and authorization:  # all in the frame
        raise RuntimeError("batch of hall demo failed")


def _log_stdlib() -> None:
    try:
        _handle_batch(PHONE, TOKEN)
    except RuntimeError:
        logging.getLogger("services.store.consumer").exception("projection:cases failed")


def _log_structlog() -> None:
    try:
        _handle_batch(PHONE, TOKEN)
    except RuntimeError:
        structlog.get_logger("gateway").exception("request failed")


@pytest.fixture
def logs(capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[[bool, Callable[[], None]], str]]:
    """``logs(json_output, emit)``: what ``emit`` wrote through the configured logging."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    config = structlog.get_config()

    def capture(json_output: bool, emit: Callable[[], None]) -> str:
        configure_logging(json_output=json_output)  # its handler writes to capsys's stderr
        capsys.readouterr()
        emit()
        return capsys.readouterr().err

    yield capture
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.configure(**config)


@pytest.mark.parametrize("emit", [_log_stdlib, _log_structlog], ids=["stdlib", "structlog"])
def test_readable_logs_show_the_traceback_without_local_variables(logs, emit):
    output = logs(False, emit)
    assert "RuntimeError" in output
    assert "batch of hall demo failed" in output
    assert "_handle_batch" in output
    assert [secret for secret in SECRETS if secret in output] == []


@pytest.mark.parametrize("emit", [_log_stdlib, _log_structlog], ids=["stdlib", "structlog"])
def test_json_logs_carry_the_traceback_without_local_variables(logs, emit):
    output = logs(True, emit)
    (line,) = output.splitlines()  # one JSON line: no plain traceback appended after it
    record = json.loads(line)
    assert "exc_info" not in record
    (exception,) = record["exception"]
    assert (exception["exc_type"], exception["exc_value"]) == (
        "RuntimeError",
        "batch of hall demo failed",
    )
    assert "_handle_batch" in [frame["name"] for frame in exception["frames"]]
    assert all("locals" not in frame for frame in exception["frames"])
    assert [secret for secret in SECRETS if secret in output] == []
