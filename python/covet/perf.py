"""ADR-007's Python API: PerformanceConfig, PerformanceManager and `perf`, the manager of the
running Covet runtime. Every operation returns a covet.Future (await it, or call .result())."""
import array
import functools
import math
import os

import _covet_host as _host

from . import _runtime, _values
from . import array as _array
from .futures import Future, _Combined

__all__ = ['PerformanceConfig', 'PerformanceManager', 'perf', 'TRANSFORMS']

TRANSFORMS = ('square', 'sqrt', 'log', 'exp', 'abs', 'negate')

_NOT_GIVEN = object()
# A covet.Array this small is summed or transformed on the calling thread: the kernel (sum of 65,536
# floats ~4 µs, exp ~43) runs no faster on the CPU lane, and this saves the trip there (~15 µs) and
# the wake-up of this interpreter's loop for the result (BENCHMARKS.md, "Where splitting ... pays").
_INLINE_ELEMENTS = 1 << 16


class PerformanceConfig:
    """The ADR's settings. Only the ones given explicitly are applied to the runtime; the others
    keep what the runtime has (machine defaults, a config file). Command-line flags win over all."""

    _BOOLS = ('enable_rust_compute', 'enable_sub_interpreters', 'enable_simd')
    _COUNTS = ('cpu_threads', 'io_threads', 'python_interpreters', 'max_gil_contention', 'queue_limit')

    def __init__(self, enable_rust_compute=_NOT_GIVEN, enable_sub_interpreters=_NOT_GIVEN, cpu_threads=None,
                 io_threads=None, python_interpreters=None, max_gil_contention=None, enable_simd=_NOT_GIVEN,
                 *, queue_limit=None, task_timeout=None, enable_compute=_NOT_GIVEN):
        if enable_compute is not _NOT_GIVEN:
            enable_rust_compute = enable_compute
        given = dict(enable_rust_compute=enable_rust_compute, enable_sub_interpreters=enable_sub_interpreters,
                     cpu_threads=cpu_threads, io_threads=io_threads, python_interpreters=python_interpreters,
                     max_gil_contention=max_gil_contention, enable_simd=enable_simd, queue_limit=queue_limit,
                     task_timeout=task_timeout)
        self._explicit = {}
        for name, value in given.items():
            if value is _NOT_GIVEN or value is None:
                continue
            if name in self._BOOLS and not isinstance(value, bool):
                raise TypeError(f"PerformanceConfig: {name} must be True or False, got {value!r}")
            if name in self._COUNTS:
                if isinstance(value, bool) or not isinstance(value, int):
                    raise TypeError(f"PerformanceConfig: {name} must be an int, got {type(value).__name__}")
                if value < (0 if name == 'queue_limit' else 1):
                    raise ValueError(f"PerformanceConfig: {name} must be at least "
                                     f"{0 if name == 'queue_limit' else 1}, got {value}")
            if name == 'task_timeout':
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise TypeError(f"PerformanceConfig: task_timeout must be a number of seconds, got {type(value).__name__}")
                if not value > 0:
                    raise ValueError(f"PerformanceConfig: task_timeout must be positive, got {value}")
            self._explicit[name] = value
        cores = os.cpu_count() or 1
        self.enable_rust_compute = self._explicit.get('enable_rust_compute', True)
        self.enable_sub_interpreters = self._explicit.get('enable_sub_interpreters', True)
        self.cpu_threads = self._explicit.get('cpu_threads', cores)
        self.io_threads = self._explicit.get('io_threads', min(32, cores + 4))
        self.python_interpreters = self._explicit.get('python_interpreters', max(2, cores))
        self.max_gil_contention = self._explicit.get('max_gil_contention', self.python_interpreters)
        self.enable_simd = self._explicit.get('enable_simd', True)
        self.queue_limit = self._explicit.get('queue_limit', 1024)
        self.task_timeout = self._explicit.get('task_timeout', 60.0)

    def __repr__(self):
        args = ', '.join(f"{k}={v!r}" for k, v in self._explicit.items())
        return f"PerformanceConfig({args})"


