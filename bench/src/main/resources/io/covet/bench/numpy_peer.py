"""numpy side of `covet bench compute`: the same work as Covet's case, timed the same way.

Reads one JSON request on stdin:
  {"case": "sum_f32", "size": 1000000, "warmup_s": 0.3, "samples": 5, "min_sample_s": 0.03}
and prints one JSON object on stdout:
  {"value": <GB/s or GFLOP/s>, "threads": <threads numpy used>, "peer": "numpy 2.x (OpenBLAS ...)"}
Exit status 3 with a message on stderr when numpy cannot be imported.
"""
import ctypes
import glob
import json
import os
import statistics
import sys
import time

try:
    import numpy as np
except ImportError as e:  # the Java side reports the peer as skipped, with this reason
    print(f"numpy is not importable by {sys.executable}: {e}", file=sys.stderr)
    sys.exit(3)


def openblas_description():
    """BLAS library, version and the core type OpenBLAS picked at run time (or what is known)."""
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        text = f"{blas.get('name', 'blas')} {blas.get('version', '')}".strip()
    except Exception:  # older numpy: no dict mode
        text = "BLAS"
    libs = glob.glob(os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs", "*openblas*"))
    for lib in libs:
        try:
            handle = ctypes.CDLL(lib)
        except OSError:
            continue
        for name in ("scipy_openblas_get_corename64_", "openblas_get_corename64_", "openblas_get_corename"):
            fn = getattr(handle, name, None)
            if fn is not None:
                fn.restype = ctypes.c_char_p
                return f"{text}, core {fn().decode()}"
    return text


def seconds_per_call(op, warmup_s, samples, min_sample_s):
    """Warm up for warmup_s, then the median of `samples` batches, each at least min_sample_s long."""
    start = time.perf_counter()
    calls = 0
    while True:
        op()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= warmup_s and calls >= 2:
            break
    batch = max(1, int(min_sample_s / (elapsed / calls)) + 1)
    times = []
    for _ in range(samples):
        t = time.perf_counter()
        for _ in range(batch):
            op()
        times.append((time.perf_counter() - t) / batch)
    return statistics.median(times)


def build(case, n, rng, threads):
    """Returns (op, work per call, threads the op may use). Work: bytes moved or flops.

    numpy's own loops (ufuncs, sum) run on one thread; BLAS calls (dot, matmul) may use every
    thread OpenBLAS was given, which the caller sets to Covet's thread count."""
    f32 = np.float32
    if case == "sum_f32":
        x = rng.standard_normal(n, dtype=f32)
        return (lambda: x.sum()), 4 * n, 1
    if case == "sum_f64":
        x = rng.standard_normal(n)
        return (lambda: x.sum()), 8 * n, 1
    if case == "dot_f32":
        x, y = rng.standard_normal(n, dtype=f32), rng.standard_normal(n, dtype=f32)
        return (lambda: np.dot(x, y)), 8 * n, threads  # BLAS sdot: OpenBLAS may thread it
    unary = {"square_f32": (np.square, 0.5, 1.5), "sqrt_f32": (np.sqrt, 0.5, 1.5),
             "log_f32": (np.log, 0.5, 1.5), "exp_f32": (np.exp, -10.0, 10.0)}
    if case in unary:
        fn, lo, hi = unary[case]
        x = rng.uniform(lo, hi, n).astype(f32)
        out = np.empty_like(x)
        return (lambda: fn(x, out=out)), 8 * n, 1
    if case in ("matmul_f32", "matmul_f64"):
        dtype = f32 if case == "matmul_f32" else np.float64
        a = rng.uniform(-1, 1, (n, n)).astype(dtype)
        b = rng.uniform(-1, 1, (n, n)).astype(dtype)
        c = np.empty((n, n), dtype=dtype)
        return (lambda: np.matmul(a, b, out=c)), 2 * n ** 3, threads
    raise SystemExit(f"unknown case {case!r}")


def main():
    request = json.load(sys.stdin)
    threads = int(os.environ.get("OPENBLAS_NUM_THREADS", os.cpu_count() or 1))
    op, work, used_threads = build(request["case"], int(request["size"]), np.random.default_rng(42), threads)
    seconds = seconds_per_call(op, request["warmup_s"], request["samples"], request["min_sample_s"])
    json.dump({"value": work / seconds / 1e9, "threads": used_threads,
               "peer": f"numpy {np.__version__} ({openblas_description()})"}, sys.stdout)


if __name__ == "__main__":
    main()
