"""Verify the identity that the auth gateway injects into proxied requests.

Copy this one file into a FastAPI service that sits behind the gateway.

What the gateway sends on every proxied request with a valid session
--------------------------------------------------------------------
``X-User-Id``, ``X-User-Email``, ``X-User-Name``
    Percent-encoded where needed (non-ASCII as UTF-8, control characters,
    ``%`` and leading/trailing spaces), so ``urllib.parse.unquote`` restores
    the original. Convenient, but only as trustworthy as the network path.

``X-User-Assertion``
    A compact JWS signed with Ed25519. Header
    ``{"alg": "EdDSA", "kid": "<kid>", "typ": "JWT"}``; claims ``iss``
    (gateway PUBLIC_URL), ``aud`` (string, defaults to iss), ``sub`` (user
    id), ``email``, ``name``, ``sid`` (session id), ``iat``, ``exp``
    (about five minutes after iat). The public keys are served at the
    gateway's ``/.well-known/jwks.json`` with ``Cache-Control: max-age=300``;
    during a key rotation it lists two keys.

Anonymous requests carry none of these headers: the gateway strips any copy
a client sends.

What this module gives you
--------------------------
``current_user``
    FastAPI dependency returning a :class:`GatewayUser`, or raising
    ``HTTPException(401)`` with a short reason (``{"detail": "assertion
    expired"}``) and a ``WWW-Authenticate`` header. ``503`` if the gateway's
    keys have never been fetchable. Never a 500.
``optional_user``
    Same, but ``None`` when the request carries no assertion at all.
``GatewayVerifier``
    The verifier behind both, for explicit construction (tests, several
    gateways). The dependencies use :func:`get_verifier`, which builds one
    from the environment on first use; override it with
    ``app.dependency_overrides[get_verifier] = lambda: my_verifier``.

Configuration (environment, read on first request)
    ``GATEWAY_JWKS_URL``  default ``http://127.0.0.1:3001/.well-known/jwks.json``
    ``GATEWAY_ISSUER``    default ``http://localhost:3001``
    ``GATEWAY_AUDIENCE``  default: the issuer

Reasons in 401 bodies: missing assertion, malformed assertion, unsupported
algorithm, missing key id, unknown key, bad signature, assertion expired,
assertion not yet valid, assertion lifetime too long, wrong audience, wrong
issuer, missing claim: <name>, missing X-User-Id, subject does not match
X-User-Id.

Ideas borrowed from Pomerium (the signed ``X-Pomerium-Jwt-Assertion`` header
next to plain identity headers, verified against the proxy's JWKS) and Ory
Oathkeeper (the ``id_token`` mutator, which turns a session into a short-lived
signed JWT for the upstream).
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Callable, Dict, Optional

import jwt
from fastapi import Depends, HTTPException, Request

logger = logging.getLogger("gateway_auth")

ASSERTION_HEADER = "X-User-Assertion"
USER_ID_HEADER = "X-User-Id"
ALGORITHM = "EdDSA"

DEFAULT_JWKS_URL = "http://127.0.0.1:3001/.well-known/jwks.json"
DEFAULT_ISSUER = "http://localhost:3001"

# Body size cap for the JWKS response: a handful of Ed25519 keys is < 1 KiB.
_MAX_JWKS_BYTES = 64 * 1024
# With no key set at all, every request is a 503 anyway; retry the fetch at
# most this often so a hung gateway does not queue every request on the lock.
_EMPTY_RETRY_SECONDS = 1.0
_MAX_AGE_RE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class GatewayUser:
    """The verified caller. Every field comes from the signed claims."""

    id: str
    email: Optional[str]
    name: Optional[str]
    session_id: Optional[str]


class GatewayAuthError(Exception):
    """A rejected request: ``reason`` is safe to show the client."""

    def __init__(self, reason: str, status_code: int = 401):
        super().__init__(reason)
        self.reason = reason
        self.status_code = status_code


class JwksCache:
    """The gateway's public keys, fetched with urllib and parsed by PyJWT.

    Not ``jwt.PyJWKClient``: it refetches the JWKS on every unknown ``kid``,
    so anyone who can reach the backend can make it hit the gateway once per
    request with random kids. Here an unknown kid triggers at most one
    refresh per ``refresh_floor_seconds``.

    - A fetched set is kept for the response's ``Cache-Control: max-age``
      (``fallback_max_age`` without one).
    - A failed fetch keeps the cached set; with no set at all, ``get_key``
      raises a 503 ``GatewayAuthError``.
    - Thread-safe: FastAPI runs sync dependencies in a thread pool. The lock
      is held during the fetch on purpose, so concurrent requests wait for
      one fetch instead of each starting their own.
    """

    def __init__(
        self,
        url: str,
        *,
        refresh_floor_seconds: float = 30.0,
        fallback_max_age: float = 300.0,
        timeout: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.url = url
        self.refresh_floor = refresh_floor_seconds
        self.fallback_max_age = fallback_max_age
        self.timeout = timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: Optional[Dict[str, jwt.PyJWK]] = None
        self._expires_at = float("-inf")
        self._last_attempt = float("-inf")
        self._last_miss_refresh = float("-inf")

    def get_key(self, kid: str) -> jwt.PyJWK:
        with self._lock:
            now = self._clock()
            attempted = False
            if self._keys is None or now >= self._expires_at:
                retry_after = _EMPTY_RETRY_SECONDS if self._keys is None else self.refresh_floor
                if now - self._last_attempt >= retry_after:
                    attempted = True
                    self._refresh(now)
            if self._keys is None:
                raise GatewayAuthError("gateway keys unavailable", 503)

            key = self._keys.get(kid)
            # Unknown kid: maybe the gateway rotated. Refresh once, unless we
            # just did or an unknown kid already caused a refresh recently.
            since_miss = now - self._last_miss_refresh
            if key is None and not attempted and since_miss >= self.refresh_floor:
                self._last_miss_refresh = now
                self._refresh(now)
                key = self._keys.get(kid)
            if key is None:
                raise GatewayAuthError("unknown key")
            return key

    def _refresh(self, now: float) -> None:
        """Fetch the JWKS; on any failure keep what we have. Lock held."""
        self._last_attempt = now
        try:
            with urllib.request.urlopen(self.url, timeout=self.timeout) as resp:
                body = resp.read(_MAX_JWKS_BYTES + 1)
                cache_control = resp.headers.get("Cache-Control", "")
            if len(body) > _MAX_JWKS_BYTES:
                raise ValueError("JWKS response too large")
            keys = _parse_jwks(json.loads(body))
        except Exception as exc:  # network, HTTP status, JSON, no usable key
            logger.warning(
                "JWKS fetch from %s failed (%s); %s",
                self.url,
                exc,
                "keeping cached keys" if self._keys is not None else "no keys yet",
            )
            return
        self._keys = keys
        match = _MAX_AGE_RE.search(cache_control)
        max_age = float(match.group(1)) if match else self.fallback_max_age
        self._expires_at = now + max_age


def _parse_jwks(document: object) -> Dict[str, jwt.PyJWK]:
    """Keep only Ed25519 signing keys with a kid; skip anything else."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("not a JWKS document")
    keys: Dict[str, jwt.PyJWK] = {}
    for jwk in document["keys"]:
        if not isinstance(jwk, dict) or not isinstance(jwk.get("kid"), str):
            continue
        if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
            continue
        if jwk.get("alg", ALGORITHM) != ALGORITHM or jwk.get("use", "sig") != "sig":
            continue
        try:
            keys[jwk["kid"]] = jwt.PyJWK(jwk, algorithm=ALGORITHM)
        except jwt.PyJWTError:
            continue
    if not keys:
        raise ValueError("no usable Ed25519 key")
    return keys