def _float_array(data, api):
    """data as array.array('d' or 'f') without copying when it already is one."""
    if isinstance(data, array.array):
        if data.typecode in ('d', 'f'):
            return data
        return array.array('d', data)
    if isinstance(data, memoryview):
        if data.format in ('d', 'f') and data.c_contiguous and data.ndim == 1:
            return array.array(data.format, data.tobytes())
        return array.array('d', data.tolist())
    if isinstance(data, (list, tuple, range)):
        try:
            return array.array('d', data)
        except TypeError as e:
            bad = next((x for x in data if isinstance(x, bool) or not isinstance(x, (int, float))), None)
            raise TypeError(f"{api} needs numbers, got an element of type {type(bad).__name__}") from None
    raise TypeError(f"{api} needs a list, array.array('f'/'d') or memoryview of numbers, got {type(data).__name__}")


def _as_matrix(m, shape, name):
    """(flat float array, rows, cols) of a 2-D list, or of a flat array with an explicit shape."""
    if shape is not None:
        if (not isinstance(shape, (tuple, list)) or len(shape) != 2
                or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape)):
            raise ValueError(f"matrix_multiply: {name}_shape must be (rows, cols), got {shape!r}")
        flat = _float_array(m, 'matrix_multiply')
        if len(flat) != shape[0] * shape[1]:
            raise ValueError(f"matrix_multiply: {name} has {len(flat)} elements, which does not fit the shape "
                             f"{tuple(shape)} ({shape[0] * shape[1]} elements)")
        return flat, shape[0], shape[1], False
    if isinstance(m, (list, tuple)) and m and all(isinstance(r, (list, tuple, array.array)) for r in m):
        cols = len(m[0])
        for i, row in enumerate(m):
            if len(row) != cols:
                raise ValueError(f"matrix_multiply: {name} is ragged: row 0 has {cols} elements, row {i} has {len(row)}")
        flat = array.array('d')
        for row in m:
            flat.extend(_float_array(row, 'matrix_multiply'))
        return flat, len(m), cols, True
    raise ValueError(f"matrix_multiply: {name} must be a 2-D list (list of rows) or a flat array with "
                     f"{name}_shape=(rows, cols), got {type(m).__name__}")


