"""The timing the bench/python scripts share: each run under python3 and under `covet exec`."""
import statistics
import time


def median_seconds(fn, warmups, runs):
    """fn's median time over `runs` calls, after `warmups` calls (GraalPy's JIT settles in those)."""
    for _ in range(warmups):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)
