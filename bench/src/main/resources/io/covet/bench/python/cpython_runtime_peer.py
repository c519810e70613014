"""CPython side of `covet bench runtime`: the same workloads with CPython single-threaded, its
ProcessPoolExecutor (started and warm before timing) and numpy when installed.

Reads {"workers": N, "warmup_s": ..., "samples": ..., "min_sample_s": ..., "sum_n": ...,
"worker_sizes": [...]} on stdin; prints {"peer": "CPython 3.x", "numpy": "2.x" or null,
"map_processpool_items_per_s": ..., "map_one_items_per_s": ..., "sum_builtin_ms": ...,
"sum_numpy_ms": ..., "sqrt_listcomp_ms": ..., "sqrt_numpy_ms": ..., "processpool_touch_SIZE_ms": ...,
"submit_overhead_ms": ...}.
"""
import concurrent.futures
import json
import math
import platform
import sys

import covet_bench_runtime as w


def main():
    req = json.load(sys.stdin)
    workers, warmup_s, samples, min_sample_s = req["workers"], req["warmup_s"], req["samples"], req["min_sample_s"]
    out = {"peer": f"CPython {platform.python_version()}"}
    data = w.map_data()
    chunk = max(1, len(data) // (workers * 4))
    out["map_one_items_per_s"] = w.rate(lambda: [w.work(x) for x in data], len(data), warmup_s, samples, min_sample_s,
                                        max_warmup_s=warmup_s)
    with concurrent.futures.ProcessPoolExecutor(workers) as pool:
        list(pool.map(w.work, data, chunksize=chunk))
        out["map_processpool_items_per_s"] = w.rate(lambda: list(pool.map(w.work, data, chunksize=chunk)), len(data),
                                                    warmup_s, samples, min_sample_s, max_warmup_s=warmup_s)
        out["submit_overhead_ms"] = w.per_call_ms(lambda: pool.submit(w.noop, 1).result(), warmup_s, samples * 20)
    values = w.sum_data(req["sum_n"])
    out["sum_builtin_ms"] = w.per_call_ms(lambda: sum(values), warmup_s, samples)
    out["sqrt_listcomp_ms"] = w.per_call_ms(lambda: [math.sqrt(x) for x in values], warmup_s, samples)
    try:
        import numpy
        arr = numpy.array(values, dtype=numpy.float64)
        out["numpy"] = numpy.__version__
        out["sum_numpy_ms"] = w.per_call_ms(lambda: float(arr.sum()), warmup_s, samples)
        out["sqrt_numpy_ms"] = w.per_call_ms(lambda: numpy.sqrt(arr), warmup_s, samples)
        # A numpy array sent to a ProcessPoolExecutor worker is pickled: copied each call.
        with concurrent.futures.ProcessPoolExecutor(1) as pool:
            for size in req.get("worker_sizes", []):
                shared = numpy.full(size, 0.5)
                pool.submit(w.touch, shared).result()
                out[f"processpool_touch_{size}_ms"] = w.per_call_ms(lambda: pool.submit(w.touch, shared).result(),
                                                                     warmup_s, samples)
    except ImportError:
        out["numpy"] = None
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
