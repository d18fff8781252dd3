"""What README.md and docs/ say about the GraphQL API is in the schema: every example
operation validates, every field they call with arguments exists with those arguments, and
every other camelCase name in code style is a name of the schema (or of the error format).
"""

from __future__ import annotations

import re
from functools import cache

import graphql
import pytest

from gateway.schema import build_schema
from tests.unit.docs.support import DOCS, ROOT, Snippet, blocks, spans

_OPERATION = re.compile(r"^(query|mutation|subscription)\b\s*\w*\s*(\(\s*\$|\{)|^\{\s*[A-Za-z_]")
_CALL = re.compile(r"(?<![\w.])([a-z][A-Za-z0-9]*)\(")
_NAME = re.compile(r"[a-z][a-z0-9]*[A-Z][A-Za-z0-9]*")
_TYPE_FIELD = re.compile(r"([A-Z][A-Za-z0-9]*)\.([a-z][A-Za-z0-9]*)")


@cache
def schema() -> graphql.GraphQLSchema:
    return build_schema()._schema


def operations() -> list[Snippet]:
    """The ```graphql blocks and the inline spans that are whole operations."""
    found = [s for path in DOCS for s in blocks(path) if s.language == "graphql"]
    found += [s for path in DOCS for s in spans(path) if _OPERATION.match(s.text)]
    return found


def _fields() -> dict[str, set[str]]:
    """Every field name of an object or interface type, with the arguments it takes
    (under any type)."""
    fields: dict[str, set[str]] = {}
    for type_ in schema().type_map.values():
        if isinstance(type_, graphql.GraphQLObjectType | graphql.GraphQLInterfaceType):
            for name, field in type_.fields.items():
                fields.setdefault(name, set()).update(field.args)
    return fields


def _top_level_arguments(text: str) -> list[str] | None:
    """The argument names of ``text``, which starts just after ``(``: ``a: 1, b: {c: 2}``
    → ``["a", "b"]``, ``a, b`` → ``["a", "b"]``; None when ``(`` is not closed."""
    depth, start, parts = 0, 0, []
    for index, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                parts.append(text[start:index])
                return [
                    m[1]
                    for part in parts
                    if (m := re.match(r"\s*(?:…,?\s*)?([A-Za-z_]\w*)\s*(?::|$)", part))
                ]
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    return None


def calls() -> list[tuple[Snippet, str, list[str]]]:
    """``(span, field, arguments)`` of inline spans that call a GraphQL field:
    ``name(arg: …)`` or ``camelName(…)``; Python calls (snake_case, ``a=b`` arguments,
    ``obj.method(``) are left out."""
    found = []
    for path in DOCS:
        for span in spans(path):
            if _OPERATION.match(span.text) or span.text.startswith("@"):
                continue
            for match in _CALL.finditer(span.text):
                name = match[1]
                arguments = _top_level_arguments(span.text[match.end() :])
                if arguments is None:
                    continue
                rest = span.text[match.end() :]
                graphql_style = re.match(r"\s*([a-z]\w*\s*:|…\s*,)", rest) is not None
                camel = _NAME.fullmatch(name) is not None
                if "=" in rest.split(")", 1)[0] or not (camel or graphql_style):
                    continue
                found.append((span, name, arguments))
    return found


def _error_format_names() -> set[str]:
    """The camelCase keys the gateway writes into errors (``extensions.requestId``)."""
    source = (ROOT / "gateway" / "errors.py").read_text(encoding="utf-8")
    return set(re.findall(r'"([a-z]+[A-Z]\w*)"', source))


def test_the_docs_have_operations_and_calls():
    """The extraction finds what the docs hold (the tests below check something)."""
    assert len(operations()) >= 8
    assert len(calls()) >= 10


@pytest.mark.parametrize("snippet", operations(), ids=str)
def test_every_example_operation_is_valid_against_the_schema(snippet):
    document = graphql.parse(snippet.text)
    errors = graphql.validate(schema(), document)
    assert not errors, f"{snippet}: {[e.message for e in errors]}"


def test_every_field_called_in_the_docs_exists_with_those_arguments():
    fields = _fields()
    problems = []
    for span, name, arguments in calls():
        if name not in fields:
            problems.append(f"{span}: no field {name} (`{span.text}`)")
        elif unknown := sorted(set(arguments) - fields[name]):
            problems.append(f"{span}: {name} has no argument {unknown} (`{span.text}`)")
    assert not problems, "\n".join(problems)


def test_every_camel_case_name_in_the_docs_is_a_schema_name():
    """A span that is one camelCase name (``unratedRate``, ``catalogChanged {``) names a
    field, an argument or an input field of the schema; ``Type.field`` of a schema type
    names one of its fields."""
    names = set(_fields()) | _error_format_names()
    for type_ in schema().type_map.values():
        if isinstance(type_, graphql.GraphQLInputObjectType):
            names.update(type_.fields)
        if isinstance(type_, graphql.GraphQLObjectType | graphql.GraphQLInterfaceType):
            for field in type_.fields.values():
                names.update(field.args)
    problems = []
    for path in DOCS:
        for span in spans(path):
            word = re.fullmatch(r"([a-z]\w*)(?:\s*\{.*|\(\))?", span.text)
            if word and _NAME.fullmatch(word[1]) and word[1] not in names:
                problems.append(f"{span}: `{span.text}` is not a name of the schema")
            dotted = _TYPE_FIELD.fullmatch(span.text)
            type_ = schema().type_map.get(dotted[1]) if dotted else None
            if dotted and type_ is not None and dotted[2] not in getattr(type_, "fields", {}):
                problems.append(f"{span}: the schema's {dotted[1]} has no {dotted[2]}")
    assert not problems, "\n".join(problems)
