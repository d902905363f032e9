"""gateway_auth through the real example app: every bad input is a 401."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.parse

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.rsa import generate_private_key

import gateway_auth
from conftest import FLOOR, SigningKey, b64url, claims, gateway_headers


def unsigned(header: dict, payload: dict) -> str:
    return ".".join(b64url(json.dumps(p).encode()) for p in (header, payload))


def hs256(payload: dict, secret: bytes, kid: str) -> str:
    """HS256 by hand: PyJWT refuses PEM-looking HMAC secrets, attackers don't."""
    signing_input = unsigned({"alg": "HS256", "kid": kid, "typ": "JWT"}, payload)
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(mac)}"


def assert_rejected(client, caplog, headers, reason, status=401):
    with caplog.at_level(logging.WARNING, logger="gateway_auth"):
        resp = client.get("/api/me", headers=headers)
    assert resp.status_code == status, resp.text
    assert resp.json() == {"detail": reason}
    if status == 401:
        assert "invalid_token" in resp.headers["WWW-Authenticate"]
    assert any(
        r.name == "gateway_auth" and r.levelno == logging.WARNING and reason in r.getMessage()
        for r in caplog.records
    ), caplog.records


def test_valid_assertion(client, as_user):
    resp = client.get("/api/me", headers=as_user("user-a"))
    assert resp.status_code == 200
    assert resp.json() == {
        "id": "user-a", "email": "user-a@example.test",
        "name": "Name user-a", "session_id": "sess-1",
    }


def test_identity_comes_from_claims_not_plain_headers(client, as_user):
    headers = as_user("user-a")
    headers["X-User-Email"] = "admin@example.test"
    headers["X-User-Name"] = "Admin"
    assert client.get("/api/me", headers=headers).json()["email"] == "user-a@example.test"


def test_missing_assertion(client, caplog):
    assert_rejected(client, caplog, {"X-User-Id": "user-a"}, "missing assertion")


@pytest.mark.parametrize("token", [
    "garbage", "a.b.c", "a.b", "....",
    unsigned({"alg": "EdDSA", "kid": "key-1"}, {"sub": "x"}) + ".a",
    b64url(b"[1]") + "." + b64url(b"{}") + ".sig",
])
def test_malformed(client, caplog, token):
    assert_rejected(client, caplog, gateway_headers(token, "user-a"), "malformed assertion")


def test_payload_not_json(client, caplog, key):
    header = b64url(json.dumps({"alg": "EdDSA", "kid": key.kid}).encode())
    signing_input = f"{header}.{b64url(b'not json')}"
    sig = key.private.sign(signing_input.encode())
    token = f"{signing_input}.{b64url(sig)}"
    assert_rejected(client, caplog, gateway_headers(token, "user-a"), "malformed assertion")


def test_expired(client, caplog, key):
    now = int(time.time())
    token = key.sign(claims(iat=now - 400, exp=now - 100))
    assert_rejected(client, caplog, gateway_headers(token, "user-a"), "assertion expired")


def test_not_yet_valid(client, caplog, key):
    now = int(time.time())
    token = key.sign(claims(iat=now + 400, exp=now + 700))
    assert_rejected(client, caplog, gateway_headers(token, "user-a"), "assertion not yet valid")


def test_gateway_clock_minutes_ahead_is_accepted(client, key):
    # The gateway's key schedule allows 5 minutes of skew; so does the verifier.
    now = int(time.time())
    token = key.sign(claims(iat=now + 120, exp=now + 420))
    assert client.get("/api/me", headers=gateway_headers(token, "user-a")).status_code == 200


def test_lifetime_over_an_hour_is_rejected(client, caplog, key):
    # Nothing the gateway mints lives longer (ASSERTION_TTL_SECONDS ≤ 3600).
    now = int(time.time())
    token = key.sign(claims(iat=now, exp=now + 365 * 24 * 3600))
    assert_rejected(client, caplog, gateway_headers(token, "user-a"), "assertion lifetime too long")


def test_wrong_signature_same_kid(client, caplog):
    impostor = SigningKey("key-1")
    token = impostor.sign(claims())
    assert_rejected(client, caplog, gateway_headers(token, "user-a"), "bad signature")


def test_wrong_audience(client, caplog, key):
    token = key.sign(claims(aud="http://other.test"))
    assert_rejected(client, caplog, gateway_headers(token, "user-a"), "wrong audience")


def test_wrong_issuer(client, caplog, key):
    token = key.sign(claims(iss="http://evil.test"))
    assert_rejected(client, caplog, gateway_headers(token, "user-a"), "wrong issuer")


@pytest.mark.parametrize("claim", ["exp", "iat", "iss", "aud", "sub"])
def test_missing_required_claim(client, caplog, key, claim):
    token = key.sign(claims(**{claim: None}))
    assert_rejected(client, caplog, gateway_headers(token, "user-a"), f"missing claim: {claim}")


@pytest.mark.parametrize("bad", [{"exp": "soon"}, {"exp": None}, {"iat": [1]}, {"sub": 42}])
def test_wrongly_typed_claims_are_401_not_500(client, key, bad):
    payload = claims()
    payload.update(bad)
    token = key.sign(payload)
    resp = client.get("/api/me", headers=gateway_headers(token, "user-a"))
    assert resp.status_code == 401, resp.text


