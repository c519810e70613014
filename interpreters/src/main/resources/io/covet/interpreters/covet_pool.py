# Covet's side of the Java<->Python boundary, loaded into every pooled interpreter as the
# module `_covet_pool` before any user code runs. Java calls these functions directly; they
# are not part of Covet's Python API.
import array
import contextvars
import importlib
import sys
import threading
import traceback


def call(module, name, args, kwargs):
    """Import `module` (once per interpreter) and call its attribute `name`."""
    mod = sys.modules.get(module)
    if mod is None:
        mod = importlib.import_module(module)
    try:
        fn = getattr(mod, name)
    except AttributeError:
        raise AttributeError(f"module '{module}' has no function '{name}'") from None
    if kwargs is None:
        return fn(*args)
    return fn(*args, **kwargs)


_compiled = {}
_MAX_COMPILED = 256


def evaluate(source):
    """Runs source in __main__'s namespace; the value of a final expression statement is the result."""
    code = _compiled.get(source)
    if code is None:
        import ast
        tree = ast.parse(source, '<covet-eval>', 'exec')
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        code = (compile(tree, '<covet-eval>', 'exec'),
                compile(last, '<covet-eval>', 'eval') if last is not None else None)
        if len(_compiled) >= _MAX_COMPILED:
            _compiled.clear()
        _compiled[source] = code
    namespace = sys.modules['__main__'].__dict__
    exec(code[0], namespace)
    return eval(code[1], namespace) if code[1] is not None else None


# ---- tasks, and the interpreter's event loop ---------------------------------------------------
#
# Java starts every task with start()/start_eval(). A plain result is the task's value. A
# coroutine (an `async def` handler) becomes an asyncio Task on this interpreter's own event
# loop, started eagerly: if it finishes in its first step, that is the task's value; else start()
# answers PENDING: Java then drives the loop one step at a time (step()), between other tasks,
# and collects what finished. So while one task awaits, the interpreter runs others. The loop
# never blocks inside Python: Java waits for the next timer, a sub-task's completion or new work,
# whichever comes first.

PENDING = object()
# What makes the serving loop: any asyncio loop whose selector does not block while driven
# (`_covet_driven`). covet.aio sets its loop, which can await covet futures; HELP is then its way
# to run here one queued sub-task that the loop awaits (see help()).
LOOP_FACTORY = None
HELP = None
# Whether Python may start threads here (install_guards says when not): code that would hand work
# to a thread pool (an ASGI server's run_in_threadpool) runs it inline instead.
THREADS = True
# Whether Python's own sockets may reach the network here (install_guards says when not): the
# runtime then puts sockets of its own in their place (covet._sockets).
NETWORK = True

_loop = None
_tasks = {}        # task id -> asyncio.Task
_finished = []     # (task id, ok, value or describe(error)) since the last step
_TASK_ID = contextvars.ContextVar('covet_task_id', default=None)
_starting = None   # the id of the task start() runs now
_events = None
_asyncio_task = None
_OWNER = threading.get_ident()  # the interpreter's thread: the only one that runs Python here


def _new_loop():
    """The serving loop: LOOP_FACTORY's, else asyncio without a self-pipe (the sandbox has no
    sockets), which knows only timers and callbacks: enough for tasks that await those."""
    global _events, _asyncio_task
    import asyncio.base_events
    import asyncio.events
    import asyncio.tasks
    _events, _asyncio_task = asyncio.events, asyncio.tasks.Task
    if LOOP_FACTORY is not None:
        return LOOP_FACTORY()

    class SocketlessLoop(asyncio.base_events.BaseEventLoop):
        def __init__(self):
            super().__init__()
            self._selector = self

        def select(self, timeout=None):
            # Driven, it only looks; run from sync code (run_on_loop), it waits for its next timer.
            if timeout and not getattr(self, '_covet_driven', False):
                import time
                time.sleep(timeout)
            return []

        def _process_events(self, event_list):
            pass

        def _write_to_self(self):
            pass

    return SocketlessLoop()


def _serving_loop():
    global _loop
    if _loop is None or _loop.is_closed():
        _loop = _new_loop()
        _loop._covet_driven = True
    return _loop


def start(tid, module, name, args, kwargs):
    """Runs task `tid`: its value, or PENDING when the loop has it now (see _settle)."""
    return _run(tid, call, module, name, args, kwargs)


def start_eval(tid, source):
    return _run(tid, evaluate, source)


def _run(tid, fn, *fn_args):
    global _starting
    before, _starting = _loop_work(), tid
    try:
        return _settle(tid, fn(*fn_args), before)
    except Exception as e:
        if _loop_work() == before and not _finished:
            raise
        # It left loop work (set an Event, then raised): the next turn reports its failure,
        # and Java is told to take that turn.
        _finished.append((tid, False, describe(e)))
        return PENDING
    finally:
        _starting = None


