"""Entry points Covet's Java runtime calls in an interpreter (not public API)."""
import sys
import traceback

from . import _values

def run_main(path, argv):
    """Runs a script as `python path args...` would; returns the exit status."""
    import builtins
    import os
    import types
    _values.IS_MAIN = True
    sys.argv = list(argv)
    main = types.ModuleType('__main__')
    main.__file__ = path
    main.__builtins__ = builtins
    sys.modules['__main__'] = main
    script_dir = os.path.dirname(path)
    if script_dir not in sys.path:
        sys.path.insert(0, script_dir)
    try:
        with open(path, 'rb') as f:
            source = f.read()
        exec(compile(source, path, 'exec'), main.__dict__)
        return 0
    except SystemExit as e:
        code = e.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        print(code, file=sys.stderr)
        return 1
    except BaseException as e:
        # As the python command prints it: without this function's own frame.
        tb = e.__traceback__.tb_next if e.__traceback__ is not None else None
        traceback.print_exception(type(e), e, tb)
        return 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass


def run_remote(kind, module, qualname, pickled_fn, encoding, data):
    """Runs work sent from another interpreter: kind 'call' (data: (args, kwargs)), 'map' (data:
    items) or 'reduce' (data: items), with the function module.qualname (or unpickled). Returns
    (0, plain value), (1, pickled value), (2, pickled error) or (3, (pickled value, array handles))."""
    try:
        fn = _values.resolve(module, qualname, pickled_fn)
        data = _values.decode(encoding, data)
        if kind == 'call':
            args, kwargs = data
            result = fn(*args, **(kwargs or {}))
        elif kind == 'map':
            result = [fn(item) for item in data]
        elif kind == 'reduce':
            result = data[0]
            for item in data[1:]:
                result = fn(result, item)
        else:
            raise ValueError(f"unknown remote work kind {kind!r}")
        encoding, payload = _values.encode(result, "the result")
        return (0, payload) if encoding == 'v' else (1, payload) if encoding == 'p' else (3, payload)
    except Exception as e:
        return (2, _values.dumps(encode_error(e)))
    except BaseException as e:
        # SystemExit or KeyboardInterrupt in someone else's function must not exit the caller.
        from .futures import RemoteError
        error = RemoteError(f"{type(e).__name__} raised in another interpreter: {e}")
        error.__traceback__ = e.__traceback__
        return (2, _values.dumps(encode_error(error)))


def encode_error(exc):
    """(pickled exception or None, type name, message, formatted traceback)."""
    tb = ''.join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    cls = type(exc)
    name = cls.__qualname__ if cls.__module__ == 'builtins' else f"{cls.__module__}.{cls.__qualname__}"
    try:
        pickled = _values.dumps(exc)
        _values.loads(pickled)
    except Exception:
        pickled = None
    return (pickled, name, str(exc), tb)


def decode_remote(outcome):
    """The value of run_remote's outcome, or raise its error with the remote traceback as cause."""
    code, payload = outcome
    if code == 0:
        return payload
    if code == 1:
        return _values.loads(payload)
    if code == 3:
        return _values.decode('r', payload)
    raise rebuild_error(*_values.loads(payload))


def rebuild_error(pickled, name, message, tb):
    from .futures import RemoteError, RemoteTraceback
    exc = None
    if pickled is not None:
        try:
            exc = _values.loads(pickled)
        except Exception:
            exc = None
    if exc is None:
        exc = RemoteError(f"{name}: {message}")
    if tb:
        exc.__cause__ = RemoteTraceback(tb)
    return exc