def test_alg_none(client, caplog):
    for alg in ("none", "None", "NONE"):
        token = unsigned({"alg": alg, "kid": "key-1", "typ": "JWT"}, claims()) + "."
        assert_rejected(client, caplog, gateway_headers(token, "user-a"), "unsupported algorithm")


@pytest.mark.parametrize("which", ["raw", "pem", "x"])
def test_hs256_with_public_key_as_secret(client, caplog, key, which):
    secret = {"raw": key.raw_public, "pem": key.pem_public, "x": key.jwk()["x"].encode()}[which]
    token = hs256(claims(), secret, key.kid)
    assert_rejected(client, caplog, gateway_headers(token, "user-a"), "unsupported algorithm")


def test_rs256(client, caplog, key):
    rsa = generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(claims(), rsa, algorithm="RS256", headers={"kid": key.kid})
    assert_rejected(client, caplog, gateway_headers(token, "user-a"), "unsupported algorithm")


def test_missing_kid(client, caplog, key):
    token = jwt.encode(claims(), key.private, algorithm="EdDSA")
    assert_rejected(client, caplog, gateway_headers(token, "user-a"), "missing key id")


def test_unknown_kid(client, caplog):
    token = SigningKey("nobody-knows").sign(claims())
    assert_rejected(client, caplog, gateway_headers(token, "user-a"), "unknown key")


def test_sub_mismatch(client, caplog, key):
    token = key.sign(claims("user-a"))
    assert_rejected(client, caplog, gateway_headers(token, "user-b"),
                    "subject does not match X-User-Id")


def test_missing_user_id_header(client, caplog, key):
    token = key.sign(claims("user-a"))
    assert_rejected(client, caplog, gateway_headers(token, None), "missing X-User-Id")


# --- leeway ---------------------------------------------------------------

def test_expired_within_leeway_passes(client, key):
    now = int(time.time())
    token = key.sign(claims(iat=now - 305, exp=now - 3))
    assert client.get("/api/me", headers=gateway_headers(token, "user-a")).status_code == 200


def test_expired_beyond_leeway_fails(client, key):
    now = int(time.time())
    token = key.sign(claims(iat=now - 330, exp=now - 30))
    resp = client.get("/api/me", headers=gateway_headers(token, "user-a"))
    assert resp.status_code == 401 and resp.json() == {"detail": "assertion expired"}


# --- JWKS cache -------------------------------------------------------------

def test_many_requests_one_fetch(client, as_user, jwks_server):
    for _ in range(20):
        assert client.get("/api/me", headers=as_user()).status_code == 200
    assert jwks_server.fetches == 1


@pytest.mark.parametrize("cache_control,max_age", [
    ("public, max-age=60", 60),  # the gateway's header is honoured
    (None, 300),  # no header: the fallback
])
def test_jwks_kept_for_max_age(client, as_user, jwks_server, clock, cache_control, max_age):
    jwks_server.cache_control = cache_control
    client.get("/api/me", headers=as_user())
    clock.advance(max_age - 1)
    client.get("/api/me", headers=as_user())
    assert jwks_server.fetches == 1
    clock.advance(2)
    client.get("/api/me", headers=as_user())
    assert jwks_server.fetches == 2


def test_unknown_kid_refreshes_once_then_floor(client, as_user, jwks_server, clock):
    assert client.get("/api/me", headers=as_user()).status_code == 200
    assert jwks_server.fetches == 1
    for i in range(10):  # a flood of random kids
        token = SigningKey(f"random-{i}").sign(claims())
        resp = client.get("/api/me", headers=gateway_headers(token, "user-a"))
        assert resp.status_code == 401 and resp.json() == {"detail": "unknown key"}
        clock.advance(1)
    assert jwks_server.fetches == 2  # one refresh for the first unknown kid only
    clock.advance(FLOOR)
    token = SigningKey("random-late").sign(claims())
    client.get("/api/me", headers=gateway_headers(token, "user-a"))
    assert jwks_server.fetches == 3


def test_unknown_kid_on_first_request_fetches_once(client, jwks_server):
    token = SigningKey("random").sign(claims())
    assert client.get("/api/me", headers=gateway_headers(token, "user-a")).status_code == 401
    assert jwks_server.fetches == 1


def test_rotation(client, as_user, jwks_server, key):
    assert client.get("/api/me", headers=as_user()).status_code == 200
    new_key = SigningKey("key-2")
    jwks_server.keys = [key, new_key]  # the gateway lists both during rotation
    token = new_key.sign(claims())
    assert client.get("/api/me", headers=gateway_headers(token, "user-a")).status_code == 200
    assert jwks_server.fetches == 2
    # Old and new tokens both verify from the refreshed set, no more fetches.
    assert client.get("/api/me", headers=as_user()).status_code == 200
    assert client.get("/api/me", headers=gateway_headers(token, "user-a")).status_code == 200
    assert jwks_server.fetches == 2


