"""A Covet CPython worker: runs the functions a Covet WorkerPool (io.covet.workers) sends it, one
at a time, in this real CPython process (so C extensions such as numpy work).

Protocol: length-prefixed frames over the pipes the pool started this process with. A frame is a
4-byte big-endian length n, then n bytes: a 1-byte type and the payload.

    pool -> worker (this process's stdin)
      C  the first frame: pickled dict {id, path, main, argv}
      T  a task: pickled (module, qualname, args, kwargs)
      Q  exit now (the pool's quit; EOF on stdin means the same)
    worker -> pool (this process's original stdout)
      R  ready: pickled dict {pid, version, executable}
      O  the task's return value, pickled
      E  the task's exception: three length-prefixed UTF-8 strings (type, message, traceback),
         then the pickled exception (empty if it cannot be pickled)
      S  bytes the task wrote to stdout

User code never sees the protocol pipes: its stdin is /dev/null and its stdout (fd 1, so C code
and child processes too) is a fresh pipe whose bytes a thread here forwards as S frames. Its
stderr is the process's own, which the pool reads. Functions are found by module and qualified
name, as pickle and ProcessPoolExecutor find them; `__main__` means the script the pool names in
its config, imported as `__mp_main__` so that its `if __name__ == "__main__":` block does not run.
"""
import faulthandler
import importlib
import importlib.abc
import importlib.util
import io
import os
import pickle
import signal
import struct
import sys
import threading
import time
import traceback

_HEADER = struct.Struct('>I')
_MAIN_NAMES = ('__main__', '__mp_main__')


class Channel:
    """The protocol pipes: frames in, frames out (one writer at a time)."""

    def __init__(self, read_fd, write_fd):
        self._in = os.fdopen(read_fd, 'rb')
        self._out = os.fdopen(write_fd, 'wb')
        self._lock = threading.Lock()

    def receive(self):
        """(type, payload), or (None, None) at end of input."""
        header = self._in.read(4)
        if len(header) < 4:
            return None, None
        (n,) = _HEADER.unpack(header)
        body = self._in.read(n)
        if len(body) < n or n < 1:
            return None, None
        return body[:1], body[1:]

    def send(self, kind, payload):
        with self._lock:
            self._out.write(_HEADER.pack(len(payload) + 1))
            self._out.write(kind)
            self._out.write(payload)
            self._out.flush()


class MainScriptFinder(importlib.abc.MetaPathFinder):
    """Imports the pool's main script as `__mp_main__` when a task first needs it."""

    def __init__(self, path):
        self.path = path

    def find_spec(self, name, path=None, target=None):
        if name != '__mp_main__':
            return None
        return importlib.util.spec_from_file_location('__mp_main__', self.path)


# Modules that other Pythons (GraalPy) name by their pure-Python implementation, which CPython
# may not have under that name (CPython 3.11 has no _pydatetime).
_SAME_MODULE = {'_pydatetime': 'datetime', '_pydecimal': 'decimal'}


class Unpickler(pickle.Unpickler):
    """Reads classes and functions of `__main__` from the imported main script."""

    def find_class(self, module, name):
        if module in _MAIN_NAMES:
            module = '__mp_main__'
        return super().find_class(_SAME_MODULE.get(module, module), name)


_functions = {}


def resolve(module, qualname):
    key = (module, qualname)
    fn = _functions.get(key)
    if fn is None:
        obj = importlib.import_module('__mp_main__' if module in _MAIN_NAMES else module)
        for part in qualname.split('.'):
            obj = getattr(obj, part)
        # A function decorated to run elsewhere (covet's @perf.cpu_intensive) runs itself here.
        fn = getattr(obj, '__covet_original__', obj)
        if not callable(fn):
            raise TypeError(f"{module}.{qualname} is not callable, it is a {type(fn).__name__}")
        if len(_functions) < 1024:
            _functions[key] = fn
    return fn


def _text(s):
    b = s.encode('utf-8', 'replace')
    return _HEADER.pack(len(b)) + b


