"""Settings read from environment variables: a value that cannot be used is refused at once
with a :class:`ConfigurationError` that names the variable and what it accepts (``yanshen``
prints that one line and exits with status 2), instead of failing later in the middle of work.

Pure: every reader takes the environment as a mapping.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from typing import TypeVar

__all__ = ["ConfigurationError", "read_choice", "read_flag", "read_float", "read_int"]

D = TypeVar("D", int, float, None)

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


class ConfigurationError(ValueError):
    """A setting has a value the platform cannot use; the message names the variable."""


def _text(env: Mapping[str, str], name: str) -> str:
    return env.get(name, "").strip()


def read_int(
    env: Mapping[str, str],
    name: str,
    default: D,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int | D:
    """The whole number in ``name`` (``default`` when unset or empty), within the bounds.

    >>> read_int({"N": "7"}, "N", 1, minimum=1)
    7
    >>> read_int({"N": "0"}, "N", 1, minimum=1)
    Traceback (most recent call last):
    ...
    services.shared.environment.ConfigurationError: N must be a whole number of at least 1, not '0'
    """
    text = _text(env, name)
    if not text:
        return default
    try:
        value: int | None = int(text)
    except ValueError:
        value = None
    if (
        value is None
        or (minimum is not None and value < minimum)
        or (maximum is not None and value > maximum)
    ):
        if minimum is not None and maximum is not None:
            accepted = f"a whole number from {minimum} to {maximum}"
        elif minimum is not None:
            accepted = f"a whole number of at least {minimum}"
        else:
            accepted = "a whole number"
        raise ConfigurationError(f"{name} must be {accepted}, not {text!r}")
    return value


def read_float(env: Mapping[str, str], name: str, default: float, *, above: float = 0.0) -> float:
    """The finite number in ``name`` (``default`` when unset or empty), greater than ``above``.

    >>> read_float({"T": "2.5"}, "T", 10.0)
    2.5
    >>> read_float({"T": "nan"}, "T", 10.0)
    Traceback (most recent call last):
    ...
    services.shared.environment.ConfigurationError: T must be a finite number above 0, not 'nan'
    """
    text = _text(env, name)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= above:
        raise ConfigurationError(f"{name} must be a finite number above {above:g}, not {text!r}")
    return value


def read_flag(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    """``1``/``true``/``yes``/``on`` or ``0``/``false``/``no``/``off`` (any case) in ``name``.

    >>> read_flag({"F": "Yes"}, "F", default=False), read_flag({}, "F", default=True)
    (True, True)
    """
    text = _text(env, name)
    if not text:
        return default
    if text.lower() in _TRUE | _FALSE:
        return text.lower() in _TRUE
    raise ConfigurationError(f"{name} must be 1, true, yes, on, 0, false, no or off, not {text!r}")


def read_choice(env: Mapping[str, str], name: str, default: str, choices: Collection[str]) -> str:
    """One of ``choices`` (exactly) in ``name``; ``default`` when unset or empty."""
    text = _text(env, name)
    if not text:
        return default
    if text not in choices:
        raise ConfigurationError(f"{name} must be one of {', '.join(choices)}, not {text!r}")
    return text