def test_retired_key_is_dropped_after_refresh(client, as_user, jwks_server, key, clock):
    assert client.get("/api/me", headers=as_user()).status_code == 200
    jwks_server.keys = [SigningKey("key-2")]
    clock.advance(301)
    resp = client.get("/api/me", headers=as_user())
    assert resp.status_code == 401 and resp.json() == {"detail": "unknown key"}


def test_jwks_down_with_cached_set_still_verifies(client, as_user, jwks_server, clock, caplog):
    assert client.get("/api/me", headers=as_user()).status_code == 200
    jwks_server.fail = True
    clock.advance(301)  # cache expired: a refresh is attempted and fails
    with caplog.at_level(logging.WARNING, logger="gateway_auth"):
        assert client.get("/api/me", headers=as_user()).status_code == 200
    assert jwks_server.fetches == 2
    assert any("keeping cached keys" in r.getMessage() for r in caplog.records)
    # A failing gateway is retried at most once per floor, not per request.
    for _ in range(5):
        assert client.get("/api/me", headers=as_user()).status_code == 200
    assert jwks_server.fetches == 2
    jwks_server.stop()  # now connection refused
    clock.advance(FLOOR)
    assert client.get("/api/me", headers=as_user()).status_code == 200


def test_jwks_down_without_set_is_503(client, as_user, jwks_server, caplog):
    jwks_server.stop()
    assert_rejected(client, caplog, as_user(), "gateway keys unavailable", status=503)


def test_jwks_without_usable_keys_is_503(client, as_user, jwks_server, caplog):
    jwks_server.keys = []
    assert_rejected(client, caplog, as_user(), "gateway keys unavailable", status=503)


# --- optional_user ------------------------------------------------------------

def test_optional_user_anonymous(client):
    resp = client.get("/api/public")
    assert resp.status_code == 200
    assert resp.json() == {"message": "hello, anonymous", "user": None}


def test_optional_user_ignores_plain_headers_without_assertion(client):
    resp = client.get("/api/public", headers={"X-User-Id": "user-a", "X-User-Name": "Mallory"})
    assert resp.json()["user"] is None


def test_optional_user_signed_in(client, as_user):
    resp = client.get("/api/public", headers=as_user("user-a"))
    assert resp.status_code == 200
    assert resp.json()["message"] == "hello, Name user-a"
    assert resp.json()["user"]["id"] == "user-a"


def test_optional_user_invalid_assertion_is_401(client, caplog):
    token = SigningKey("key-1").sign(claims())  # forged: same kid, other key
    with caplog.at_level(logging.WARNING, logger="gateway_auth"):
        resp = client.get("/api/public", headers=gateway_headers(token, "user-a"))
    assert resp.status_code == 401 and resp.json() == {"detail": "bad signature"}
    assert caplog.records


# --- percent-encoded identity ---------------------------------------------------

@pytest.mark.parametrize("sub,name", [
    ("zoë-1", "Zoë"), ("山田-42", "山田 太郎"), ("100% real", " padded "), ("tab\there", "a\nb"),
])
def test_percent_encoded_identity_round_trips(client, key, sub, name):
    token = key.sign(claims(sub, name=name, email="zoë@例え.test"))
    headers = gateway_headers(token, sub)
    headers["X-User-Name"] = urllib.parse.quote(name, safe="")
    resp = client.get("/api/me", headers=headers)
    assert resp.status_code == 200, resp.text
    assert resp.json()["id"] == sub
    assert resp.json()["name"] == name
    assert resp.json()["email"] == "zoë@例え.test"


def test_gateway_style_partial_encoding(client, key):
    """The gateway leaves printable ASCII as is; unquote still round-trips."""
    sub = "a b+c/d?é"
    token = key.sign(claims(sub))
    headers = {"X-User-Assertion": token, "X-User-Id": "a b+c/d?%C3%A9"}
    assert client.get("/api/me", headers=headers).json()["id"] == sub


# --- configuration -------------------------------------------------------------

def test_get_verifier_reads_env(monkeypatch):
    monkeypatch.setattr(gateway_auth, "_default_verifier", None)
    monkeypatch.setenv("GATEWAY_JWKS_URL", "http://127.0.0.1:9/jwks.json")
    monkeypatch.setenv("GATEWAY_ISSUER", "https://docs.example.com")
    monkeypatch.delenv("GATEWAY_AUDIENCE", raising=False)
    v = gateway_auth.get_verifier()
    assert (v.jwks.url, v.issuer, v.audience) == (
        "http://127.0.0.1:9/jwks.json", "https://docs.example.com", "https://docs.example.com")
    assert gateway_auth.get_verifier() is v


def test_get_verifier_defaults(monkeypatch):
    monkeypatch.setattr(gateway_auth, "_default_verifier", None)
    for name in ("GATEWAY_JWKS_URL", "GATEWAY_ISSUER", "GATEWAY_AUDIENCE"):
        monkeypatch.delenv(name, raising=False)
    v = gateway_auth.get_verifier()
    assert v.jwks.url == "http://127.0.0.1:3001/.well-known/jwks.json"
    assert v.issuer == v.audience == "http://localhost:3001"