def error_payload(exc, skip_frames=0):
    tb = exc.__traceback__
    for _ in range(skip_frames):  # this module's own frames are not the user's business
        if tb is not None:
            tb = tb.tb_next
    text = ''.join(traceback.format_exception(type(exc), exc, tb))
    cls = type(exc)
    name = cls.__qualname__ if cls.__module__ == 'builtins' else f"{cls.__module__}.{cls.__qualname__}"
    try:
        exc.__traceback__ = None  # a traceback cannot be pickled; the text above carries it
        pickled = pickle.dumps(exc, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.loads(pickled)
    except Exception:
        pickled = b''
    return _text(name) + _text(str(exc)) + _text(text) + pickled


def run_task(payload):
    """('O', pickled value) or ('E', error payload)."""
    try:
        module, qualname, args, kwargs = Unpickler(io.BytesIO(payload)).load()
        fn = resolve(module, qualname)
    except BaseException as e:
        return b'E', error_payload(e)
    try:
        value = fn(*args, **(kwargs or {}))
    except BaseException as e:  # SystemExit and KeyboardInterrupt in a task end the task, not the worker
        return b'E', error_payload(e, skip_frames=1)
    try:
        return b'O', pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as e:
        error = TypeError(f"the value returned by {module}.{qualname}() cannot be sent back: it is a "
                          f"{type(value).__qualname__} and pickle failed ({e})")
        return b'E', error_payload(error)


def forward_output(read_fd, channel):
    while True:
        try:
            chunk = os.read(read_fd, 65536)
        except OSError:
            return
        if not chunk:
            return
        try:
            channel.send(b'S', chunk)
        except OSError:
            return


def watch_parent(parent):
    """Exits if the pool's process goes away without telling us (it was killed)."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(70)


def main():
    if sys.version_info < (3, 8):
        sys.stderr.write(f"covet worker: needs Python 3.8 or newer, this is {sys.version.split()[0]}\n")
        return 2
    # A segfault in C code prints the Python stack where it happened to stderr, which the pool reports.
    faulthandler.enable(all_threads=False)
    # The pool decides when workers stop, not a Ctrl-C meant for the covet command.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()
    try:
        # A process group of its own: the pool kills what its tasks leave behind by group, even
        # after this process is gone; and a terminal's Ctrl-C does not reach it.
        os.setsid()
    except OSError:
        pass
    # Whatever start-up code (a .pth, sitecustomize) left in sys.stdout's buffer must not reach the
    # protocol pipe: that object is replaced below without a flush, so it goes to fd 1 after the
    # switch, if ever.
    channel = Channel(os.dup(0), os.dup(1))
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    out_read, out_write = os.pipe()
    os.dup2(out_write, 1)
    os.close(out_write)
    sys.stdout = io.TextIOWrapper(io.FileIO(1, 'w', closefd=False), encoding='utf-8', errors='backslashreplace',
                                  line_buffering=True)
    sys.__stdout__ = sys.stdout
    forwarder = threading.Thread(target=forward_output, args=(out_read, channel), name='covet-output', daemon=True)
    forwarder.start()
    threading.Thread(target=watch_parent, args=(parent,), name='covet-parent-watch', daemon=True).start()

    kind, payload = channel.receive()
    if kind != b'C':
        sys.stderr.write("covet worker: expected the pool's config as the first frame\n")
        return 2
    config = pickle.loads(payload)
    if sys.path and sys.path[0] == os.path.dirname(os.path.abspath(__file__)):
        del sys.path[0]  # this script's own directory (a cache) holds nothing to import
    for entry in reversed(config.get('path') or []):
        if entry not in sys.path:
            sys.path.insert(0, entry)
    main_script = config.get('main')
    if main_script:
        sys.meta_path.insert(0, MainScriptFinder(main_script))
        sys.argv = list(config.get('argv') or [main_script])
    else:
        sys.argv = ['covet-worker']
    channel.send(b'R', pickle.dumps({'pid': os.getpid(), 'version': sys.version.split()[0],
                                     'executable': sys.executable}, protocol=2))

    while True:
        kind, payload = channel.receive()
        if kind is None or kind == b'Q':
            break
        if kind != b'T':
            sys.stderr.write(f"covet worker: unknown frame type {kind!r}; exiting\n")
            return 2
        reply = run_task(payload)
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        channel.send(*reply)
    # Output still in the pipe goes out before we do (a child process may hold the pipe open: don't wait for it).
    sys.stdout.flush()
    os.close(1)
    forwarder.join(0.5)
    return 0


if __name__ == '__main__':
    status = 1
    try:
        status = main()
    except BaseException:
        traceback.print_exc()
    finally:
        try:
            sys.stderr.flush()
        finally:
            os._exit(status)  # daemon threads and atexit hooks of user code do not keep a worker alive
