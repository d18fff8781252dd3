"""The verifier stays standalone and hashes exactly what the event store hashes."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from services.audit import verifier
from services.store.chain import event_bytes

ALLOWED = {"cryptography", "__future__"}


def test_the_verifier_imports_only_the_standard_library_and_cryptography():
    tree = ast.parse(Path(verifier.__file__).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    outside = {m for m in imported - ALLOWED if m not in sys.stdlib_module_names}
    assert outside == set()


def test_the_verifier_is_small():
    assert len(Path(verifier.__file__).read_text().splitlines()) < 300


@given(
    st.text(min_size=1, max_size=20),
    st.integers(min_value=1, max_value=2**62),
    st.text(max_size=40),
    st.integers(min_value=1, max_value=2**62),
    st.text(max_size=60),
    st.binary(max_size=200),
)
def test_canonical_bytes_match_the_event_store(tenant, position, originator, version, topic, state):
    assert verifier.canonical_bytes(
        tenant, position, originator, version, topic, state
    ) == event_bytes(tenant, position, originator, version, topic, state)
