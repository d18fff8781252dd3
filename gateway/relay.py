"""Relay: cursor-paginated connections and global ids with ``node`` / ``nodes`` lookups.

Connections page forward with ``first`` (at most ``max_page_size``, default
``default_page_size``) and ``after`` (an opaque cursor encoding the sort key of the last
row seen). A read model either pages in SQL (:func:`paginate`: its query gets the key to
start after and a limit) or, when small and read whole, in memory
(:func:`connection_from_rows`).

A global id names type, hall and local id. Node types register a batch loader and who may
read them (:func:`register_node`); ``node(id)`` answers ``null`` for ids the caller may not
read, of another hall, or that do not exist — all alike — and for any object a loader
returns whose own ``id`` is not the one asked for.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import strawberry

from gateway.context import Info, run_sync
from gateway.dataloaders import load_many
from gateway.errors import InputError
from gateway.limits.input import has_lone_surrogate
from gateway.security import INHERITED, PUBLIC, Access, Audience, Role, allow, readable_hall
from services.store.pool import Pool

__all__ = [
    "Connection",
    "Edge",
    "GlobalId",
    "Node",
    "NodeQueries",
    "PageInfo",
    "connection_from_rows",
    "decode_cursor",
    "encode_cursor",
    "global_id",
    "local_id",
    "page_size",
    "paginate",
    "register_node",
]

N = TypeVar("N")
R = TypeVar("R")
SortKey = tuple[Any, ...]
"""A row's position in its order: JSON scalars (str, int, float, bool, None)."""


@allow(INHERITED)
@strawberry.type(description="Where a page starts and ends, and whether more follow.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@allow(INHERITED)
@strawberry.type(description="One node of a connection and its cursor.")
class Edge(Generic[N]):
    cursor: str
    node: N


@allow(INHERITED)
@strawberry.type(description="A page of a list (Relay cursor connection).")
class Connection(Generic[N]):
    edges: list[Edge[N]]
    page_info: PageInfo


@allow(INHERITED)
@strawberry.interface(description="An object with a global id, for node(id:) lookups.")
class Node:
    id: strawberry.ID


def encode_cursor(key: SortKey) -> str:
    """An opaque cursor for a sort key.

    >>> decode_cursor(encode_cursor(("A001", 3)))
    ('A001', 3)
    """
    raw = json.dumps(list(key), separators=(",", ":"), ensure_ascii=False, default=str)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> SortKey:
    """The sort key of a cursor (``VALIDATION`` for one this API did not give out).

    Its parts are what a row's key can hold: text PostgreSQL can store (no U+0000, no lone
    surrogate), integers a ``bigint`` holds, finite numbers (``NaN`` and ``Infinity``, which
    Python's JSON reads, are none); else the forged part would reach a query and fail there
    (``INTERNAL``).

    >>> decode_cursor(encode_cursor(("2026-05-01", 2**63)))
    Traceback (most recent call last):
    ...
    gateway.errors.InputError: invalid cursor 'WyIyMDI2LTA1LTAxIiw5MjIzMzcyMDM2ODU0Nzc1ODA4XQ'
    """
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw, parse_constant=_no_constant)
    except (binascii.Error, ValueError):
        raise InputError(f"invalid cursor {cursor!r}") from None
    if not isinstance(key, list) or not all(map(_key_part, key)):
        raise InputError(f"invalid cursor {cursor!r}")
    return tuple(key)


_BIGINT = range(-(2**63), 2**63)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is no JSON number")


def _key_part(part: Any) -> bool:
    """Whether ``part`` is a value a sort key can hold (a JSON scalar a query can take)."""
    if isinstance(part, str):
        return "\x00" not in part and not has_lone_surrogate(part)
    if isinstance(part, bool) or part is None:
        return True
    if isinstance(part, int):
        return part in _BIGINT
    return isinstance(part, float) and math.isfinite(part)


def page_size(info: Info, first: int | None) -> int:
    """``first``, checked against the maximum page size (``VALIDATION`` beyond it)."""
    settings = info.context.platform.settings
    if first is None:
        return settings.default_page_size
    if not 0 <= first <= settings.max_page_size:
        raise InputError(f"first must be between 0 and {settings.max_page_size}")
    return first


def _build(
    rows: Sequence[R],
    size: int,
    *,
    after: str | None,
    key: Callable[[R], SortKey],
    node: Callable[[R], N],
) -> Connection[N]:
    page = rows[:size]
    edges = [Edge(cursor=encode_cursor(key(r)), node=node(r)) for r in page]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > size,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )


async def paginate(
    info: Info,
    *,
    first: int | None,
    after: str | None,
    fetch: Callable[[SortKey | None, int], Sequence[R]],
    key: Callable[[R], SortKey],
    node: Callable[[R], N],
) -> Connection[N]:
    """A page from a keyset query: ``fetch(after_key, limit)`` returns up to ``limit`` rows
    ordered by ``key``, strictly after ``after_key`` (``None``: from the start)."""
    size = page_size(info, first)
    after_key = decode_cursor(after) if after else None
    rows = await run_sync(fetch, after_key, size + 1)
    return _build(rows, size, after=after, key=key, node=node)


