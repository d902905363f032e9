"""The example app's items API, and the app under a real uvicorn."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import AUDIENCE, ISSUER, claims, gateway_headers


def test_create_list_delete(client, as_user):
    a = as_user("user-a")
    resp = client.post("/api/items", json={"title": "buy milk"}, headers=a)
    assert resp.status_code == 201
    item = resp.json()
    assert item["title"] == "buy milk" and isinstance(item["id"], int) and item["created_at"]
    assert set(item) == {"id", "title", "created_at"}

    assert client.get("/api/items", headers=a).json() == [item]
    resp = client.delete(f"/api/items/{item['id']}", headers=a)
    assert resp.status_code == 204 and resp.content == b""
    assert client.get("/api/items", headers=a).json() == []
    assert client.delete(f"/api/items/{item['id']}", headers=a).status_code == 404


def test_other_users_items_are_invisible(client, as_user):
    a, b = as_user("user-a"), as_user("user-b")
    item = client.post("/api/items", json={"title": "a's secret"}, headers=a).json()
    assert client.get("/api/items", headers=b).json() == []
    resp = client.delete(f"/api/items/{item['id']}", headers=b)
    assert resp.status_code == 404
    # Same answer as for an id that never existed: nothing is revealed.
    assert resp.json() == client.delete("/api/items/999999", headers=b).json()
    assert client.get("/api/items", headers=a).json() == [item]


@pytest.mark.parametrize("body", [
    {"title": ""}, {"title": "x" * 201}, {}, {"title": None}, {"name": "x"},
])
def test_validation(client, as_user, body):
    assert client.post("/api/items", json=body, headers=as_user()).status_code == 422


def test_not_text_title_is_422(client, as_user):
    # A lone surrogate parses as JSON but is not Unicode text.
    resp = client.post(
        "/api/items",
        content=b'{"title": "a\\ud800b"}',
        headers={**as_user(), "content-type": "application/json"},
    )
    assert resp.status_code == 422
    assert resp.json() == {"detail": "title must be valid Unicode text"}


@pytest.mark.parametrize("item_id", ["99999999999999999999", "0", "-1", "abc"])
def test_out_of_range_ids_are_422(client, as_user, item_id):
    assert client.delete(f"/api/items/{item_id}", headers=as_user()).status_code == 422


def test_title_limits_accepted(client, as_user):
    for title in ("x", "x" * 200, "山田のメモ"):
        resp = client.post("/api/items", json={"title": title}, headers=as_user())
        assert resp.status_code == 201 and resp.json()["title"] == title


def test_items_need_a_user(client):
    assert client.get("/api/items").status_code == 401
    assert client.post("/api/items", json={"title": "x"}).status_code == 401
    assert client.delete("/api/items/1").status_code == 401


def test_non_ascii_owner(client, key):
    sub = "山田-42"
    headers = gateway_headers(key.sign(claims(sub)), sub)
    item = client.post("/api/items", json={"title": "t"}, headers=headers).json()
    assert client.get("/api/items", headers=headers).json() == [item]


# --- under uvicorn, as documented ----------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _call(method, url, headers, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    if data:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def test_under_uvicorn_concurrently(jwks_server, key, tmp_path):
    port = _free_port()
    env = dict(
        os.environ, ITEMS_DB=str(tmp_path / "items.sqlite3"),
        GATEWAY_JWKS_URL=jwks_server.url, GATEWAY_ISSUER=ISSUER, GATEWAY_AUDIENCE=AUDIENCE,
    )
    log = open(tmp_path / "uvicorn.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "main:app", "--port", str(port),
         "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1"],
        cwd=Path(__file__).resolve().parent.parent, env=env,
        stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("uvicorn did not start: " + (tmp_path / "uvicorn.log").read_text())

        users = [f"user-{i}" for i in range(4)]
        headers = {u: gateway_headers(key.sign(claims(u)), u) for u in users}

        def work(n):
            user = users[n % len(users)]
            return _call("POST", f"{base}/api/items", headers[user], {"title": f"item {n}"})

        with ThreadPoolExecutor(max_workers=16) as pool:
            results = list(pool.map(work, range(40)))
        assert [status for status, _ in results] == [201] * 40
        assert jwks_server.fetches == 1  # concurrent first requests share one fetch

        for user in users:
            status, body = _call("GET", f"{base}/api/items", headers[user])
            assert status == 200 and len(json.loads(body)) == 10
        status, body = _call("GET", f"{base}/api/public", {})
        assert status == 200 and json.loads(body)["user"] is None
        status, body = _call("GET", f"{base}/api/me", {"X-User-Id": "user-0"})
        assert status == 401 and json.loads(body) == {"detail": "missing assertion"}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()
