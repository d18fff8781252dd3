r"""Events carrying the NUL character are refused before they are stored.

PostgreSQL's ``text`` and ``jsonb`` cannot hold U+0000. An event whose state had one would
be stored (the state is ``bytea``), and then fail every projection that parses it (read
models write text columns): a hall's read models stopped for good by one input such as an
item name with ``\u0000`` in it. (The audit trail's indexes on the log read such an escape
as U+FFFD, so even a raw append of one does not fail: store migration 0012.) So the recorder
refuses such an event, and the command that triggered it records nothing. Any other
character, control characters included, is kept as given.

>>> try:
...     refuse_nul_characters([rb'{"name": "a\u0000b"}'])  # a JSON string with U+0000
... except NulCharacterError as error:
...     print(error)
text must not contain the NUL character (U+0000)
>>> refuse_nul_characters([rb'{"name": "a\\u0000b"}'])  # a backslash, then "u0000": kept
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from services.shared.errors import ValidationError

__all__ = ["NulCharacterError", "refuse_nul_characters"]

_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
"""``\\u0000`` in JSON text: an escape after an even number (0, 2, …) of backslashes."""


class NulCharacterError(ValidationError):
    """A command's text had the NUL character (U+0000), which no read model can hold."""


def refuse_nul_characters(states: Iterable[bytes]) -> None:
    """Raise :class:`NulCharacterError` when a JSON-encoded state has U+0000 in a string."""
    for state in states:
        if b"\\u0000" in state and _NUL.search(state):
            raise NulCharacterError("text must not contain the NUL character (U+0000)")