class PerformanceManager:
    """High-level interface to Covet's runtime (ADR-007 section 5). Creating one with a config
    applies that config's explicit settings to the running runtime."""

    def __init__(self, config=None):
        if config is not None and not isinstance(config, PerformanceConfig):
            raise TypeError(f"PerformanceManager needs a PerformanceConfig, got {type(config).__name__}")
        self.config = config if config is not None else PerformanceConfig()
        self._settings = None
        if config is not None:
            self._apply()

    def _apply(self):
        self._settings = _host.configure(dict(self.config._explicit))
        return self._settings

    @property
    def settings(self):
        """The settings in effect in the runtime (after flags, file and app config)."""
        return _host.config()

    def initialize(self):
        """Applies this manager's config (the runtime itself is already up); awaitable."""
        return Future.completed(self._apply() if self.config._explicit else None)

    def shutdown(self):
        """Awaitable no-op: the runtime belongs to the `covet` command, which stops it on exit."""
        return Future.completed(None)

    def metrics(self):
        """Lanes (queued, running, completed, ...) and the interpreter pool, now."""
        return _host.metrics()

    def _on(self, key):
        return _host.setting(key)

    # ---- numeric operations: the Java compute engine (SIMD + ForkJoin), off the GIL ------------

    def sum_array(self, data):
        """Sum of a covet.Array, list, array.array('f'/'d') or memoryview of numbers (a float; an
        int for an int Array).

        A covet.Array is summed where it lives, in Java memory: only its handle crosses.
        array.array and memoryview are copied to the Java compute engine. A list or tuple is summed by
        the interpreter's own (JIT-compiled) sum: turning 1e7 list items into a Java array costs
        about 30x more than summing them (BENCHMARKS.md), so sending it would only be slower."""
        if isinstance(data, _array.Array):
            if data.size <= _INLINE_ELEMENTS:
                return Future.run_here(data.sum)
            handle = _host.compute('sum', data._h)
            return Future.completed(data.sum()) if handle is None else Future(handle)
        if isinstance(data, (list, tuple, range)):
            try:
                return Future.completed(float(sum(data, 0.0)))
            except TypeError:
                _float_array(data, 'sum_array')
                raise
        x = _float_array(data, 'sum_array')
        handle = _host.compute('sum', x)
        if handle is None:  # compute engine disabled
            return Future.completed(float(sum(x, 0.0)))
        return Future(handle)

    def transform_array(self, data, operation):
        """Elementwise `operation` (square, sqrt, log, exp, abs, negate): a covet.Array for a
        covet.Array (computed in Java memory), else an array.array of the input's float type ('d'
        for lists)."""
        if operation not in TRANSFORMS:
            raise ValueError(f"unknown operation {operation!r}; valid operations: {', '.join(TRANSFORMS)}")
        if isinstance(data, _array.Array):
            if data.size <= _INLINE_ELEMENTS:
                return Future.run_here(_array._unary, operation, data)
            handle = _host.compute('transform', data._h, operation)
            if handle is None:  # compute engine disabled: the array's own operations still run in Java
                return Future.completed(_array._unary(operation, data))
            return Future(handle, convert=_array._wrap)
        x = _float_array(data, 'transform_array')
        handle = _host.compute('transform', x, operation)
        if handle is None:  # compute engine disabled
            fn = {'square': lambda v: v * v, 'sqrt': math.sqrt, 'log': math.log, 'exp': math.exp,
                  'abs': abs, 'negate': lambda v: -v}[operation]
            return Future.run_here(lambda: array.array(x.typecode, map(fn, x)))
        return Future(handle)

    def matrix_multiply(self, a, b, *, a_shape=None, b_shape=None):
        """a @ b. Two covet.Arrays give a covet.Array (numpy's matmul); 2-D lists (lists of rows)
        give a list of rows; flat arrays with a_shape and b_shape give a flat array.array('d') (or
        'f' when both are 'f')."""
        if isinstance(a, _array.Array) and isinstance(b, _array.Array):
            handle = _host.compute('matmul', a._h, b._h)
            if handle is None:
                return Future.completed(a @ b)
            return Future(handle, convert=lambda r: _array._wrap(r) if isinstance(r, tuple) else r)
        fa, ar, ac, nested_a = _as_matrix(a, a_shape, 'a')
        fb, br, bc, nested_b = _as_matrix(b, b_shape, 'b')
        if ac != br:
            raise ValueError(f"matrix_multiply: shapes ({ar}, {ac}) and ({br}, {bc}) are incompatible: "
                             f"a has {ac} columns but b has {br} rows")
        if fa.typecode != fb.typecode:
            fa, fb = array.array('d', fa), array.array('d', fb)
        nested = nested_a or nested_b

        def shape_result(flat):
            if not nested:
                return flat
            return [flat[i * bc:(i + 1) * bc].tolist() for i in range(ar)]
        handle = _host.compute('matmul', fa, fb, ar, ac, br, bc)
        if handle is None:  # compute engine disabled
            def here():
                out = array.array(fa.typecode, bytes(fa.itemsize * ar * bc))
                for i in range(ar):
                    for k in range(ac):
                        aik = fa[i * ac + k]
                        for j in range(bc):
                            out[i * bc + j] += aik * fb[k * bc + j]
                return shape_result(out)
            return Future.run_here(here)
        return Future(handle, convert=shape_result)

    # ---- Python work in other interpreters ---------------------------------------------------

    def _submit(self, lane, fn, args, kwargs, api, ref=None):
        module, qual, pickled = ref or _values.func_ref(fn, api)
        if lane == 'cpython':
            here = functools.partial(fn, *args, **kwargs)
            if not kwargs and len(args) <= 8 and all(_plain(a) for a in args):
                # A few plain values cross one by one, as host-call arguments: Java pickles the call.
                return _to_worker('call', module, qual, pickled, 'a', args, f"{module}.{qual}()", here)
            encoding, data = _values.encode((tuple(args), dict(kwargs)), f"an argument of {api}")
            return _to_worker('call', module, qual, pickled, encoding, (data,), f"{module}.{qual}()", here)
        encoding, data = _values.encode((tuple(args), dict(kwargs)), f"an argument of {api}")
        handle = _host.submit(lane, 'call', module, qual, pickled, encoding, data)
        if handle is None:  # sub-interpreters disabled: run here
            return Future.run_here(fn, *args, **kwargs)
        return Future(handle, convert=_runtime.decode_remote, local=functools.partial(fn, *args, **kwargs))

    def _chunks(self, data, chunk_size, api, lane):
        items = list(data)
        if chunk_size is None:
            workers = max(1, (_host.config().get('cpython_workers') or 1) if lane == 'cpython'
                          else self._on('python_interpreters'))
            chunk_size = max(1, math.ceil(len(items) / (workers * 4)))
        elif isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
            raise ValueError(f"{api}: chunk_size must be a positive int, got {chunk_size!r}")
        return [items[i:i + chunk_size] for i in range(0, len(items), chunk_size)]

    def _spread(self, kind, func, chunks, lane, api, run_chunk):
        module, qual, pickled = _values.func_ref(func, api)
        fn = getattr(func, '__covet_original__', func)
        parts = []
        try:
            for chunk in chunks:
                if lane == 'cpython':
                    encoding, data = _values.encode(chunk, f"an element given to {api}")
                    parts.append(_to_worker(kind, module, qual, pickled, encoding, (data,), f"{api}({module}.{qual}) chunk",
                                            functools.partial(run_chunk, fn, chunk)))
                    continue
                encoding, data = _values.encode(chunk, f"an element given to {api}")
                handle = _host.submit(lane, kind, module, qual, pickled, encoding, data)
                if handle is None:  # sub-interpreters disabled: run here
                    parts.append(Future.run_here(run_chunk, fn, chunk))
                    continue
                parts.append(Future(handle, convert=_runtime.decode_remote, local=functools.partial(run_chunk, fn, chunk)))
        except BaseException:
            # A chunk could not be sent (lane full, value that cannot cross): take back the others.
            for p in parts:
                if not p.cancel() and p._handle is not None:
                    _host.forget(p._handle)
                    p._handle = None
            raise
        return parts

    def parallel_map(self, func, data, chunk_size=None, *, lane='python'):
        """[func(x) for x in data], in chunks spread over the interpreters; order is kept. The
        first exception is raised (with its traceback from the other interpreter) and chunks not
        yet started are cancelled. `func` must be a module-level function. lane="cpython" runs
        the chunks in CPython worker processes (see cpu_intensive(use_native=False))."""
        lane = _lane(lane)
        _values.func_ref(func, 'parallel_map')
        chunks = self._chunks(data, chunk_size, 'parallel_map', lane)
        if not chunks:
            return Future.completed([])
        parts = self._spread('map', func, chunks, lane, 'parallel_map', _map_chunk)
        return _Combined(parts, lambda results: [x for part in results for x in part])

    def parallel_reduce(self, func, data, initial=None, *, chunk_size=None, lane='python'):
        """functools.reduce(func, data[, initial]) with chunks reduced in parallel, then their
        results combined in order: func must be associative."""
        lane = _lane(lane)
        _values.func_ref(func, 'parallel_reduce')
        chunks = self._chunks(data, chunk_size, 'parallel_reduce', lane)
        if not chunks:
            if initial is None:
                return Future.failed(TypeError("parallel_reduce() of empty data with no initial value"))
            return Future.completed(initial)
        parts = self._spread('reduce', func, chunks, lane, 'parallel_reduce', _reduce_chunk)
        fn = getattr(func, '__covet_original__', func)

        def combine(partials):
            acc = partials[0] if initial is None else fn(initial, partials[0])
            for p in partials[1:]:
                acc = fn(acc, p)
            return acc
        return _Combined(parts, combine)

    # ---- decorators ----------------------------------------------------------------------------

    def _decorator(self, lane, api):
        def decorate(fn):
            ref = _values.func_ref(fn, api)  # fails now, at definition, for lambdas and closures

            @functools.wraps(fn)
            def dispatch(*args, **kwargs):
                return self._submit(lane, fn, args, kwargs, api, ref)
            dispatch.__covet_original__ = fn
            return dispatch
        return decorate

    def cpu_intensive(self, use_native=True, *, use_rust=None):
        """Runs the function in another interpreter; each call returns a covet.Future.

        use_native=False runs it in a CPython worker process instead (lane PROCESS, for code that
        needs CPython's C extensions, e.g. numpy): the runtime must be started with
        `--cpython-workers N`. Arguments and results cross pickled, so the result must be a value
        this interpreter can load (plain Python values; numpy's .tolist() or float()). A task past
        the task timeout kills its worker (TimeoutError); a worker that dies mid-task raises
        covet.WorkerCrashedError naming the exit cause. Either way the worker is replaced."""
        native = use_native if use_rust is None else use_rust
        return self._decorator('python' if native else 'cpython', '@perf.cpu_intensive')

    def gil_free(self):
        """Runs the function in another interpreter, with its own GIL; calls return a covet.Future."""
        return self._decorator('python', '@perf.gil_free')

    def io_intensive(self):
        """Runs blocking IO code off the caller's thread (another interpreter, under the IO
        lane's limit); calls return a covet.Future."""
        return self._decorator('io', '@perf.io_intensive')


