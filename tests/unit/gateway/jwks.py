"""Test keys: RSA and EC key pairs, a JWKS document, and a loopback HTTP server for it."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())


def jwks(**keys: Any) -> dict[str, Any]:
    """A JWKS of public keys by kid (``rsa1=RSA_KEY, ec1=EC_KEY``)."""
    out = []
    for kid, key in keys.items():
        algorithm = RSAAlgorithm if isinstance(key, rsa.RSAPrivateKey) else ECAlgorithm
        jwk = json.loads(algorithm.to_jwk(key.public_key()))
        out.append({**jwk, "kid": kid, "use": "sig"})
    return {"keys": out}


def signed(key: Any, kid: str | None, algorithm: str, **claims: Any) -> str:
    """A token with standard valid claims (overridable) signed with ``key``."""
    base = {
        "sub": "u1",
        "role": "staff",
        "tenant": "h1",
        "iss": "yanshen",
        "aud": "yanshen-api",
        "exp": int(time.time()) + 300,
    }
    headers = {"kid": kid} if kid else None
    return jwt.encode({**base, **claims}, key, algorithm=algorithm, headers=headers)


@contextmanager
def jwks_server(document: dict[str, Any]) -> Iterator[tuple[str, list[int]]]:
    """Serve ``document`` at ``http://127.0.0.1:<port>/jwks.json``; yields (url, hit counter)."""
    hits = [0]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits[0] += 1
            body = json.dumps(document).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json", hits
    finally:
        server.shutdown()
        server.server_close()
