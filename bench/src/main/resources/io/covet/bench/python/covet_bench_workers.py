"""Workloads of `covet bench workers`: Covet's CPython worker lane against CPython's own
ProcessPoolExecutor, with the same number of worker processes, measured the same way.

- empty-task latency: one empty task submitted and waited for at a time (median ms per call);
- empty-task overhead: a batch of empty tasks submitted at once, then all waited for (median
  microseconds per task: the cost of moving a task through the pool when workers never wait);
- small CPU task throughput: a batch of tasks of about a millisecond of CPython each (median tasks/s).

Covet's side runs in a Covet interpreter (measure_covet); run as a script, this file is the
CPython peer: it reads {"workers", "warmup_s", "samples", "batch", "cpu_tasks", "cpu_n"} on
stdin and prints the same figures as JSON.
"""
import concurrent.futures
import json
import platform
import statistics
import sys
import time


def noop():
    return None


def small_cpu(n):
    return sum(i * i for i in range(n))


def expected_small_cpu(n):
    return (n - 1) * n * (2 * n - 1) // 6


def _settle(window, warmup_s, max_s=90.0):
    """Runs window() (one timing) for at least warmup_s, then until two in a row agree within 10%:
    GraalPy's JIT keeps compiling for tens of seconds on 2 cores; CPython settles at once."""
    start, previous = time.perf_counter(), None
    while True:
        current = window()
        elapsed = time.perf_counter() - start
        if elapsed >= max_s or (elapsed >= warmup_s and previous and abs(current - previous) <= 0.1 * previous):
            return
        previous = current


def _latency_ms(call, calls):
    times = []
    for _ in range(calls):
        t = time.perf_counter()
        call()
        times.append((time.perf_counter() - t) * 1000.0)
    return statistics.median(times)


def _seconds(run):
    t = time.perf_counter()
    run()
    return time.perf_counter() - t


def measure(submit, warmup_s, samples, batch, cpu_tasks, cpu_n):
    """The three figures for `submit(fn, *args)`, which returns a future with .result()."""
    assert submit(small_cpu, cpu_n).result() == expected_small_cpu(cpu_n)

    def call():
        submit(noop).result()
    _settle(lambda: _latency_ms(call, 500), warmup_s)
    latency_ms = statistics.median(_latency_ms(call, 200) for _ in range(samples))

    def empty_batch():
        for f in [submit(noop) for _ in range(batch)]:
            f.result()

    def cpu_batch():
        for f in [submit(small_cpu, cpu_n) for _ in range(cpu_tasks)]:
            f.result()
    _settle(lambda: _seconds(empty_batch), warmup_s)
    overhead_us = statistics.median(_seconds(empty_batch) for _ in range(samples)) / batch * 1e6
    _settle(lambda: _seconds(cpu_batch), warmup_s)
    cpu_per_s = cpu_tasks / statistics.median(_seconds(cpu_batch) for _ in range(samples))
    return {"empty_latency_ms": latency_ms, "empty_overhead_us": overhead_us, "cpu_tasks_per_s": cpu_per_s}


def measure_covet(warmup_s, samples, batch, cpu_tasks, cpu_n):
    """Covet's side, in a Covet interpreter: the same functions through lane PROCESS."""
    from covet import perf
    remote = {noop: perf.cpu_intensive(use_native=False)(noop),
              small_cpu: perf.cpu_intensive(use_native=False)(small_cpu)}
    return measure(lambda fn, *args: remote[fn](*args), warmup_s, samples, batch, cpu_tasks, cpu_n)


def main():
    req = json.load(sys.stdin)
    workers = req["workers"]
    with concurrent.futures.ProcessPoolExecutor(workers) as pool:
        list(pool.map(small_cpu, [10] * (workers * 4)))  # every worker started before timing
        out = measure(pool.submit, req["warmup_s"], req["samples"], req["batch"], req["cpu_tasks"], req["cpu_n"])
    import multiprocessing
    out["peer"] = f"CPython {platform.python_version()}, ProcessPoolExecutor ({multiprocessing.get_start_method()})"
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
