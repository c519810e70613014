"""What loading native modules costs each interpreter when every one has its own copy (GraalPy's
python.IsolateNativeModules, Covet's --trusted): run with /usr/bin/time -v, as BENCHMARKS.md says.

Each task imports GraalPy's natively implemented stdlib modules in whichever interpreter runs it,
and reports that interpreter's id and how long its first import took.
"""
import time

from covet import perf


def load_native(_):
    import _covet_host
    t0 = time.perf_counter()
    import pyexpat, sqlite3, termios, unicodedata  # noqa: E401
    unicodedata.ucd_3_2_0.category("a")
    sqlite3.connect(":memory:").execute("select 1").fetchone()
    took = time.perf_counter() - t0
    time.sleep(0.3)  # keep this interpreter busy, so the others take the next tasks
    return _covet_host.interpreter_id(), took


if __name__ == "__main__":
    t0 = time.perf_counter()
    firsts = {}
    for interpreter, took in perf.parallel_map(load_native, range(24), chunk_size=1).result():
        firsts[interpreter] = max(took, firsts.get(interpreter, 0.0))  # its first load is its slowest
    print(f"interpreters that loaded native modules: {len(firsts)}; first load per interpreter (s):",
          " ".join(f"{firsts[i]:.2f}" for i in sorted(firsts)), f"; all tasks: {time.perf_counter() - t0:.1f} s")