def _to_worker(kind, module, qual, pickled, encoding, values, description, here):
    """Work for the PROCESS lane: a CPython worker runs covet._runtime.run_remote with it. values
    are the call's plain arguments (encoding 'a'), or one pickled bytes (encoding 'p'), or that
    and the covet.Arrays it references (encoding 'r', which Java maps into the worker): containers
    are slow to convert at the host-call boundary, one value at a time is not."""
    handle = _host.submit_process(description, kind, module, qual, pickled, encoding, *values)
    if handle is None:  # plain CPython, no runtime: run here
        return Future.run_here(here)
    return Future(handle, convert=_from_worker)


def _plain(value):
    t = type(value)
    # An ASCII str crosses to Java and back unchanged (a lone surrogate would not).
    return t is int or t is float or t is bool or value is None or t is bytes or (t is str and value.isascii())


def _from_worker(outcome):
    """The value of run_remote's (code, payload) from a worker, which Java unpickled: a plain
    value (code 0) comes as itself, anything else as the (code, payload) tuple."""
    if type(outcome) is not tuple:
        return outcome
    code, payload = outcome
    if code == 1:
        try:
            return _values.loads(payload)
        except Exception as e:
            raise TypeError(f"a CPython worker's result cannot be loaded in this interpreter ({type(e).__name__}: {e}); "
                            f"return plain Python values from the worker (e.g. numpy's .tolist() or float())") from None
    return _runtime.decode_remote((code, payload))


def _lane(lane):
    lanes = {'python': 'python', 'interpreters': 'python', 'cpython': 'cpython', 'process': 'cpython'}
    if lane not in lanes:
        raise ValueError(f"unknown lane {lane!r}; lanes: python, cpython")
    return lanes[lane]


def _map_chunk(fn, chunk):
    return [fn(x) for x in chunk]


def _reduce_chunk(fn, chunk):
    acc = chunk[0]
    for x in chunk[1:]:
        acc = fn(acc, x)
    return acc


perf = PerformanceManager()
