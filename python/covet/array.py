"""covet.Array: numpy-like arrays whose data stays in Java memory.

    from covet import Array
    import covet.array as ca

    a = Array([1.5, 2.5, 3.0])            # or ca.zeros((1000, 1000)), ca.frombuffer(raw, 'float32')
    b = ca.sqrt(a * 2 + 1)                # each step one call into Java: no element crosses
    total = b.sum()                       # a float
    await perf.sum_array(b)               # the ADR's API takes arrays too, on the CPU lane

An Array holds a reference to an array in off-heap Java memory (io.covet.compute.NdArray), not
its elements: arithmetic, comparisons, reductions, `@` and the functions here run in Java (SIMD
kernels, large arrays split over the cores), so a chain of operations copies nothing into Python.
Elements cross only when Python reads them (indexing, iteration, tolist, tobytes). Memory is
freed when the last reference goes (the JVM's collector notices); arrays of 1 MB and more live in
shared memory, where a CPython worker maps the same bytes.

dtypes: float32, float64, int32, int64, bool (what comparisons give). Like numpy: type promotion,
true division gives floats, floor division and % follow Python's signs, indexing and slicing on
the first axis (a step-1 slice and a row are views), reshape (a view). Unlike numpy: broadcasting
covers equal shapes, scalars and trailing shapes only; integer division by zero raises
ZeroDivisionError; no axis= on reductions; fancy (array) indexing is not supported.
"""
import array as _pyarray
import operator as _operator

import _covet_host as _host

__all__ = ['Array', 'DTYPES', 'zeros', 'ones', 'full', 'from_list', 'frombuffer', 'asarray',
           'sqrt', 'log', 'exp', 'abs', 'dot']

DTYPES = ('float32', 'float64', 'int32', 'int64', 'bool')
# struct/memoryview formats, and array.array typecodes but for bool (built as 'b').
_FORMAT = {'float32': 'f', 'float64': 'd', 'int32': 'i', 'int64': 'q', 'bool': '?'}
_ITEMSIZE = {'float32': 4, 'float64': 8, 'int32': 4, 'int64': 8, 'bool': 1}
_NUMPY_NAMES = {float: 'float64', int: 'int64', bool: 'bool'}
# (array.array typecode or memoryview format, itemsize) -> dtype, for reading them in bulk.
_ARRAY_CODES = {('d', 8): 'float64', ('f', 4): 'float32', ('i', 4): 'int32', ('l', 8): 'int64', ('q', 8): 'int64',
                ('?', 1): 'bool'}
# Elements fetched per call into Java while iterating.
_CHUNK = 8192
_INT64 = (-(1 << 63), (1 << 63) - 1)
# True while covet._values pickles a value for another interpreter or a worker.
_BY_REFERENCE = False


class ByReference(Exception):
    """Raised by Array.__reduce__ while pickling for another interpreter: arrays cross by reference."""


def _call(*args):
    try:
        return _host.array(*args)
    except AttributeError:
        raise RuntimeError("covet.Array needs the Covet runtime (covet run / covet exec); in a CPython "
                           "worker an Array arrives as a numpy array") from None


def _wrap(t):
    """An Array for the (handle, dtype, shape) that Java answers with."""
    a = Array.__new__(Array)
    a._h, a.dtype, a.shape = t
    return a


def _dtype_name(dtype):
    if dtype is None:
        return None
    name = _NUMPY_NAMES.get(dtype, dtype)
    if not isinstance(name, str) and hasattr(dtype, 'name'):   # a numpy dtype object
        name = dtype.name
    if name not in DTYPES:
        raise TypeError(f"unsupported dtype {dtype!r}; covet.Array takes {', '.join(DTYPES)}")
    return name


def _shape_of(shape):
    if isinstance(shape, int) and not isinstance(shape, bool):
        return (shape,)
    try:
        out = tuple(_operator.index(d) for d in shape)
    except TypeError:
        raise TypeError(f"a shape must be an int or a tuple of ints, got {shape!r}") from None
    return out


