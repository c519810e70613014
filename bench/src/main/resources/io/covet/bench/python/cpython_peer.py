"""CPython side of `covet bench python`: the same workloads, run by CPython single-threaded, with a
ThreadPoolExecutor and with a ProcessPoolExecutor, timed the same way as Covet's pool.

Reads one JSON request on stdin:
  {"workload": "fib27", "workers": 2, "warmup_s": 1.0, "samples": 5, "min_sample_s": 0.5,
   "modes": ["cpython", "cpython-threads", "cpython-processpool", "cpython-processpool-startup"]}
and prints one JSON object on stdout: {"peer": "CPython 3.11.7", "results": {mode: tasks_per_s, ...},
"latency_ms": <median single-task time>, "cold_start_s": ..., "worker_rss_mb": ...}.
"""
import concurrent.futures
import json
import os
import platform
import statistics
import sys
import time

import covet_bench_workloads as workloads


def batch_rate(submit_batch, tasks, warmup_s, samples, min_sample_s):
    """Warm up, then the median tasks/s over `samples` timed batches of whole multiples of `tasks`."""
    end = time.perf_counter() + warmup_s
    while time.perf_counter() < end:
        submit_batch(tasks)
    rates = []
    for _ in range(samples):
        done = 0
        start = time.perf_counter()
        while True:
            submit_batch(tasks)
            done += tasks
            elapsed = time.perf_counter() - start
            if elapsed >= min_sample_s:
                break
        rates.append(done / elapsed)
    return statistics.median(rates)


def worker_rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def preload():
    import dataclasses, json, re, typing  # noqa: F401 - the modules Covet's cold start preloads


def main():
    req = json.load(sys.stdin)
    name, workers = req["workload"], req["workers"]
    warmup_s, samples, min_sample_s = req["warmup_s"], req["samples"], req["min_sample_s"]
    fn = workloads.WORKLOADS[name]
    out = {"peer": f"CPython {platform.python_version()}", "results": {}}
    modes = req["modes"]

    # Single task latency and single-threaded throughput.
    fn()
    times = []
    end = time.perf_counter() + warmup_s
    while time.perf_counter() < end:
        fn()
    for _ in range(max(samples, 5)):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    out["latency_ms"] = statistics.median(times) * 1000.0
    if "cpython" in modes:
        out["results"]["cpython"] = batch_rate(lambda k: [fn() for _ in range(k)], 1, 0, samples, min_sample_s)

    if "cpython-threads" in modes:
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            out["results"]["cpython-threads"] = batch_rate(
                lambda k: list(pool.map(workloads.run, [name] * k)), workers, warmup_s, samples, min_sample_s)

    if "cpython-processpool" in modes:
        with concurrent.futures.ProcessPoolExecutor(workers) as pool:
            out["results"]["cpython-processpool"] = batch_rate(
                lambda k: list(pool.map(workloads.run, [name] * k)), workers, warmup_s, samples, min_sample_s)
            out["worker_rss_mb"] = max(pool.map(worker_rss_mb_after_preload, range(workers)))

    if "cpython-processpool-startup" in modes:
        # Pool start-up included: each sample starts a pool, runs one batch, shuts it down.
        tasks = workers * 2
        rates = []
        cold = []
        for _ in range(samples):
            start = time.perf_counter()
            with concurrent.futures.ProcessPoolExecutor(workers, initializer=preload) as pool:
                futures = [pool.submit(workloads.run, name) for _ in range(tasks)]
                futures[0].result()
                cold.append(time.perf_counter() - start)
                for f in futures:
                    f.result()
            rates.append(tasks / (time.perf_counter() - start))
        out["results"]["cpython-processpool-startup"] = statistics.median(rates)
        out["cold_start_s"] = statistics.median(cold)
    json.dump(out, sys.stdout)


def worker_rss_mb_after_preload(_):
    preload()
    return worker_rss_mb()


if __name__ == "__main__":
    main()
