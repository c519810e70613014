"""Served by ResponseInjectionTest: handlers that put what a client sent into their response's
status and headers after the Response or HTTPException was built (so its own checks passed)."""
from typing import Optional

from covet import Covet, HTTPException, Response

app = Covet()


@app.get("/header")
def header(name: str, value: str):
    resp = Response("hello")
    resp.headers[name] = value
    return resp


@app.get("/after")
def after(media_type: Optional[str] = None, status: Optional[int] = None):
    resp = Response("x")
    if media_type is not None:
        resp.media_type = media_type
    if status is not None:
        resp.status = status
    return resp


@app.get("/error")
def error(reason: str):
    e = HTTPException(400, "bad request")
    e.headers['X-Reason'] = reason
    raise e