def _flatten(values):
    """(shape, flat list) of nested lists/tuples; ragged nesting is numpy's ValueError."""
    shape = []
    level = values
    while isinstance(level, (list, tuple, range, Array)):
        shape.append(len(level))
        if not len(level):
            break
        level = level[0]
    if len(shape) == 1:
        return tuple(shape), list(values)
    flat = []

    def walk(v, depth):
        if depth == len(shape):
            if isinstance(v, (list, tuple)):
                raise ValueError("setting an array element with a sequence: the nested lists are ragged")
            flat.append(v)
            return
        if not isinstance(v, (list, tuple, range, Array)) or len(v) != shape[depth]:
            raise ValueError(f"setting an array element with a sequence: the nested lists are ragged "
                             f"(inhomogeneous after {depth} dimensions, expected {tuple(shape)})")
        for item in v:
            walk(item, depth + 1)
    walk(values, 0)
    return tuple(shape), flat


def _infer(flat):
    kind = 'bool'
    for v in flat:
        t = type(v)
        if t is bool:
            continue
        if t is float or isinstance(v, float):
            return 'float64'
        if isinstance(v, int):
            kind = 'int64'
            continue
        raise TypeError(f"covet.Array holds numbers, got an element of type {t.__name__}")
    return kind if flat else 'float64'


def from_list(values, dtype=None):
    """An Array of the numbers in a (nested) list; dtype inferred as numpy does (float64 if any
    float, else int64, bool for bools)."""
    shape, flat = _flatten(values)
    name = _dtype_name(dtype) or _infer(flat)
    if name == 'bool':
        flat = [1 if v else 0 for v in flat]   # any nonzero number (NaN too) is True, as numpy
    code = 'b' if name == 'bool' else _FORMAT[name]
    try:
        data = _pyarray.array(code, flat)
    except TypeError:
        bad = next((v for v in flat if isinstance(v, bool) or not isinstance(v, (int, float))), None)
        if bad is not None:
            raise TypeError(f"covet.Array holds numbers, got an element of type {type(bad).__name__}") from None
        data = _pyarray.array(code, [int(v) for v in flat])   # floats into an int dtype truncate, as numpy
    except OverflowError:
        raise OverflowError(f"a value does not fit in {name}") from None
    return _wrap(_call('from_bytes', memoryview(data).cast('B'), name, shape))


