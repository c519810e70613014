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


def _per_call_ms(call, warmup_s, calls):
    end = time.perf_counter() + warmup_s
    while time.perf_counter() < end:
        call()
    times = []
    for _ in range(calls):
        t = time.perf_counter()
        call()
        times.append((time.perf_counter() - t) * 1000.0)
    return statistics.median(times)


def _median_seconds(run, warmup_s, samples):
    end = time.perf_counter() + warmup_s
    while time.perf_counter() < end:
        run()
    times = []
    for _ in range(samples):
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def measure(submit, warmup_s, samples, batch, cpu_tasks, cpu_n):
    """The three figures for `submit(fn, *args)`, which returns a future with .result()."""
    assert submit(small_cpu, cpu_n).result() == expected_small_cpu(cpu_n)
    latency_ms = _per_call_ms(lambda: submit(noop).result(), warmup_s, samples * 200)

    def empty_batch():
        for f in [submit(noop) for _ in range(batch)]:
            f.result()

    def cpu_batch():
        for f in [submit(small_cpu, cpu_n) for _ in range(cpu_tasks)]:
            f.result()
    overhead_us = _median_seconds(empty_batch, warmup_s, samples) / batch * 1e6
    cpu_per_s = cpu_tasks / _median_seconds(cpu_batch, warmup_s, samples)
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
