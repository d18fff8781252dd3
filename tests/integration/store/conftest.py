"""Store tests: the library's suites need their optional ``Crypto`` import satisfied first."""

from __future__ import annotations

import tests.integration.store._library_suites  # noqa: F401  (installs the stand-in early)
