"""Example FastAPI backend behind the auth gateway.

Run (from this directory):
    /usr/bin/python3 -m uvicorn main:app --port 8000 \\
        --proxy-headers --forwarded-allow-ips 127.0.0.1

Items live in SQLite at $ITEMS_DB (default: items.sqlite3 next to this file).
Each item belongs to the verified ``sub`` of the assertion that created it.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing, contextmanager
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, List, Optional

from fastapi import Depends, FastAPI, HTTPException, Path as PathParam, Response
from pydantic import BaseModel, Field

from gateway_auth import GatewayUser, current_user, optional_user

app = FastAPI(title="auth-gateway FastAPI example")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    owner      TEXT NOT NULL,
    title      TEXT NOT NULL,
    created_at TEXT NOT NULL
)
"""


@contextmanager
def db() -> Iterator[sqlite3.Connection]:
    """One connection per request, opened and closed in the same thread.

    Handlers are sync, so uvicorn runs them in a thread pool; sqlite3
    connections must not be shared across threads, and a fresh connection is
    cheap. The path is read per call so tests can point ITEMS_DB elsewhere.
    ``CREATE TABLE IF NOT EXISTS`` on each connection is the "create on
    start": it costs microseconds and needs no startup hook (whose API differs
    between FastAPI versions).
    """
    path = os.environ.get("ITEMS_DB") or str(Path(__file__).with_name("items.sqlite3"))
    with closing(sqlite3.connect(path, timeout=10)) as conn:
        conn.row_factory = sqlite3.Row
        with conn:  # commit on success, roll back on error
            conn.execute(_SCHEMA)
            yield conn


class ItemIn(BaseModel):
    title: str = Field(..., min_length=1, max_length=200)


class Item(BaseModel):
    id: int
    title: str
    created_at: str


@app.get("/api/me")
def me(user: GatewayUser = Depends(current_user)) -> dict:
    return asdict(user)


@app.get("/api/public")
def public(user: Optional[GatewayUser] = Depends(optional_user)) -> dict:
    if user is None:
        return {"message": "hello, anonymous", "user": None}
    return {"message": f"hello, {user.name or user.id}", "user": asdict(user)}


@app.get("/api/items", response_model=List[Item])
def list_items(user: GatewayUser = Depends(current_user)) -> list:
    with db() as conn:
        rows = conn.execute(
            "SELECT id, title, created_at FROM items WHERE owner = ? ORDER BY id",
            (user.id,),
        ).fetchall()
    return [dict(row) for row in rows]


# SQLite's INTEGER is 64-bit signed: a larger id is a bad request, not a 500.
_MAX_ID = 2**63 - 1


@app.post("/api/items", response_model=Item, status_code=201)
def create_item(body: ItemIn, user: GatewayUser = Depends(current_user)) -> dict:
    # JSON may carry a lone surrogate ("\ud800"), which is not text: SQLite
    # (and UTF-8) cannot store it.
    try:
        body.title.encode("utf-8")
    except UnicodeEncodeError:
        raise HTTPException(422, "title must be valid Unicode text") from None
    created_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with db() as conn:
        cur = conn.execute(
            "INSERT INTO items (owner, title, created_at) VALUES (?, ?, ?)",
            (user.id, body.title, created_at),
        )
        item_id = cur.lastrowid
    return {"id": item_id, "title": body.title, "created_at": created_at}


@app.delete("/api/items/{item_id}", status_code=204)
def delete_item(
    item_id: int = PathParam(..., ge=1, le=_MAX_ID), user: GatewayUser = Depends(current_user)
) -> Response:
    with db() as conn:
        cur = conn.execute(
            "DELETE FROM items WHERE id = ? AND owner = ?", (item_id, user.id)
        )
    # Someone else's item is "not found" too: a 403 would confirm it exists.
    if cur.rowcount == 0:
        raise HTTPException(404, "item not found")
    return Response(status_code=204)
