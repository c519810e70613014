"""ADR-007's CovetPy example app, served on every core by:

    ./covet run examples/app.py

Try it (in another terminal):

    curl -s -X POST localhost:8000/compute/sum -H 'content-type: application/json' -d '[1.5, 2.5, 3]'
    curl -s -X POST localhost:8000/compute/parallel-process -d '[{"value": 1}, {"value": 2}, {"value": 3}]'
    curl -s 'localhost:8000/io/fetch-data?urls=/healthz&urls=/items/7?q=covet'
    curl -s localhost:8000/fib/20
    curl -s localhost:8000/metrics | grep http_server_requests

The ADR's code with two changes: numpy gives way to covet.Array (/compute/sum's JSON body is
parsed in Java straight into Java memory and summed there by the compute engine: no Python float
is made), and the function parallel_map runs is defined at module level, because other
interpreters import it by name (a closure can't cross, as with multiprocessing).
"""
import asyncio
import time
from typing import List, Optional

from covet import Array, Covet, HTTPException, PerformanceConfig, http, perf, setup_performance

app = Covet()
# The app's own settings; command-line flags (--interpreters N ...) still win over these.
setup_performance(app, PerformanceConfig(enable_rust_compute=True))


@app.on_startup
def started():
    # Runs once in every interpreter before it serves; app.state is per interpreter.
    app.state.started_at = time.time()


@app.get("/")
def index():
    return {"app": "covet example", "endpoints": ["POST /compute/sum", "POST /compute/parallel-process",
                                                  "GET /io/fetch-data?urls=...", "GET /items/{item_id}",
                                                  "GET /fib/{n}", "GET /io/sleep?ms=50", "GET /hello", "GET /healthz",
                                                  "GET /metrics"]}


@app.get("/hello")
def hello():
    return {"message": "hello"}


@app.post("/compute/sum")
async def compute_sum(data: Array):
    # The posted numbers are already in Java memory (float64): summed there on the compute
    # engine (SIMD), not under this GIL; only the result crosses into Python.
    return {"sum": await perf.sum_array(data), "count": len(data)}


def process_item(item):
    """The ADR's per-item business logic; runs in other interpreters, in parallel."""
    checksum = 0
    for i in range(2_000):
        checksum = (checksum * 31 + i * int(item.get("value", 0))) % 1_000_003
    return {
        "processed": True,
        "value": item.get("value", 0) * 2,
        "checksum": checksum,
        "metadata": {"processed_at": time.time()},
    }


@app.post("/compute/parallel-process")
async def parallel_process(data: List[dict]):
    results = await perf.parallel_map(process_item, data)
    return {"results": results}


@app.get("/io/fetch-data")
async def fetch_data(request, urls: Optional[List[str]] = None):
    # Concurrent fetches on the IO lane (virtual threads). While this handler awaits them, its
    # interpreter serves other requests, this app's own endpoints among them (there is no outside
    # network here, so the defaults are those).
    urls = urls or ["/healthz", "/items/7?q=covet"]
    base = f"http://{request.headers['host']}"
    for url in urls:
        if not url.startswith("/"):
            raise HTTPException(400, f"urls must be paths on this server, like /healthz; got {url!r}")
    responses = await asyncio.gather(*(http.get(base + url, timeout=10) for url in urls))
    return {"data": [{"url": url, "status": r.status,
                      "body": r.json() if r.headers.get("content-type", "").startswith("application/json") else r.text}
                     for url, r in zip(urls, responses)]}


@app.get("/io/sleep")
async def io_sleep(ms: int = 50):
    # Stands for a handler that waits (a database, another service): while it awaits, its
    # interpreter serves other requests on the same event loop.
    if not 0 <= ms <= 10_000:
        raise HTTPException(400, f"ms must be between 0 and 10000, got {ms}")
    await asyncio.sleep(ms / 1000)
    return {"slept_ms": ms}


@app.get("/items/{item_id}")
def get_item(item_id: int, q: Optional[str] = None):
    return {"item_id": item_id, "q": q, "served_since": round(time.time() - app.state.started_at, 3)}


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


@app.get("/fib/{n}")
def fibonacci(n: int):
    # Pure-Python CPU work: each interpreter has its own GIL, so these run on every core.
    if not 0 <= n <= 32:
        raise HTTPException(400, f"n must be between 0 and 32, got {n}")
    return {"n": n, "fib": fib(n)}
