"""A tour of Covet's Python API (ADR-007 section 5), run with:

    ./covet exec examples/perf_tour.py
    ./covet exec --allow-net example.com examples/perf_tour.py https://example.com/   # with covet.http

The ADR's CovetPy code works with the import changed and numpy swapped for lists/array.array.
"""
import array
import asyncio
import sys
import time

from covet import perf, PerformanceConfig, PerformanceManager

# The app's own settings; command-line flags (e.g. --interpreters) still win over these.
manager = PerformanceManager(PerformanceConfig(enable_rust_compute=True, max_gil_contention=4))


def score(item):
    """Some pure-Python business logic; module-level, so other interpreters can import it."""
    total = 0
    for i in range(20_000):
        total += (item["value"] * i) % 7
    return {"id": item["id"], "score": total}


def larger(a, b):
    return a if a >= b else b


@perf.cpu_intensive()
def fib(n):
    return n if n < 2 else fib.__covet_original__(n - 1) + fib.__covet_original__(n - 2)


@perf.io_intensive()
def slow_lookup(key):
    time.sleep(0.2)  # stands in for a blocking client library
    return key.upper()


async def handler(data):
    # Everything perf returns is awaitable; gather runs them concurrently.
    total, doubled, product = await asyncio.gather(
        perf.sum_array(array.array('d', data)),
        perf.transform_array(data, 'square'),
        perf.matrix_multiply([[1, 2], [3, 4]], [[5, 6], [7, 8]]))
    return total, list(doubled)[:3], product


def main():
    print("settings:", {k: perf.settings[k] for k in ("python_interpreters", "cpu_threads", "simd")})
    values = [float(i) for i in range(1_000_000)]
    print("sum_array:", perf.sum_array(array.array('d', values)).result())

    items = [{"id": i, "value": i % 13} for i in range(64)]
    start = time.perf_counter()
    scored = perf.parallel_map(score, items).result()
    print(f"parallel_map: {len(scored)} items in {time.perf_counter() - start:.2f} s, first {scored[0]}")
    print("parallel_reduce:", perf.parallel_reduce(larger, [s["score"] for s in scored]).result())
    print("cpu_intensive fib(24):", fib(24).result())
    print("io_intensive x3:", asyncio.run(gather_lookups()))
    print("async handler:", asyncio.run(handler([1.0, 2.0, 3.0])))
    if len(sys.argv) > 1:
        import covet.http
        response = covet.http.get(sys.argv[1], timeout=10).result()
        print("covet.http:", response.status, len(response.content), "bytes")


async def gather_lookups():
    return await asyncio.gather(*(slow_lookup(k) for k in ("a", "b", "c")))


if __name__ == "__main__":
    main()
