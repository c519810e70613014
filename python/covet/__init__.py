"""Covet: Python on every core, on the JVM (ADR-007).

    from covet import perf, PerformanceConfig, PerformanceManager

    total = perf.sum_array(values).result()              # Java compute engine (SIMD)
    squares = await perf.parallel_map(square, numbers)    # other interpreters, order kept

    @perf.cpu_intensive()
    def heavy(n): ...                                     # heavy(3) -> covet.Future

    app = Covet()                                         # a web app, served by `covet run app.py`

    @app.post("/compute/sum")
    async def compute_sum(data: List[float]):
        return {"sum": await perf.sum_array(data)}

Importable in every interpreter of a Covet runtime (`covet exec`, `covet run`), and in plain
CPython (a Covet CPython worker imports apps that import covet), where everything runs in-process.
"""
import sys as _sys

try:
    import _covet_host
    _PLAIN_CPYTHON = False
except ImportError:
    # Plain CPython (a Covet CPython worker importing the app, or `python3 app.py`): no runtime
    # here, so everything runs in this process.
    from . import _local_host
    _sys.modules['_covet_host'] = _local_host
    _PLAIN_CPYTHON = True

from .futures import Future, LaneUnavailableError, OverloadedError, RemoteError, RemoteTraceback, WorkerCrashedError
from .perf import TRANSFORMS, PerformanceConfig, PerformanceManager, perf
from . import http
from .array import Array

__all__ = ['Future', 'PerformanceConfig', 'PerformanceManager', 'perf', 'http', 'gather', 'TRANSFORMS', 'Array',
           'OverloadedError', 'LaneUnavailableError', 'RemoteError', 'RemoteTraceback', 'WorkerCrashedError',
           'Covet', 'CovetPy', 'Request', 'Response', 'HTTPException', 'State', 'setup_performance']

_WEB = ('Covet', 'CovetPy', 'Request', 'Response', 'HTTPException', 'State', 'setup_performance')


def __getattr__(name):
    # The web layer loads on first use, so scripts that never serve HTTP don't pay for it.
    if name in _WEB:
        from . import web
        return getattr(web, name)
    raise AttributeError(f"module 'covet' has no attribute {name!r}")


def gather(*futures, timeout=None):
    """Results of several covet futures, in order (sync code; async code uses asyncio.gather)."""
    return [f.result(timeout) for f in futures]


def _install_asyncio_policy():
    """Covet's event loop becomes asyncio's default when asyncio is imported (now, if it was)."""
    if 'asyncio' in _sys.modules:
        from . import aio
        aio.install()
        return
    import importlib.machinery

    # A plain class: importlib.abc would import importlib.resources, and with it inspect, typing,
    # pathlib, tempfile ... (about a second of every interpreter's start on GraalPy).
    class _AsyncioHook:
        def find_spec(self, name, path, target=None):
            if name != 'asyncio':
                return None
            _sys.meta_path.remove(self)
            spec = importlib.machinery.PathFinder.find_spec(name, path)
            if spec is None or spec.loader is None:
                return spec
            exec_module = spec.loader.exec_module

            def exec_then_install(module):
                exec_module(module)
                from . import aio
                aio.install()
            spec.loader.exec_module = exec_then_install
            return spec

    _sys.meta_path.insert(0, _AsyncioHook())


def _install_sockets():
    """Where the sandbox denies the network, Python's TCP client sockets are Java's, to the
    addresses --allow-net names (covet._sockets)."""
    import _covet_pool
    if not _covet_pool.NETWORK:
        from . import _sockets
        _sockets.install()


if not _PLAIN_CPYTHON:
    _install_asyncio_policy()
    _install_sockets()
