"""What `_covet_host` offers, for `covet` imported in plain CPython (a Covet CPython worker, or a
script run with python3): there is no Covet runtime here, so every operation runs in this process.
perf's functions see None from `compute` and `submit` and run the work themselves; nothing ever
gets a handle to wait for."""
import os

exception_types = {}

_cores = os.cpu_count() or 1
_settings = {
    'enable_rust_compute': False,
    'enable_sub_interpreters': False,
    'cpu_threads': _cores,
    'io_threads': min(32, _cores + 4),
    'python_interpreters': 1,
    'max_gil_contention': 1,
    'enable_simd': False,
    'queue_limit': 0,
    'task_timeout': 60.0,
}


def config():
    return dict(_settings, simd='none (plain CPython: no Covet runtime in this process)')


def configure(settings):
    """An app's PerformanceConfig is accepted and ignored: work runs here whatever it says."""
    return config()


def setting(name):
    if name not in _settings:
        raise KeyError(f"no setting '{name}'")
    return _settings[name]


def compute(*args):
    return None


def submit(*args):
    return None


def submit_process(*args):
    return None


def http(*args):
    raise RuntimeError("covet.http needs a Covet runtime (covet exec / covet run); in plain CPython, "
                       "including a Covet CPython worker, use urllib.request or another HTTP client")


def metrics():
    return {}


def main_script():
    return None


def interpreter_id():
    return 0


def remaining():
    return None


def _no_handles(*args):
    raise KeyError("no Covet tasks run in plain CPython")


wait = take = _no_handles


def withdraw(*args):
    return False


cancel = withdraw


def forget(*args):
    return None


def wake(*args):
    return None
