"""The error codes of the docs are the gateway's (``gateway.errors.CODES``): docs/gateway.md
lists exactly those, and a code named anywhere in README.md or docs/ is one of them."""

from __future__ import annotations

import re
from functools import cache

import graphql

from gateway.errors import CODES
from gateway.schema import build_schema
from tests.unit.docs.support import DOCS, ROOT

GATEWAY = ROOT / "docs" / "gateway.md"
SOURCES = ("services", "projections", "gateway", "contracts", "deploy")

_CAPS = re.compile(r"`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)`")
_ERROR_CONTEXT = re.compile(r"\b(codes?|errors?|refuse[sd]?|answers?|answered)\b", re.IGNORECASE)


def test_docs_gateway_lists_exactly_the_codes():
    text = GATEWAY.read_text(encoding="utf-8")
    match = re.search(r"gives every GraphQL error `extensions\.code` —(.*?)—", text, re.DOTALL)
    assert match, "docs/gateway.md lost its list of error codes (section Errors)"
    assert set(_CAPS.findall(match[1])) == CODES


@cache
def _known_words() -> set[str]:
    """What a capitalised name in the docs may be besides an error code: an enum value of
    the schema, an environment variable, or a word of the source (SQL, constants, events)."""
    schema = build_schema()._schema
    words = {
        value
        for type_ in schema.type_map.values()
        if isinstance(type_, graphql.GraphQLEnumType)
        for value in type_.values
    }
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".py", ".sql", ".json", ".graphql"):
                words.update(re.findall(r"\w+", path.read_text(encoding="utf-8").upper()))
    return words


def test_every_code_the_docs_name_exists():
    """In a line about errors, codes, refusals or answers, a capitalised name in code style
    is an error code of the gateway, or something else the code has (not a made-up code)."""
    known = _known_words() - CODES
    problems = []
    for path in DOCS:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            names = _CAPS.findall(line)
            if not names or not (_ERROR_CONTEXT.search(line) or CODES & set(names)):
                continue
            for name in names:
                if name not in CODES and name not in known:
                    problems.append(f"{path.relative_to(ROOT)}:{number}: no error code {name}")
    assert not problems, "\n".join(problems)


def test_every_code_is_documented_in_docs_gateway():
    text = GATEWAY.read_text(encoding="utf-8")
    assert not sorted(code for code in CODES if f"`{code}`" not in text)
