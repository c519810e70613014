"""How values and functions cross between interpreters.

Scalars (None, bool, int, float, str, bytes) and float arrays (array.array of 'd' or 'f', moved
in bulk) cross directly through Covet's boundary; everything else, containers included, crosses
as one pickled bytes object, as with multiprocessing. Measured: the boundary converts a list
item by item (several interop calls per item, each way), which made a parallel_map chunk of 8
small items cost about 1 ms; one pickled bytes object costs a few tens of microseconds.
Functions cross by reference (module and qualified name), so they must be defined at module
level.
"""
import array
import importlib
import pickle
import sys

# True in the interpreter that runs the `covet exec` script as __main__ (set by _runtime.run_main).
IS_MAIN = False
# Functions already resolved in this interpreter, by (module, qualname).
_resolved = {}

_SCALARS = frozenset((type(None), bool, int, float, str, bytes))


def dumps(value, what="value"):
    try:
        return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as e:
        raise TypeError(f"cannot send {what} of type {type(value).__qualname__} to another interpreter: "
                        f"it is not a plain value and pickle failed ({e})") from None


def encode(value, what="value"):
    """('v', value) for scalars and float arrays, ('p', pickled bytes) for the rest, or
    ('r', (pickled bytes, array handles)) when it holds covet.Arrays: they cross by reference
    (Java passes the same memory to another interpreter, or maps it into a CPython worker),
    not by their bytes."""
    t = type(value)
    if t in _SCALARS or (t is array.array and value.typecode in ('d', 'f')):
        return ('v', value)
    from . import array as _array
    in_worker = not hasattr(_host(), 'array')
    if not in_worker:
        outer = _array._BY_REFERENCE
        _array._BY_REFERENCE = True
        try:
            return ('p', pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        except _array.ByReference:
            pass   # it holds arrays: pickle again, keeping them aside
        except Exception as e:
            raise TypeError(f"cannot send {what} of type {type(value).__qualname__} to another interpreter: "
                            f"it is not a plain value and pickle failed ({e})") from None
        finally:
            _array._BY_REFERENCE = outer
    import io
    out = io.BytesIO()
    pickler = _ArrayPickler(out)
    try:
        pickler.dump(value)
    except Exception as e:
        raise TypeError(f"cannot send {what} of type {type(value).__qualname__} to another interpreter: "
                        f"it is not a plain value and pickle failed ({e})") from None
    if not pickler.marked:
        return ('p', out.getvalue())
    return ('r', (out.getvalue(), pickler.handles))


def _host():
    import _covet_host
    return _covet_host


def decode(encoding, payload):
    if encoding == 'v':
        return payload
    if encoding == 'r':
        data, arrays = payload
        return _Unpickler(data, arrays).load()
    return loads(payload)


class _ArrayPickler(pickle.Pickler):
    """Pickles covet.Arrays as references to their handles, collected in `handles`; in a CPython
    worker, numpy arrays and scalars (which GraalPy cannot unpickle) as their bytes and values,
    which become a covet.Array and Python numbers on the other side."""

    def __init__(self, file):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.handles = []
        self.marked = False

    def persistent_id(self, obj):
        from .array import Array
        t = type(obj)
        if t is Array:
            self.marked = True
            self.handles.append(obj._h)
            return ('covet.Array', len(self.handles) - 1, obj.dtype, obj.shape)
        if t.__module__ == 'numpy':
            if t.__name__ == 'ndarray' and obj.dtype.name in _NUMPY_DTYPES:
                self.marked = True
                return ('covet.ndarray', obj.dtype.name, obj.shape, obj.tobytes())
            if hasattr(obj, 'item') and hasattr(obj, 'dtype') and not obj.shape:
                self.marked = True
                return ('covet.scalar', obj.item())
        return None


# numpy dtypes a worker's result may carry back as a covet.Array.
_NUMPY_DTYPES = frozenset(('float32', 'float64', 'int32', 'int64', 'bool'))


# Modules GraalPy names by their pure-Python implementation, which CPython (a CPython worker)
# may not have under that name: CPython 3.11 has no _pydatetime.
_SAME_MODULE = {'_pydatetime': 'datetime', '_pydecimal': 'decimal'}


class _Unpickler(pickle.Unpickler):
    """Maps the script's module between its two names: `__main__` where `covet exec` runs it,
    `__mp_main__` in every other interpreter (as multiprocessing's spawn does); and GraalPy's
    pure-Python module names to the public ones. With `arrays` (what Java made of an
    _ArrayPickler's handles), rebuilds the covet.Arrays that crossed by reference."""

    def __init__(self, data, arrays=None):
        import io
        super().__init__(io.BytesIO(data))
        self._arrays = arrays

    def persistent_load(self, pid):
        kind = pid[0] if isinstance(pid, tuple) and pid else None
        from . import array as _array
        if kind == 'covet.Array' and self._arrays is not None:
            _, index, dtype, shape = pid
            return _array._attach(self._arrays[index], dtype, tuple(shape))
        if kind == 'covet.ndarray':
            _, dtype, shape, data = pid
            return _array._from_numpy(data, dtype, tuple(shape))
        if kind == 'covet.scalar':
            return pid[1]
        raise pickle.UnpicklingError(f"unsupported persistent id {pid!r}")

    def find_class(self, module, name):
        return super().find_class(_SAME_MODULE.get(module) or main_module_name(module), name)


def loads(data):
    # The subclass (pure Python in GraalPy) is only needed when one of those modules is named.
    if b'__main__' in data or b'__mp_main__' in data or b'_pyd' in data:
        return _Unpickler(data).load()
    return pickle.loads(data)


def main_module_name(module):
    if module == '__main__' and not IS_MAIN:
        import_module('__mp_main__')
        return '__mp_main__'
    if module == '__mp_main__' and IS_MAIN:
        return '__main__'
    return module


def func_ref(fn, api):
    """(module, qualname, None) for other interpreters to import, or (None, None, pickled) for
    callables that are not module-level functions (functools.partial, objects with __call__)."""
    if not callable(fn):
        raise TypeError(f"{api} needs a function, got {type(fn).__qualname__}")
    target = getattr(fn, '__covet_original__', fn)
    qual = getattr(target, '__qualname__', None)
    module = getattr(target, '__module__', None)
    if isinstance(qual, str) and '<lambda>' in qual:
        raise TypeError(f"{api} needs a module-level function, as with pickling: a lambda cannot be "
                        f"sent to another interpreter; define it with def at module level")
    if isinstance(qual, str) and '<locals>' in qual:
        raise TypeError(f"{api} needs a module-level function, as with pickling: {qual} is defined "
                        f"inside another function (a closure); move it to module level")
    if isinstance(qual, str) and isinstance(module, str):
        if module == '__main__' and IS_MAIN:
            module = '__mp_main__'
        return (module, qual, None)
    return (None, None, dumps(fn, f"the function given to {api}"))


def resolve(module, qual, pickled):
    if pickled is not None:
        return loads(pickled)
    key = (module, qual)
    fn = _resolved.get(key)
    if fn is None:
        obj = import_module(main_module_name(module))
        for part in qual.split('.'):
            obj = getattr(obj, part)
        fn = getattr(obj, '__covet_original__', obj)
        if len(_resolved) < 1024:
            _resolved[key] = fn
    return fn


def import_module(name):
    module = sys.modules.get(name)
    if module is not None:
        return module
    if name == '__mp_main__':
        return _import_main_script()
    return importlib.import_module(name)


def _import_main_script():
    """Imports the script `covet exec` runs, under the name __mp_main__, so its
    `if __name__ == "__main__":` block does not run again here."""
    import importlib.util
    import _covet_host
    script = _covet_host.main_script()
    if script is None:
        if _covet_host.__name__ == 'covet._local_host':
            # A Covet CPython worker: its own finder imports the script it was given as __mp_main__.
            return importlib.import_module('__mp_main__')
        raise ImportError("a function from __main__ was sent here, but this runtime runs no script "
                          "(only functions of importable modules can cross interpreters)")
    path, argv = script
    sys.argv = list(argv)  # as multiprocessing's spawn gives its children the parent's argv
    spec = importlib.util.spec_from_file_location('__mp_main__', path)
    module = importlib.util.module_from_spec(spec)
    sys.modules['__mp_main__'] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules['__mp_main__']
        raise
    return module
