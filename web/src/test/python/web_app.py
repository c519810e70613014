"""The app the web layer's end-to-end tests serve (WebServerTest)."""
import asyncio
import time
from typing import Dict, List, Optional

import _covet_host

import covet
from covet import Covet, HTTPException, PerformanceConfig, Response, perf, setup_performance

app = Covet()
setup_performance(app, PerformanceConfig(enable_rust_compute=True))


@app.on_startup
def remember_start():
    app.state.started = True
    app.state.interpreter = _covet_host.interpreter_id()


@app.on_startup
async def async_hook():
    await asyncio.sleep(0)
    app.state.async_hook = True


@app.get("/items/{item_id}")
def get_item(item_id: int, q: Optional[str] = None, flag: bool = False):
    return {"item_id": item_id, "q": q, "flag": flag}


@app.get("/items/special")
def special():
    return {"special": True}


@app.put("/items/{item_id}")
def put_item(item_id: int, name: str, price: float):
    return {"item_id": item_id, "name": name, "price": price}


@app.patch("/items/{item_id}")
def patch_item(item_id: int, changes: dict):
    return {"item_id": item_id, "changes": changes}


@app.delete("/items/{item_id}")
def delete_item(item_id: int):
    return None


@app.get("/users/{name}/posts/{post_id}")
def user_post(name: str, post_id: int):
    return [name, post_id]


@app.post("/sum")
async def total(data: List[float]):
    return {"sum": await perf.sum_array(data), "count": len(data)}


@app.post("/array-sum")
async def array_total(data: covet.Array):
    doubled = data * 2
    return {"type": type(data).__name__, "dtype": data.dtype, "shape": list(data.shape),
            "sum": await perf.sum_array(data), "doubled_max": doubled.max()}


@app.post("/array-body")
def array_body(data: covet.Array, request):
    # The server parsed the numbers; the body's bytes are still there for a handler that reads them.
    return {"count": len(data), "type": type(request.body).__name__, "body": request.body.decode(),
            "json": request.json()}


@app.post("/scores")
def scores(scores: Dict[str, int], weight: float = 1.0):
    return {"total": sum(scores.values()) * weight}


@app.get("/tags")
def tags(tag: List[str]):
    return {"tags": tag}


@app.post("/raw")
def raw(request):
    return {"method": request.method, "path": request.path, "type": request.headers["Content-Type"],
            "length": len(request.body), "query": request.query, "json": request.json()}


@app.get("/async")
async def slow_async(ms: int = 10):
    await asyncio.sleep(ms / 1000)
    return {"slept_ms": ms}


@app.get("/text")
def text():
    return "plain text ✓"


@app.get("/bytes")
def raw_bytes():
    return b"\x00\x01\x02"


@app.get("/custom")
def custom():
    return Response("made", status=201, headers={"X-Covet": "yes"}, media_type="text/x-custom")


@app.get("/png")
def png():
    return Response(b"\x89PNG", headers={"Content-Type": "image/png"})


@app.get("/boom")
def boom():
    raise ValueError("kaput")


@app.get("/teapot")
def teapot():
    raise HTTPException(418, "short and stout", headers={"X-Pot": "1"})


@app.get("/nan")
def not_json():
    return {"x": float("nan")}


@app.get("/spin")
def spin():
    while True:
        pass


@app.get("/sleep")
def sleep(ms: int):
    time.sleep(ms / 1000)
    return {"slept_ms": ms, "interpreter": _covet_host.interpreter_id()}


@app.get("/state")
def state():
    return {"started": app.state.started, "async_hook": app.state.async_hook,
            "interpreter": _covet_host.interpreter_id(), "state_interpreter": app.state.interpreter}


@app.get("/union")
def union(page: int | None = None, tags: list[str] | None = None):
    return {"page": page, "tags": tags}


@app.get("/scale")
def scale(x: float):
    return {"x": x * 2}


@app.get("/in-task")
async def in_task():
    # asyncio.timeout needs a current Task: handlers run as one.
    async with asyncio.timeout(1):
        await asyncio.sleep(0.01)
    return {"task": asyncio.current_task() is not None}


@app.get("/files/{name}")
def files(**path_params):
    return path_params
