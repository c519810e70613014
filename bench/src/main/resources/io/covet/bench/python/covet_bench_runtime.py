"""Workloads of `covet bench runtime`, shared by both sides: Covet runs the measure_* functions
inside a pooled interpreter (so every figure is what Python code calling covet sees), and
cpython_runtime_peer.py runs the same workloads with CPython, its ProcessPoolExecutor and numpy.
This module must import in plain CPython: covet is imported inside the measure_* functions."""
import array
import statistics
import time

MAP_ITEMS = 64


def work(n):
    """A pure-Python CPU task of about a millisecond in CPython: naive fib."""
    return n if n < 2 else work(n - 1) + work(n - 2)


def noop(x):
    return x


def map_data():
    return [18] * MAP_ITEMS


def sum_data(n):
    return [float(i % 1000) * 0.5 for i in range(n)]


def rate(run, items, warmup_s, samples, min_sample_s, max_warmup_s=90.0):
    """Median items/s of `run()` (which handles `items` items) after an adaptive warm-up: at least
    warmup_s, then until two successive one-second windows agree within 10% (GraalPy's JIT)."""
    def window(seconds):
        done, start = 0, time.perf_counter()
        while True:
            run()
            done += items
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                return done / elapsed
    start = time.perf_counter()
    previous = 0.0
    while True:
        current = window(1.0)
        now = time.perf_counter() - start
        steady = previous > 0 and abs(current - previous) <= 0.1 * previous
        if now >= max_warmup_s or (now >= warmup_s and steady):
            break
        previous = current
    return statistics.median(window(min_sample_s) for _ in range(samples))


def per_call_ms(call, warmup_s, samples):
    end = time.perf_counter() + warmup_s
    while time.perf_counter() < end:
        call()
    times = []
    for _ in range(samples):
        t = time.perf_counter()
        call()
        times.append((time.perf_counter() - t) * 1000.0)
    return statistics.median(times)


# ---- Covet's side (runs in a pooled interpreter) ----------------------------------------------

def measure_parallel_map(warmup_s, samples, min_sample_s):
    """parallel_map over the pool vs a plain loop here, warmed up and sampled alternately so that
    neither is measured with a warmer JIT than the other."""
    from covet import perf
    data = map_data()
    chunk = max(1, len(data) // (perf.settings['python_interpreters'] * 4))
    expected = [work(x) for x in data]
    assert perf.parallel_map(work, data, chunk).result() == expected
    parallel = lambda: perf.parallel_map(work, data, chunk).result()  # noqa: E731
    one = lambda: [work(x) for x in data]  # noqa: E731

    def window(run, seconds):
        done, start = 0, time.perf_counter()
        while True:
            run()
            done += len(data)
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                return done / elapsed
    start = time.perf_counter()
    previous = None
    while True:
        current = (window(parallel, 1.0), window(one, 1.0))
        now = time.perf_counter() - start
        steady = previous is not None and all(abs(c - p) <= 0.1 * p for c, p in zip(current, previous))
        if now >= 180 or (now >= 2 * warmup_s and steady):
            break
        previous = current
    p_rates, o_rates = [], []
    for _ in range(samples):
        p_rates.append(window(parallel, min_sample_s))
        o_rates.append(window(one, min_sample_s))
    return {"parallel_items_per_s": statistics.median(p_rates), "one_items_per_s": statistics.median(o_rates),
            "chunk_size": chunk}


def measure_sum_array(n, samples):
    from covet import perf
    values = sum_data(n)
    arr = array.array('d', values)
    expected = sum(values)
    got = perf.sum_array(arr).result()
    assert abs(got - expected) <= 1e-9 * abs(expected), (got, expected)
    from_array = per_call_ms(lambda: perf.sum_array(arr).result(), 10.0, samples)
    from_list = per_call_ms(lambda: perf.sum_array(values).result(), 10.0, max(3, samples // 3))
    builtin_here = per_call_ms(lambda: sum(values), 5.0, max(3, samples // 3))
    return {"array_ms": from_array, "list_ms": from_list, "graalpy_builtin_sum_ms": builtin_here}


def touch(a):
    """A worker-side function whose work does not grow with the array: what it costs to reach one."""
    return float(a[0] + a[-1])


def measure_java_arrays(n, samples, worker_sizes):
    """covet.Array, resident in Java memory: perf.sum_array and transform_array('sqrt') of n
    float64, and a CPython worker's numpy touching a shared array of each of worker_sizes (the
    same function at every size: no copy means the same time)."""
    import math
    from covet import perf
    import covet.array as ca
    values = sum_data(n)
    a = ca.Array(values)
    expected = sum(values)
    got = perf.sum_array(a).result()
    assert abs(got - expected) <= 1e-9 * abs(expected), (got, expected)
    roots = perf.transform_array(a, 'sqrt').result()
    assert roots[n - 1] == math.sqrt(values[n - 1])
    del roots
    out = {
        "resident_sum_ms": per_call_ms(lambda: perf.sum_array(a).result(), 10.0, samples),
        "resident_sqrt_ms": per_call_ms(lambda: perf.transform_array(a, 'sqrt').result(), 10.0, samples),
    }
    if perf.settings.get('cpython_workers'):
        remote = perf.cpu_intensive(use_native=False)(touch)
        for size in worker_sizes:
            shared = ca.full(size, 0.5)
            try:
                assert remote(shared).result() == 1.0
            except ImportError:
                return out   # the worker's python3 has no numpy
            out[f"worker_touch_{size}_ms"] = per_call_ms(lambda: remote(shared).result(), 3.0, samples)
    return out


def measure_call_overhead(samples):
    from covet import perf
    remote_noop = perf.cpu_intensive()(noop)
    call = lambda: remote_noop(1).result()  # noqa: E731
    per_call = per_call_ms(call, 10.0, samples)
    return {"per_call_ms": per_call}