class GatewayVerifier:
    """Checks ``X-User-Assertion`` against the gateway's JWKS.

    ``leeway`` (seconds) absorbs clock skew between gateway and backend for
    ``exp``; keep it small, it extends a replay window.
    ``max_clock_skew`` (seconds): how far ahead of this machine the gateway's
    clock may run before an ``iat`` counts as "not yet valid". It matches
    the gateway's own assumption (its key schedule allows 5 minutes); ``exp``
    alone bounds how long an assertion is accepted.
    ``max_lifetime`` (seconds): the longest ``exp - iat`` accepted; the
    gateway allows at most an hour, so anything longer was not minted by it.
    ``clock`` (monotonic) drives only the JWKS cache; tests replace it.
    """

    def __init__(
        self,
        jwks_url: str = DEFAULT_JWKS_URL,
        issuer: str = DEFAULT_ISSUER,
        audience: Optional[str] = None,
        *,
        leeway: float = 10.0,
        max_clock_skew: float = 300.0,
        max_lifetime: float = 3600.0,
        refresh_floor_seconds: float = 30.0,
        fallback_max_age: float = 300.0,
        timeout: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.issuer = issuer
        self.audience = audience or issuer
        self.leeway = leeway
        self.max_clock_skew = max_clock_skew
        self.max_lifetime = max_lifetime
        self.jwks = JwksCache(
            jwks_url,
            refresh_floor_seconds=refresh_floor_seconds,
            fallback_max_age=fallback_max_age,
            timeout=timeout,
            clock=clock,
        )

    def verify(self, assertion: Optional[str], user_id_header: Optional[str]) -> GatewayUser:
        """Return the user, or raise :class:`GatewayAuthError`."""
        if not assertion:
            raise GatewayAuthError("missing assertion")
        try:
            header = jwt.get_unverified_header(assertion)
        except jwt.PyJWTError:
            raise GatewayAuthError("malformed assertion") from None
        # Pin the algorithm before touching keys: this is what defeats
        # "alg: none" and HS256 signed with the public key as HMAC secret.
        if header.get("alg") != ALGORITHM:
            raise GatewayAuthError("unsupported algorithm")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise GatewayAuthError("missing key id")
        key = self.jwks.get_key(kid)
        claims = self._decode(assertion, key)

        sub = claims["sub"]
        if not isinstance(sub, str):
            raise GatewayAuthError("malformed assertion")
        # The plain header must describe the same user, otherwise some hop
        # between gateway and backend rewrote one of them.
        if user_id_header is None:
            raise GatewayAuthError("missing X-User-Id")
        if urllib.parse.unquote(user_id_header) != sub:
            raise GatewayAuthError("subject does not match X-User-Id")
        return GatewayUser(
            id=sub,
            email=_str_or_none(claims.get("email")),
            name=_str_or_none(claims.get("name")),
            session_id=_str_or_none(claims.get("sid")),
        )

    def _decode(self, assertion: str, key: jwt.PyJWK) -> dict:
        try:
            claims = jwt.decode(
                assertion,
                key.key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                # iat is checked below against max_clock_skew, not the leeway:
                # PyJWT would refuse every assertion from a gateway whose
                # clock runs more than `leeway` ahead of this one.
                options={"require": ["exp", "iat", "iss", "aud", "sub"], "verify_iat": False},
            )
        except jwt.ExpiredSignatureError:
            reason = "assertion expired"
        except jwt.ImmatureSignatureError:
            reason = "assertion not yet valid"
        except jwt.InvalidAudienceError:
            reason = "wrong audience"
        except jwt.InvalidIssuerError:
            reason = "wrong issuer"
        except jwt.MissingRequiredClaimError as exc:
            reason = f"missing claim: {exc.claim}"
        except jwt.InvalidSignatureError:
            reason = "bad signature"
        except Exception:
            # Any other PyJWT error, and the odd TypeError a claim of the
            # wrong JSON type can raise inside PyJWT: a 401, never a 500.
            reason = "malformed assertion"
        else:
            iat, exp = claims["iat"], claims["exp"]
            if not _is_number(iat) or not _is_number(exp):
                reason = "malformed assertion"
            elif iat > time.time() + self.max_clock_skew:
                reason = "assertion not yet valid"
            elif exp - iat > self.max_lifetime:
                reason = "assertion lifetime too long"
            else:
                return claims
        raise GatewayAuthError(reason)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _str_or_none(value: object) -> Optional[str]:
    return value if isinstance(value, str) else None


_default_verifier: Optional[GatewayVerifier] = None
_default_lock = threading.Lock()


def get_verifier() -> GatewayVerifier:
    """The process-wide verifier, built from ``GATEWAY_*`` env on first use."""
    global _default_verifier
    with _default_lock:
        if _default_verifier is None:
            issuer = os.environ.get("GATEWAY_ISSUER") or DEFAULT_ISSUER
            _default_verifier = GatewayVerifier(
                jwks_url=os.environ.get("GATEWAY_JWKS_URL") or DEFAULT_JWKS_URL,
                issuer=issuer,
                audience=os.environ.get("GATEWAY_AUDIENCE") or issuer,
            )
        return _default_verifier


def _reject(request: Request, error: GatewayAuthError) -> HTTPException:
    logger.warning(
        "rejected %s %s: %s", request.method, request.url.path, error.reason
    )
    if error.status_code == 401:
        challenge = f'GatewayAssertion error="invalid_token", error_description="{error.reason}"'
        return HTTPException(401, error.reason, headers={"WWW-Authenticate": challenge})
    return HTTPException(error.status_code, error.reason)


# Both dependencies are plain `def` on purpose: a JWKS fetch blocks, and
# FastAPI runs sync dependencies in its thread pool, off the event loop.
def current_user(
    request: Request, verifier: GatewayVerifier = Depends(get_verifier)
) -> GatewayUser:
    """The verified user; 401 (or 503) otherwise."""
    try:
        return verifier.verify(
            request.headers.get(ASSERTION_HEADER), request.headers.get(USER_ID_HEADER)
        )
    except GatewayAuthError as error:
        raise _reject(request, error) from None


def optional_user(
    request: Request, verifier: GatewayVerifier = Depends(get_verifier)
) -> Optional[GatewayUser]:
    """The verified user, or None when the request carries no assertion.

    A present but invalid assertion is still a 401. The gateway strips
    client-sent identity headers, so an invalid one means something between
    gateway and backend is broken or someone is forging: quietly serving the
    anonymous view would hide the attack and the misconfiguration, and an
    expired assertion would turn a signed-in user anonymous without telling
    anyone. Plain X-User-* headers without an assertion are ignored.
    """
    if not request.headers.get(ASSERTION_HEADER):
        return None
    return current_user(request, verifier)