def frombuffer(buffer, dtype='float64'):
    """A 1-D Array of a bytes-like object's contents read as `dtype` (copied once into Java memory)."""
    name = _dtype_name(dtype)
    view = memoryview(buffer).cast('B')
    if view.nbytes % _ITEMSIZE[name]:
        raise ValueError(f"buffer size ({view.nbytes} bytes) must be a multiple of element size ({_ITEMSIZE[name]})")
    return _wrap(_call('from_bytes', view, name, (view.nbytes // _ITEMSIZE[name],)))


def zeros(shape, dtype='float64'):
    return _wrap(_call('zeros', _dtype_name(dtype), _shape_of(shape)))


def full(shape, value, dtype=None):
    a = zeros(shape, dtype or _NUMPY_NAMES.get(type(value), 'float64'))
    a.fill(value)
    return a


def ones(shape, dtype='float64'):
    return full(shape, 1, dtype)


def asarray(data, dtype=None):
    """`data` if it is an Array of that dtype already, else a new Array."""
    if isinstance(data, Array) and (dtype is None or _dtype_name(dtype) == data.dtype):
        return data
    return Array(data, dtype)


def _unary(name, a, out=None):
    if not isinstance(a, Array):
        a = Array(a)
    if out is None:
        return _wrap(_call('unary', name, a._h))
    if not isinstance(out, Array):
        raise TypeError(f"out must be a covet.Array, got {type(out).__name__}")
    _call('unary_into', name, a._h, out._h)
    return out


def sqrt(a, out=None):
    """Square roots; `out=` (an Array of a's shape, a itself too) takes the result instead of a new array."""
    return _unary('sqrt', a, out)


def log(a, out=None):
    return _unary('log', a, out)


def exp(a, out=None):
    return _unary('exp', a, out)


def abs(a, out=None):   # noqa: A001 (numpy's name)
    return _unary('abs', a, out)


def dot(a, b):
    return asarray(a).dot(b)


def _scalar(value, what):
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if not _INT64[0] <= value <= _INT64[1]:
            raise OverflowError(f"Python integer {value} out of bounds for int64")
        return int(value)
    if isinstance(value, float):
        return float(value)
    raise TypeError(f"{what} must be a number, got {type(value).__name__}")


class Array:
    """An n-dimensional array in Java memory; see the module's docstring."""

    __slots__ = ('_h', 'dtype', 'shape', '__weakref__')
    __hash__ = None

    def __init__(self, data, dtype=None):
        if isinstance(data, Array):
            made = data.astype(_dtype_name(dtype) or data.dtype)
        elif isinstance(data, (_pyarray.array, memoryview)):
            code = data.typecode if isinstance(data, _pyarray.array) else data.format
            name = _ARRAY_CODES.get((code, data.itemsize))
            if name is not None and (dtype is None or _dtype_name(dtype) == name) and (
                    isinstance(data, _pyarray.array) or data.c_contiguous):
                made = _wrap(_call('from_bytes', memoryview(data).cast('B'), name, (len(data),) if isinstance(
                    data, _pyarray.array) else data.shape))
            else:
                made = from_list(data.tolist(), dtype)
        elif isinstance(data, (bytes, bytearray)):
            raise TypeError("covet.Array(bytes): use covet.array.frombuffer(data, dtype) to read bytes as numbers")
        else:
            made = from_list(data, dtype)
        self._h, self.dtype, self.shape = made._h, made.dtype, made.shape

    from_list = staticmethod(from_list)
    frombuffer = staticmethod(frombuffer)
    zeros = staticmethod(zeros)

    # ---- what it is ----------------------------------------------------------------------------

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        n = 1
        for d in self.shape:
            n *= d
        return n

    @property
    def itemsize(self):
        return _ITEMSIZE[self.dtype]

    @property
    def nbytes(self):
        return self.size * _ITEMSIZE[self.dtype]

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __repr__(self):
        if self.size <= 1000:
            return f"covet.Array({self.tolist()!r}, dtype='{self.dtype}')"
        return f"covet.Array(shape={self.shape}, dtype='{self.dtype}')"

    def __reduce__(self):
        if _BY_REFERENCE:
            raise ByReference()   # covet._values pickles it again, as a reference to this memory
        # Pickled elsewhere (a file, a cache), an Array is its bytes.
        return (_rebuild, (self.tobytes(), self.dtype, self.shape))

    # ---- elements --------------------------------------------------------------------------------

    def tobytes(self):
        return _call('bytes', self._h, 0, self.size)

    def tolist(self):
        flat = memoryview(self.tobytes()).cast(_FORMAT[self.dtype]).tolist()
        return flat[0] if not self.shape else _nest(flat, self.shape)

    def item(self, *index):
        """The element at a flat index, or at one index per dimension, as a Python scalar."""
        if not index:
            if self.size != 1:
                raise ValueError("can only convert an array of size 1 to a Python scalar")
            return _call('item', self._h, 0)
        if len(index) == 1:
            i = _operator.index(index[0])
            n = self.size
            if not -n <= i < n:
                raise IndexError(f"index {i} is out of bounds for size {n}")
            return _call('item', self._h, i + n if i < 0 else i)
        if len(index) != len(self.shape):
            raise ValueError("incorrect number of indices for array")
        return _call('item', self._h, self._flat_index(index))

    def __iter__(self):
        if not self.shape:
            raise TypeError("iteration over a 0-d array")
        if len(self.shape) != 1:
            for i in range(self.shape[0]):
                yield _wrap(_call('row', self._h, i))
            return
        fmt = _FORMAT[self.dtype]
        n = self.shape[0]
        for start in range(0, n, _CHUNK):
            yield from memoryview(_call('bytes', self._h, start, min(n, start + _CHUNK))).cast(fmt).tolist()

    def _index(self, i, axis):
        n = self.shape[axis]
        j = i + n if i < 0 else i
        if not 0 <= j < n:
            raise IndexError(f"index {i} is out of bounds for axis {axis} with size {n}")
        return j

    def _flat_index(self, key):
        flat = 0
        for axis, i in enumerate(key):
            flat = flat * self.shape[axis] + self._index(i, axis)
        return flat

    def __getitem__(self, key):
        if not self.shape:
            raise IndexError("too many indices for array: array is 0-dimensional")
        if isinstance(key, int) and not isinstance(key, bool):
            i = self._index(key, 0)
            return _call('item', self._h, i) if len(self.shape) == 1 else _wrap(_call('row', self._h, i))
        if isinstance(key, slice):
            start, stop, step = key.indices(self.shape[0])
            return _wrap(_call('slice', self._h, start, stop, step))
        if isinstance(key, tuple):
            if len(key) > len(self.shape):
                raise IndexError(f"too many indices for array: array is {len(self.shape)}-dimensional, "
                                 f"but {len(key)} were indexed")
            if len(key) == len(self.shape) and all(isinstance(i, int) and not isinstance(i, bool) for i in key):
                return _call('item', self._h, self._flat_index(key))
            target = self
            for pos, k in enumerate(key):
                if isinstance(k, slice) and pos != len(key) - 1:
                    raise IndexError("covet.Array takes a slice only as the last index (a[i, j:k]), "
                                     "not before another index")
                target = target[k]
            return target
        raise IndexError("only integers, slices and tuples of them are valid covet.Array indices "
                         f"(got {type(key).__name__}); boolean and integer-array indexing are not supported")

    def __setitem__(self, key, value):
        if not self.shape:
            raise IndexError("too many indices for array: array is 0-dimensional")
        if isinstance(key, int) and not isinstance(key, bool) and len(self.shape) == 1:
            _call('set_item', self._h, self._index(key, 0), _scalar(value, 'the value'))
            return
        if isinstance(key, tuple):
            if len(key) == len(self.shape) and all(isinstance(i, int) and not isinstance(i, bool) for i in key):
                _call('set_item', self._h, self._flat_index(key), _scalar(value, 'the value'))
                return
            if any(isinstance(k, slice) for k in key[:-1]):
                raise IndexError("covet.Array takes a slice only as the last index (a[i, j:k]), "
                                 "not before another index")
            if len(key) > len(self.shape):
                raise IndexError(f"too many indices for array: array is {len(self.shape)}-dimensional, "
                                 f"but {len(key)} were indexed")
            if len(key) == 1:
                self[key[0]] = value
                return
            # Leading ints select a row (a view); the last index applies to it.
            self[key[:-1] if len(key) > 2 else key[0]][key[-1]] = value
            return
        if isinstance(key, slice) and key.indices(self.shape[0])[2] != 1:
            self._assign_rows(range(*key.indices(self.shape[0])), value)
            return
        view = self[key]
        if not isinstance(view, Array):
            raise IndexError(f"cannot assign to index {key!r}")
        if isinstance(value, (int, float, bool)):
            _call('fill', view._h, _scalar(value, 'the value'))
        else:
            source = asarray(value)
            _call('assign', view._h, source._h)

    def _assign_rows(self, rows, value):
        """a[start:stop:step] = value: a stepped slice is a copy in Java, so its rows are written
        one by one, from a copy of value (it may be this very array) broadcast as numpy does."""
        if isinstance(value, (int, float, bool)):
            for i in rows:
                self[i] = value
            return
        source = Array(value)   # a copy
        row_shape = self.shape[1:]
        if source.shape == row_shape:
            for i in rows:
                self[i] = source
        elif source.shape == (len(rows),) + row_shape:
            for i, k in zip(rows, range(len(rows))):
                self[i] = source[k]
        else:
            raise ValueError(f"could not broadcast input array from shape {source.shape} into shape "
                             f"{(len(rows),) + row_shape}")

    def fill(self, value):
        _call('fill', self._h, _scalar(value, 'the fill value'))

    # ---- shapes and copies -------------------------------------------------------------------------

    def reshape(self, *shape):
        shape = shape[0] if len(shape) == 1 and not isinstance(shape[0], int) else shape
        return _wrap(_call('reshape', self._h, _shape_of(shape)))

    def ravel(self):
        return self.reshape(-1)

    def flatten(self):
        return self.copy().reshape(-1)

    def copy(self):
        return _wrap(_call('copy', self._h))

    def astype(self, dtype):
        return _wrap(_call('astype', self._h, _dtype_name(dtype)))

    # ---- arithmetic and comparisons ----------------------------------------------------------------

    def _binary(self, name, other, reflected=False):
        if isinstance(other, Array):
            left, right = (other, self) if reflected else (self, other)
            return _wrap(_call('binary', name, left._h, right._h, False))
        if isinstance(other, (int, float)):
            return _wrap(_call('binary', name, self._h, _scalar(other, 'the operand'), reflected))
        if isinstance(other, (list, tuple)):
            return self._binary(name, Array(other), reflected)
        return NotImplemented

    def __add__(self, other):
        return self._binary('add', other)

    def __radd__(self, other):
        return self._binary('add', other, True)

    def __sub__(self, other):
        return self._binary('sub', other)

    def __rsub__(self, other):
        return self._binary('sub', other, True)

    def __mul__(self, other):
        return self._binary('mul', other)

    def __rmul__(self, other):
        return self._binary('mul', other, True)

    def __truediv__(self, other):
        return self._binary('truediv', other)

    def __rtruediv__(self, other):
        return self._binary('truediv', other, True)

    def __floordiv__(self, other):
        return self._binary('floordiv', other)

    def __rfloordiv__(self, other):
        return self._binary('floordiv', other, True)

    def __mod__(self, other):
        return self._binary('mod', other)

    def __rmod__(self, other):
        return self._binary('mod', other, True)

    def __pow__(self, other):
        return self._binary('pow', other)

    def __rpow__(self, other):
        return self._binary('pow', other, True)

    def _in_place(self, name, other):
        if isinstance(other, (list, tuple)):
            other = Array(other)
        if isinstance(other, Array):
            _call('binary_in_place', name, self._h, other._h)
        elif isinstance(other, (int, float)):
            _call('binary_in_place', name, self._h, _scalar(other, 'the operand'))
        else:
            return NotImplemented
        return self

    # In place, as numpy: the result goes into this array's memory (no new array).
    def __iadd__(self, other):
        return self._in_place('add', other)

    def __isub__(self, other):
        return self._in_place('sub', other)

    def __imul__(self, other):
        return self._in_place('mul', other)

    def __itruediv__(self, other):
        return self._in_place('truediv', other)

    def __ifloordiv__(self, other):
        return self._in_place('floordiv', other)

    def __imod__(self, other):
        return self._in_place('mod', other)

    def __ipow__(self, other):
        return self._in_place('pow', other)

    def __eq__(self, other):
        return self._binary('eq', other)

    def __ne__(self, other):
        return self._binary('ne', other)

    def __lt__(self, other):
        return self._binary('lt', other)

    def __le__(self, other):
        return self._binary('le', other)

    def __gt__(self, other):
        return self._binary('gt', other)

    def __ge__(self, other):
        return self._binary('ge', other)

    def __neg__(self):
        return _wrap(_call('unary', 'negate', self._h))

    def __pos__(self):
        return self.copy()

    def __abs__(self):
        return _wrap(_call('unary', 'abs', self._h))

    def __matmul__(self, other):
        other = asarray(other)
        result = _call('matmul', self._h, other._h)
        return _wrap(result) if isinstance(result, tuple) else result

    def __rmatmul__(self, other):
        return asarray(other).__matmul__(self)

    def dot(self, other):
        return self.__matmul__(other)

    def __bool__(self):
        if self.size != 1:
            raise ValueError("The truth value of an array with more than one element is ambiguous. "
                             "Use a.any() or a.all()")
        return bool(_call('item', self._h, 0))

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    # ---- reductions ------------------------------------------------------------------------------

    @staticmethod
    def _no_axis(axis, name):
        if axis is not None:
            raise TypeError(f"covet.Array.{name}: axis= is not supported; it reduces every element")

    def sum(self, axis=None):
        self._no_axis(axis, 'sum')
        return _call('sum', self._h)

    def mean(self, axis=None):
        self._no_axis(axis, 'mean')
        return _call('mean', self._h)

    def min(self, axis=None):
        self._no_axis(axis, 'min')
        return _call('min', self._h)

    def max(self, axis=None):
        self._no_axis(axis, 'max')
        return _call('max', self._h)

    def any(self):
        return bool(self.size) and _call('sum', (self != 0)._h) > 0

    def all(self):
        return _call('sum', (self != 0)._h) == self.size


def _nest(flat, shape):
    if len(shape) <= 1:
        return flat
    step = len(flat) // shape[0] if shape[0] else 0
    return [_nest(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def _attach(ref, dtype, shape):
    """The array an _ArrayPickler's reference names, here: in a Covet interpreter `ref` is the
    handle itself; in a CPython worker Java made it ('shm', file, offset, dtype, shape), shared
    memory that numpy maps (the same bytes: writes are seen by the sender), or ('bytes', data,
    dtype, shape) for one outside shared memory, copied. In a worker, dtype and shape are Java's."""
    if not isinstance(ref, tuple):
        return _wrap((ref, dtype, shape))
    try:
        import numpy
    except ImportError:
        raise ImportError("a covet.Array sent to a CPython worker arrives as a numpy array: install numpy "
                          "for the worker's python3") from None
    kind, dtype, shape = ref[0], ref[-2], tuple(ref[-1])
    count = 1
    for d in shape:
        count *= d
    if kind == 'shm':
        import mmap
        path, offset = ref[1], ref[2]
        nbytes = count * numpy.dtype(dtype).itemsize
        if not nbytes:
            return numpy.empty(shape, dtype=dtype)
        start = offset - offset % mmap.ALLOCATIONGRANULARITY   # a mapping starts on a page
        with open(path, 'r+b') as f:
            mapped = mmap.mmap(f.fileno(), offset - start + nbytes, offset=start)
        return numpy.frombuffer(mapped, dtype=dtype, count=count, offset=offset - start).reshape(shape)
    return numpy.frombuffer(bytearray(ref[1]), dtype=dtype, count=count).reshape(shape)


def _from_numpy(data, dtype, shape):
    """A numpy array a CPython worker returned (its bytes), here: a covet.Array where the runtime
    is, else (a worker receiving it back) a numpy array again."""
    if hasattr(_host, 'array'):
        return _wrap(_call('from_bytes', memoryview(data).cast('B'), dtype, shape))
    import numpy
    return numpy.frombuffer(bytearray(data), dtype=dtype).reshape(shape)


def _rebuild(data, dtype, shape):
    try:
        import numpy
    except ImportError:
        numpy = None
    if numpy is not None and not hasattr(_host, 'array'):
        # A CPython worker with numpy: a numpy array, as the ADR's worker functions expect.
        return numpy.frombuffer(data, dtype=dtype).reshape(shape).copy()
    if not hasattr(_host, 'array'):
        raise RuntimeError("a covet.Array reached a process without the Covet runtime or numpy")
    return _wrap(_call('from_bytes', memoryview(data).cast('B'), dtype, shape))
