import sys

from covet import perf, PerformanceConfig, PerformanceManager


def triple(x):
    return 3 * x


PerformanceManager(PerformanceConfig(max_gil_contention=2))

if __name__ == "__main__":
    print("main block ran in", __name__)
    print("argv", sys.argv[1:])
    print("map", perf.parallel_map(triple, range(6), chunk_size=1).result())
    print("interpreters", perf.settings["python_interpreters"])
    print("to stderr", file=sys.stderr)
    sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 0)