def connection_from_rows(
    info: Info,
    rows: Sequence[R],
    *,
    first: int | None,
    after: str | None,
    key: Callable[[R], SortKey],
    node: Callable[[R], N],
) -> Connection[N]:
    """A page of ``rows`` already read whole and ordered by ``key`` (small read models)."""
    size = page_size(info, first)
    if after:
        after_key = decode_cursor(after)
        try:
            rows = [r for r in rows if key(r) > after_key]
        except TypeError:
            raise InputError(f"invalid cursor {after!r}") from None
    return _build(rows[: size + 1], size, after=after, key=key, node=node)


@dataclass(frozen=True)
class GlobalId:
    """A node's global id: GraphQL type, hall, local id."""

    type_name: str
    hall: str
    local_id: str

    def __str__(self) -> str:
        raw = f"{self.type_name}:{self.hall}:{self.local_id}"
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def parse(cls, value: str) -> GlobalId:
        """
        >>> GlobalId.parse(str(GlobalId("ServiceItem", "demo", "A:1")))
        GlobalId(type_name='ServiceItem', hall='demo', local_id='A:1')
        """
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        except (binascii.Error, ValueError):
            raise InputError(f"invalid id {value!r}") from None
        type_name, _, rest = raw.partition(":")
        hall, sep, local_id = rest.partition(":")
        if not (type_name and hall and sep and local_id):
            raise InputError(f"invalid id {value!r}")
        return cls(type_name, hall, local_id)


def global_id(type_name: str, hall: str, local_id: str) -> strawberry.ID:
    """The global id of a node (what its ``id`` field returns)."""
    return strawberry.ID(str(GlobalId(type_name, hall, local_id)))


def local_id(value: str, type_name: str) -> str:
    """The local id inside ``value`` when it is the global id of a ``type_name`` node (what
    a register's ``id`` answers), else ``value`` unchanged: commands that take a record's id
    (``caseId``, ``complaintId`` …) take the node id of its register entry as well. The hall
    named inside decides nothing: the command reads the caller's hall only, where another
    hall's record does not exist.

    >>> local_id(str(GlobalId("CaseRegisterEntry", "demo", "c-1")), "CaseRegisterEntry")
    'c-1'
    >>> local_id(str(GlobalId("RatingEntry", "demo", "c-1")), "CaseRegisterEntry") == "c-1"
    False
    >>> local_id("c-1", "CaseRegisterEntry")
    'c-1'
    """
    try:
        node = GlobalId.parse(value)
    except InputError:
        return value
    return node.local_id if node.type_name == type_name else value


NodeLoader = Callable[[Pool, str, Sequence[str]], Mapping[str, Any]]
"""``(app pool, hall, local ids) -> {local id: strawberry object}`` in one query, reading
only ``hall``'s records (an object whose ``id`` is not the one asked for is dropped)."""


@dataclass(frozen=True)
class NodeType:
    """A registered node type: how to load it and who may read it."""

    name: str
    load: NodeLoader
    access: Access


_NODE_TYPES: dict[str, NodeType] = {}


def register_node(type_name: str, *, load: NodeLoader, who: Sequence[Role | Audience]) -> None:
    """Make ``type_name`` (which implements :class:`Node`) reachable by ``node(id:)``."""
    _NODE_TYPES[type_name] = NodeType(type_name, load, Access.of(who))


async def _resolve(info: Info, ids: Sequence[str]) -> list[Any]:
    principal = info.context.principal
    wanted: list[tuple[NodeType, str, str] | None] = []
    for value in ids:
        gid = GlobalId.parse(value)
        kind = _NODE_TYPES.get(gid.type_name)
        if kind is None or (kind.access.checked and principal.role is None):
            wanted.append(None)
            continue
        if principal.role is not None and not kind.access.permits(principal.role):
            wanted.append(None)
            continue
        hall = readable_hall(info, gid.hall, public=kind.access.audience is PUBLIC)
        wanted.append((kind, hall, gid.local_id) if hall == gid.hall else None)
    groups: dict[tuple[str, str], list[str]] = {}
    for item in wanted:
        if item is not None:
            groups.setdefault((item[0].name, item[1]), []).append(item[2])
    found: dict[tuple[str, str, str], Any] = {}
    for (name, hall), local_ids in groups.items():
        loaded = await load_many(info, _NODE_TYPES[name].load, hall, local_ids)
        found.update({(name, hall, i): obj for i, obj in zip(local_ids, loaded, strict=True)})
    return [_same_node(found.get((w[0].name, w[1], w[2])), w) if w else None for w in wanted]


def _same_node(obj: Any, wanted: tuple[NodeType, str, str]) -> Any:
    """``obj`` if its own global id is the one asked for, else ``None``: a loader that
    answered for another hall or another record cannot leak it through ``node(id:)``."""
    kind, hall, local_id = wanted
    if obj is None or getattr(obj, "id", None) != str(GlobalId(kind.name, hall, local_id)):
        return None
    return obj


@strawberry.type
class NodeQueries:
    @allow(PUBLIC)
    @strawberry.field(
        description="Any object by its global id; null when it does not exist or the "
        "caller may not read it (another hall's objects included)."
    )
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return (await _resolve(info, [id]))[0]  # type: ignore[no-any-return]

    @allow(PUBLIC)
    @strawberry.field(description="Objects by global id, in order; null where node(id) is.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > info.context.platform.settings.max_page_size:
            raise InputError(f"at most {info.context.platform.settings.max_page_size} ids")
        return await _resolve(info, ids)