def _settle(tid, result, before):
    """The task's value; a coroutine's first step runs now (an eager task, as Python 3.12's
    eager_start), so one that finishes without suspending (most handlers) is answered as a plain
    result, without a turn of the loop. PENDING when the task goes on on the loop, or when it
    left the loop work (a task it started, a timer) or failed as a coroutine: the next turn
    reports it, and Java is told to take that turn."""
    if hasattr(result, '__await__') and not isinstance(result, type):
        task = _eager(result if type(result).__name__ == 'coroutine' else _awaiting(result), tid)
        if not task.done():
            _tasks[tid] = task

            def done(t):
                del _tasks[tid]
                _finished.append(_outcome(tid, t))
            task.add_done_callback(done)
            return PENDING
        if task.cancelled() or task.exception() is not None:
            _finished.append(_outcome(tid, task))
            return PENDING
        result = task.result()
    if _loop_work() != before or _finished:
        # (_finished: tasks a nested run of the loop finished, which only a turn reports.)
        _finished.append((tid, True, result))
        return PENDING
    return result


def task_now(coro):
    """An asyncio Task on this interpreter's loop for `coro`, belonging to the task start() runs
    now, its first step taken before this returns: for a handler that answers before its
    coroutine ends (an ASGI app's background work)."""
    return _eager(coro, _starting)


def _eager(coro, tid):
    loop = _serving_loop()
    ctx = contextvars.copy_context()
    if tid is not None:
        ctx.run(_TASK_ID.set, tid)
    if _events._get_running_loop() is loop:
        return _asyncio_task(coro, loop=loop, context=ctx, eager_start=True)
    saved = _enter(loop)
    try:
        return _asyncio_task(coro, loop=loop, context=ctx, eager_start=True)
    finally:
        _leave(loop, saved)


async def _awaiting(awaitable):
    return await awaitable


def _outcome(tid, task):
    """(task id, ok, value or describe(error)) of a finished task, as step() reports it."""
    if task.cancelled():
        return (tid, False, ('asyncio.CancelledError', 'the task was cancelled', ''))
    error = task.exception()
    return (tid, True, task.result()) if error is None else (tid, False, describe(error))


def _loop_work():
    """What the pool knows of the loop's work: whether callbacks are ready, and its next timer."""
    loop = _loop
    if loop is None:
        return None
    return bool(loop._ready), loop._scheduled[0]._when if loop._scheduled else None


def _enter(loop):
    """Makes `loop` this thread's running loop, as run_forever does, for one step or one eager
    start; returns what _leave restores (another loop may be running: asyncio.run in a handler)."""
    previous = _events._get_running_loop()
    _events._set_running_loop(loop)
    loop._thread_id = _OWNER
    # As run_forever does: async generators left unfinished are closed on this loop.
    hooks = sys.get_asyncgen_hooks()
    sys.set_asyncgen_hooks(firstiter=loop._asyncgen_firstiter_hook, finalizer=loop._asyncgen_finalizer_hook)
    return hooks, previous


def _leave(loop, saved):
    hooks, previous = saved
    sys.set_asyncgen_hooks(*hooks)
    loop._thread_id = None
    _events._set_running_loop(previous)


def step():
    """One turn of the serving loop: ready callbacks run, due timers fire, completed awaits
    resume. Returns (finished tasks, next_turn())."""
    global _finished
    loop = _loop
    if loop is not None:
        saved = _enter(loop)
        try:
            loop._run_once()
        finally:
            _leave(loop, saved)
    done, _finished = _finished, []
    return (done, _next_turn(loop))


def next_turn():
    """Seconds until the serving loop needs a turn: 0 now, -1 only when woken, -2 no loop yet."""
    return _next_turn(_loop)


def _next_turn(loop):
    if loop is None:
        return -2.0
    if loop._ready:
        return 0.0
    if loop._scheduled:
        return max(0.0, loop._scheduled[0]._when - loop.time())
    return -1.0


def cancel(tids):
    """Cancels the loop's tasks `tids` (their deadline passed, or their caller gave up)."""
    for tid in tids:
        task = _tasks.get(tid)
        if task is not None:
            task.cancel()


def help():
    """Runs here one queued sub-task that the loop's tasks await; True if it ran one."""
    return bool(HELP()) if HELP is not None and _loop is not None else False


def current_task():
    """The id of the task whose code runs now on the loop (None outside it)."""
    return _TASK_ID.get()


