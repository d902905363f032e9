"""Fixtures: a real JWKS HTTP server, Ed25519 keys, a token minter, a client."""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Optional

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi.testclient import TestClient

import gateway_auth
import main

ISSUER = "http://gateway.test"
AUDIENCE = "http://gateway.test"
FLOOR = 30.0
LEEWAY = 10.0


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class SigningKey:
    """An Ed25519 key pair plus its kid, able to publish and sign."""

    def __init__(self, kid: str):
        self.kid = kid
        self.private = Ed25519PrivateKey.generate()
        self.public = self.private.public_key()
        self.raw_public = self.public.public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.pem_public = self.public.public_bytes(
            Encoding.PEM, PublicFormat.SubjectPublicKeyInfo
        )

    def jwk(self) -> dict:
        return {
            "kty": "OKP", "crv": "Ed25519", "x": b64url(self.raw_public),
            "kid": self.kid, "alg": "EdDSA", "use": "sig",
        }

    def sign(self, claims: dict, kid: Optional[str] = None) -> str:
        return jwt.encode(
            claims, self.private, algorithm="EdDSA",
            headers={"kid": self.kid if kid is None else kid, "typ": "JWT"},
        )


class JwksServer:
    """Stdlib HTTP server on an ephemeral port serving ``keys``; counts GETs."""

    def __init__(self, keys):
        self.keys = list(keys)
        self.fetches = 0
        self.fail = False  # answer 503 instead of the key set
        self.cache_control: Optional[str] = "public, max-age=300"
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.fetches += 1
                if outer.fail:
                    self.send_error(503)
                    return
                body = json.dumps({"keys": [k.jwk() for k in outer.keys]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                if outer.cache_control:
                    self.send_header("Cache-Control", outer.cache_control)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/.well-known/jwks.json"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class FakeClock:
    """Monotonic clock for the JWKS cache; JWT times stay real."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float):
        self.now += seconds


@pytest.fixture
def key():
    return SigningKey("key-1")


@pytest.fixture
def jwks_server(key):
    server = JwksServer([key])
    yield server
    server.stop()


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def verifier(jwks_server, clock):
    return gateway_auth.GatewayVerifier(
        jwks_server.url, ISSUER, AUDIENCE,
        leeway=LEEWAY, refresh_floor_seconds=FLOOR, clock=clock, timeout=2,
    )


@pytest.fixture
def client(verifier, tmp_path, monkeypatch):
    """The real example app, with ITEMS_DB in tmp_path and our verifier."""
    monkeypatch.setenv("ITEMS_DB", str(tmp_path / "items.sqlite3"))
    main.app.dependency_overrides[gateway_auth.get_verifier] = lambda: verifier
    yield TestClient(main.app, raise_server_exceptions=False)
    main.app.dependency_overrides.clear()


def claims(sub="user-a", **overrides) -> dict:
    now = int(time.time())
    base = {
        "iss": ISSUER, "aud": AUDIENCE, "sub": sub,
        "email": f"{sub}@example.test", "name": f"Name {sub}", "sid": "sess-1",
        "iat": now, "exp": now + 300,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def gateway_headers(token: str, user_id: Optional[str]) -> dict:
    """What the gateway sends: percent-encoded X-User-Id and the assertion."""
    headers = {"X-User-Assertion": token}
    if user_id is not None:
        headers["X-User-Id"] = urllib.parse.quote(user_id, safe="")
    return headers


@pytest.fixture
def as_user(key):
    """Headers for a valid request as ``sub``."""
    def make(sub="user-a", **overrides):
        return gateway_headers(key.sign(claims(sub, **overrides)), sub)
    return make
