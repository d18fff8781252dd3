"""Import shim for the library's test suites.

``eventsourcing.tests.persistence`` imports ``eventsourcing.cipher``, which needs the optional
``pycryptodome`` (extra ``eventsourcing[crypto]``) that Yanshen does not install. The recorder
suites never use that cipher, so when ``Crypto`` is missing a stand-in module is registered
that fails loudly if anything does use it.
"""

from __future__ import annotations

import importlib.util
import sys
import types


def _install_crypto_stand_in() -> None:
    if importlib.util.find_spec("Crypto") is not None:
        return

    def unavailable(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("pycryptodome is not installed (eventsourcing[crypto])")

    crypto = types.ModuleType("Crypto")
    cipher = types.ModuleType("Crypto.Cipher")
    aes = types.ModuleType("Crypto.Cipher.AES")
    gcm = types.ModuleType("Crypto.Cipher._mode_gcm")
    aes.new = unavailable  # type: ignore[attr-defined]
    aes.key_size = (16, 24, 32)  # type: ignore[attr-defined]
    gcm.GcmMode = type("GcmMode", (), {})  # type: ignore[attr-defined]
    cipher.AES = aes  # type: ignore[attr-defined]
    crypto.Cipher = cipher  # type: ignore[attr-defined]
    sys.modules.update(
        {"Crypto": crypto, "Crypto.Cipher": cipher, "Crypto.Cipher.AES": aes,
         "Crypto.Cipher._mode_gcm": gcm}
    )


_install_crypto_stand_in()