def run_on_loop(awaitable):
    """Runs `awaitable` to its end on the serving loop from sync code (a setup or teardown),
    blocking this interpreter meanwhile; the loop's other tasks go on too."""
    loop = _serving_loop()
    loop._covet_driven = False
    try:
        return loop.run_until_complete(awaitable)
    finally:
        loop._covet_driven = True


def imported_sources():
    """The source files of the modules imported so far, separated by NUL (for Covet's bytecode compiler)."""
    files = []
    for module in list(sys.modules.values()):
        try:
            f = vars(module).get('__file__')   # not getattr: a module's __getattr__ (java's) may raise
        except TypeError:
            continue
        if isinstance(f, str) and f.endswith('.py'):
            files.append(f)
    return '\0'.join(files)


def describe(exc):
    """(qualified type name, message, formatted traceback) of a Python exception."""
    cls = type(exc)
    qual = cls.__qualname__ if cls.__module__ == 'builtins' else f"{cls.__module__}.{cls.__qualname__}"
    return (qual, str(exc), ''.join(traceback.format_exception(exc)))


# Values from Java: Java builds Python objects through these constructors, so user code only
# ever sees native Python objects (never a foreign Java wrapper).
NONE = None


EMPTY_BYTES = b''


# Containers cross in one call each (a call per item cost more than the items themselves).
def tuple_of(*items):
    return items


def to_tuple(items):
    return tuple(items)


def list_of(*items):
    return list(items)


def extend_list(items, *more):
    items.extend(more)


def dict_of(*keys_and_values):
    pairs = iter(keys_and_values)
    return dict(zip(pairs, pairs))


def update_dict(d, *keys_and_values):
    pairs = iter(keys_and_values)
    d.update(zip(pairs, pairs))


def big_int(text):
    return int(text)


def latin1_bytes(text):
    # One bulk copy: Java packs bytes into a Latin-1 string (one char per byte).
    return text.encode('latin-1')


def latin1_array(typecode, text):
    out = array.array(typecode)
    out.frombytes(text.encode('latin-1'))
    return out


_INT64 = range(-2 ** 63, 2 ** 63)
_MAX_DEPTH = 1000
_END = object()   # marks where a container's items end


def to_host(value):
    """`value` as Boundary.toJava reads it in a few calls, whatever its size: [shape, bytes,
    leaf, ...]. The shape has a letter per value, depth first: N None, T True, F False, s str,
    i int of 64 bits, f float, b bytes (then its length and ';': all of them are joined in the
    second item), t/l/d a tuple, list or dict (then its length and ';', then its items, or keys
    and values, in order), o anything else (Java converts it as it is). s, i, f and o values
    are the leaves that follow, in order. A loop, not a recursion: Truffle compiles it once, and
    small (the recursive version took ~10 s of compiler time to settle, 88 KB of code)."""
    shape, blobs, out = [], [], [None, None]
    todo = [value]    # values still to describe, the next one last
    depth = 0
    while todo:
        v = todo.pop()
        t = type(v)
        if v is _END:
            depth -= 1
        elif t is str:
            shape.append('s')
            out.append(v)
        elif v is None:
            shape.append('N')
        elif t is int and v in _INT64:
            shape.append('i')
            out.append(v)
        elif t is bool:
            shape.append('T' if v else 'F')
        elif t is float:
            shape.append('f')
            out.append(v)
        elif t is bytes:
            shape.append(f'b{len(v)};')
            blobs.append(v)
        elif t is tuple or t is list or t is dict:
            depth += 1
            if depth > _MAX_DEPTH:   # a container that contains itself would never end
                raise ValueError(f'nested deeper than {_MAX_DEPTH} levels')
            todo.append(_END)
            if t is dict:
                shape.append(f'd{len(v)};')
                for key, item in reversed(v.items()):
                    todo.append(item)
                    todo.append(key)
            else:
                shape.append(f'{"t" if t is tuple else "l"}{len(v)};')
                todo.extend(v[::-1])
        else:
            shape.append('o')
            out.append(v)
    out[0] = ''.join(shape)
    out[1] = b''.join(blobs)
    return out


def array_info(value):
    """(typecode, itemsize) of an array.array or memoryview, for reading it in bulk."""
    if isinstance(value, memoryview):
        return (value.format, value.itemsize, value.c_contiguous, value.nbytes)
    return (value.typecode, value.itemsize, True, len(value) * value.itemsize)


# Files left open. CPython flushes and closes a file object when it is finalized, at the latest
# as the interpreter exits after its atexit hooks, so `f = open(p, 'w'); f.write(data)` at the
# end of a script reaches the disk; GraalPy finalizes nothing when a context closes. So every file
# open() returns is remembered (weakly: a file dropped early is not kept alive), and
# close_open_files closes what is still open as the context closes normally: it is the first
# atexit hook registered, so it runs after all of the program's own, as in CPython.
_open_files = None


