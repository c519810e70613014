# Covet's side of the Java<->Python boundary, loaded into every pooled interpreter as the
# module `_covet_pool` before any user code runs. Java calls these functions directly; they
# are not part of Covet's Python API.
import array
import importlib
import sys
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


def describe(exc):
    """(qualified type name, message, formatted traceback) of a Python exception."""
    cls = type(exc)
    qual = cls.__qualname__ if cls.__module__ == 'builtins' else f"{cls.__module__}.{cls.__qualname__}"
    return (qual, str(exc), ''.join(traceback.format_exception(exc)))


# Values from Java: Java builds Python objects through these constructors, so user code only
# ever sees native Python objects (never a foreign Java wrapper).
NONE = None


def new_list():
    return []


def new_dict():
    return {}


def to_tuple(items):
    return tuple(items)


def big_int(text):
    return int(text)


def latin1_bytes(text):
    # One bulk copy: Java packs bytes into a Latin-1 string (one char per byte).
    return text.encode('latin-1')


def latin1_array(typecode, text):
    out = array.array(typecode)
    out.frombytes(text.encode('latin-1'))
    return out


def array_info(value):
    """(typecode, itemsize) of an array.array or memoryview, for reading it in bulk."""
    if isinstance(value, memoryview):
        return (value.format, value.itemsize, value.c_contiguous, value.nbytes)
    return (value.typecode, value.itemsize, True, len(value) * value.itemsize)


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