def track_open_files():
    global _open_files
    import builtins
    import io
    import weakref
    _open_files = weakref.WeakSet()
    real_open = io.open

    def open(*args, **kwargs):
        f = real_open(*args, **kwargs)
        try:
            _open_files.add(f)
        except TypeError:   # not weak-referenceable: nothing to remember it by
            pass
        return f

    open.__doc__ = real_open.__doc__
    open.__module__ = 'io'
    open.__qualname__ = 'open'
    builtins.open = io.open = open
    import atexit
    atexit.register(close_open_files)


def close_open_files():
    """Closes (so flushes) the files still open; how many were; one that fails does not stop the rest."""
    if _open_files is None:
        return 0
    closed = 0
    for f in list(_open_files):
        try:
            if not f.closed:
                f.close()
                closed += 1
        except Exception:
            pass
    return closed


# Sandbox guards. The context's own permissions already deny these operations, but some
# surface as internal host errors that Python cannot catch (a socket connect, os.system,
# Thread.start); these guards raise a PermissionError first, naming what to allow.
def _denied(what, setting):
    def deny(*args, **kwargs):
        raise PermissionError(f"{what} is denied by Covet's sandbox (allow it with SandboxPolicy.{setting})")
    return deny


def install_guards(network, threads, processes, host_access):
    import os
    if not network:
        global NETWORK
        NETWORK = False
        import _socket
        import socket
        deny_net = _denied("network access", "network")

        class DeniedSocket(socket.socket):
            def __init__(self, *args, **kwargs):
                deny_net()

        for mod in (socket, _socket):
            for fn in ('getaddrinfo', 'gethostbyname', 'gethostbyname_ex', 'gethostbyaddr',
                       'create_connection', 'create_server', 'socketpair', 'fromfd'):
                if hasattr(mod, fn):
                    setattr(mod, fn, deny_net)
        socket.socket = DeniedSocket
        socket.SocketType = DeniedSocket
        _socket.socket = DeniedSocket
        _socket.SocketType = DeniedSocket
    if not threads:
        global THREADS
        THREADS = False
        import _thread
        import threading
        deny_thread = _denied("starting a thread", "threads")
        _thread.start_new_thread = deny_thread
        if hasattr(_thread, 'start_new'):
            _thread.start_new = deny_thread
        if hasattr(_thread, 'start_joinable_thread'):
            _thread.start_joinable_thread = deny_thread
        threading.Thread.start = deny_thread
        threading._start_new_thread = deny_thread
        if hasattr(threading, '_start_joinable_thread'):
            threading._start_joinable_thread = deny_thread
    if not processes:
        deny_proc = _denied("starting a process", "processes")
        for fn in ('system', 'popen', 'fork', 'forkpty', 'posix_spawn', 'posix_spawnp',
                   'execv', 'execve', 'execl', 'execle', 'execlp', 'execlpe', 'execvp', 'execvpe',
                   'spawnl', 'spawnle', 'spawnlp', 'spawnlpe', 'spawnv', 'spawnve', 'spawnvp', 'spawnvpe'):
            if hasattr(os, fn):
                setattr(os, fn, deny_proc)
    if not host_access:
        try:
            import java
        except ImportError:
            java = None
        if java is not None:
            java.type = _denied("access to Java classes", "hostAccess")
            if hasattr(java, 'add_to_classpath'):
                java.add_to_classpath = _denied("access to Java classes", "hostAccess")


# Host functions (PoolConfig.hostFunction): Java passes one proxy whose members return their
# value, or HOST_ERROR after recording (type_name, message) for `_last_error`. `_covet_host`
# wraps each so that a failure is raised as that exception type: one registered in
# `_covet_host.exception_types` by the Python code that uses the host, else the built-in of that
# name, else RuntimeError.
HOST_ERROR = object()


def install_host(proxy, names):
    import builtins
    import types
    module = types.ModuleType('_covet_host', "Java functions of Covet's runtime (internal).")
    module.exception_types = {}
    last_error = proxy._last_error
    error = HOST_ERROR

    def wrap(name, fn):
        def host_function(*args):
            result = fn(*args)
            if result is error:
                type_name, message = last_error()
                exc_type = module.exception_types.get(type_name) or getattr(builtins, type_name, None)
                if not (isinstance(exc_type, type) and issubclass(exc_type, BaseException)):
                    exc_type = RuntimeError
                raise exc_type(message)
            return result
        host_function.__name__ = name
        return host_function

    for name in names:
        setattr(module, name, wrap(name, getattr(proxy, name)))
    sys.modules['_covet_host'] = module

