"""Generated covet.Array programs, run on numpy by the machine's CPython and on covet.Array in a
pooled interpreter: ArrayTest compares the two.

`python3 array_cases.py SEED COUNT` prints one JSON line per case: numpy's outcome.
`compare(seed, count, expected_lines)` (in Covet) runs the same cases on covet.Array and returns a
description of every case whose outcome differs (dtype, shape, values within a float tolerance,
or the exception's type).

Generated: operands of every dtype and of shapes () (a Python scalar), (n,), (r, c), a row or a
one-element array broadcast over a matrix, on either side; every binary operator, in place too; unary functions; reductions;
matmul; indexing, slicing and assignment. Left out, as differences covet.Array documents:
arithmetic on two bool operands, unary functions of bools, integer division or modulo by zero,
a bool array to a power (numpy 1.24 and 2 differ there).
"""
import json
import math
import random
import sys

DTYPES = ('float64', 'float32', 'int32', 'int64', 'bool')
BINARY = ('add', 'sub', 'mul', 'truediv', 'floordiv', 'mod', 'pow', 'eq', 'ne', 'lt', 'le', 'gt', 'ge')
UNARY = ('sqrt', 'log', 'exp', 'abs', 'neg')
REDUCE = ('sum', 'mean', 'min', 'max')
_OPS = {
    'add': lambda a, b: a + b, 'sub': lambda a, b: a - b, 'mul': lambda a, b: a * b,
    'truediv': lambda a, b: a / b, 'floordiv': lambda a, b: a // b, 'mod': lambda a, b: a % b,
    'pow': lambda a, b: a ** b, 'eq': lambda a, b: a == b, 'ne': lambda a, b: a != b,
    'lt': lambda a, b: a < b, 'le': lambda a, b: a <= b, 'gt': lambda a, b: a > b, 'ge': lambda a, b: a >= b,
}


def _library():
    try:
        import covet.array as ca
        return 'covet', ca
    except ImportError:
        import numpy
        return 'numpy', numpy


KIND, LIB = _library()


def _value(rng, dtype, op=None):
    if dtype == 'bool':
        return rng.random() < 0.5
    if dtype.startswith('int'):
        if op == 'pow':
            return rng.randint(-3, 3)
        return rng.randint(-50, 50)
    special = rng.random()
    if special < 0.03:
        return rng.choice([0.0, -0.0, float('inf'), float('-inf'), float('nan')])
    v = round(rng.uniform(-3, 3), 2) if op == 'pow' else round(rng.uniform(-100, 100), rng.choice([0, 1, 3]))
    return v if v else 0.0   # GraalPy's round(-0.3, 0) is 0.0 where CPython's is -0.0


def _values(rng, dtype, shape, op=None, nonzero=False):
    def one():
        v = _value(rng, dtype, op)
        while nonzero and not v:
            v = _value(rng, dtype, op)
        return v
    if not shape:
        return one()
    if len(shape) == 1:
        return [one() for _ in range(shape[0])]
    return [[one() for _ in range(shape[1])] for _ in range(shape[0])]


def make(values, dtype):
    if KIND == 'covet':
        return LIB.Array(values, dtype=dtype)
    return LIB.array(values, dtype=dtype)


def _case(rng):
    kind = rng.choice(['binary'] * 5 + ['inplace', 'unary', 'reduce', 'matmul', 'index', 'setitem'])
    n = rng.randint(0, 7) if kind != 'reduce' else rng.randint(1, 40)
    rows, cols = rng.randint(1, 4), rng.randint(1, 4)
    if kind in ('binary', 'inplace'):
        op = rng.choice(BINARY if kind == 'binary' else BINARY[:7])
        da, db = rng.choice(DTYPES), rng.choice(DTYPES)
        if op not in ('eq', 'ne', 'lt', 'le', 'gt', 'ge') and da == 'bool' and db == 'bool':
            db = 'int64'
        if op == 'pow' and da == 'bool':
            da = 'int64'   # numpy 1.24 squares a bool array for ** 2.0 as int8 (numpy 2: float64)
        layout = rng.choice(['same1', 'same2', 'row', 'lrow', 'one', 'lone', 'scalar', 'rscalar'])
        if kind == 'inplace' and layout == 'rscalar':
            layout = 'scalar'   # no reflected form in place
        sa = {'same1': (n,), 'same2': (rows, cols), 'row': (rows, cols), 'lrow': (cols,), 'one': (rows, cols),
              'lone': (1,), 'scalar': (n,), 'rscalar': (n,)}[layout]
        sb = {'same1': (n,), 'same2': (rows, cols), 'row': (cols,), 'lrow': (rows, cols), 'one': (1,),
              'lone': (rows, cols), 'scalar': (), 'rscalar': ()}[layout]
        int_division = op in ('floordiv', 'mod') and not (da.startswith('float') or db.startswith('float'))
        a = _values(rng, da, sa, op, nonzero=int_division and layout == 'rscalar')   # the divisor there
        b = _values(rng, db, sb, op, nonzero=int_division and layout != 'rscalar')
        if not sb and db == 'float32':
            db = 'float64'   # a Python scalar is a float (float64) or an int (int64)
        if not sb and db == 'int32':
            db = 'int64'
        return {'kind': kind, 'op': op, 'a': a, 'da': da, 'b': b, 'db': db, 'layout': layout}
    if kind == 'unary':
        dtype = rng.choice(DTYPES[:4])
        return {'kind': kind, 'op': rng.choice(UNARY), 'a': _values(rng, dtype, rng.choice([(n,), (rows, cols)])), 'da': dtype}
    if kind == 'reduce':
        dtype = rng.choice(DTYPES)
        values = _values(rng, dtype, (n,))
        if dtype.startswith('float'):
            values = [v if math.isfinite(v) else 1.5 for v in values]   # sums of inf and nan: order-dependent
        return {'kind': kind, 'op': rng.choice(REDUCE), 'a': values, 'da': dtype}
    if kind == 'matmul':
        dtype = rng.choice(DTYPES[:4])
        k = rng.randint(1, 4)
        sa = rng.choice([(rows, k), (k,)])
        sb = rng.choice([(k, cols), (k,)])
        finite = lambda shape: _values(random.Random(rng.random()), 'int64', shape)  # exact in every dtype
        return {'kind': kind, 'a': finite(sa), 'b': finite(sb), 'da': dtype, 'db': rng.choice(DTYPES[:4])}
    shape = rng.choice([(max(n, 1),), (rows, cols)])
    dtype = rng.choice(DTYPES)
    index = _index(rng, shape)
    case = {'kind': kind, 'a': _values(rng, dtype, shape), 'da': dtype, 'index': index}
    if kind == 'setitem':
        case['value'] = _value(rng, dtype if dtype != 'bool' else 'int64')
        if dtype.startswith('int') and isinstance(case['value'], float):
            case['value'] = int(case['value']) if math.isfinite(case['value']) else 7
    return case


def _index(rng, shape):
    """An index as JSON: ['i', n] an int, ['s', start, stop, step] a slice, ['t', ...] a tuple."""
    def one(size):
        if rng.random() < 0.5:
            return ['i', rng.randint(-size - 1, size)]   # out of bounds too
        step = rng.choice([None, 1, 2, -1, 3])
        return ['s', rng.choice([None, rng.randint(-size, size)]), rng.choice([None, rng.randint(-size, size)]), step]
    if len(shape) == 2 and rng.random() < 0.5:
        return ['t', ['i', rng.randint(-shape[0], shape[0] - 1)], one(shape[1])]
    return one(shape[0])


def _key(index):
    if index[0] == 'i':
        return index[1]
    if index[0] == 's':
        return slice(*index[1:])
    return tuple(_key(i) for i in index[1:])


def run_case(case):
    """The case's outcome: ('ok', dtype, shape, flat values) or ('scalar', value) or ('error', type name)."""
    try:
        return _outcome(_run(case))
    except (ValueError, TypeError, IndexError, ZeroDivisionError, OverflowError, FloatingPointError) as e:
        # numpy's own exception classes (UFuncTypeError ...) by the built-in type they extend
        builtin = next(t for t in type(e).__mro__ if t.__module__ == 'builtins')
        return ['error', builtin.__name__]


def _run(case):
    kind = case['kind']
    a = make(case['a'], case['da'])
    if kind == 'binary':
        op = _OPS[case['op']]
        if case['layout'] in ('scalar', 'rscalar'):
            scalar = case['b']
            if case['db'] == 'bool':
                scalar = bool(scalar)
            return op(a, scalar) if case['layout'] == 'scalar' else op(scalar, a)
        return op(a, make(case['b'], case['db']))
    if kind == 'inplace':
        name = case['op']
        b = case['b'] if case['layout'] == 'scalar' else make(case['b'], case['db'])
        if case['layout'] == 'scalar' and case['db'] == 'bool':
            b = bool(b)
        if name == 'add':
            a += b
        elif name == 'sub':
            a -= b
        elif name == 'mul':
            a *= b
        elif name == 'truediv':
            a /= b
        elif name == 'floordiv':
            a //= b
        elif name == 'mod':
            a %= b
        else:
            a **= b
        return a
    if kind == 'unary':
        if case['op'] == 'neg':
            return -a
        return getattr(LIB, case['op'])(a)
    if kind == 'reduce':
        return getattr(a, case['op'])()
    if kind == 'matmul':
        return a @ make(case['b'], case['db'])
    if kind == 'index':
        return a[_key(case['index'])]
    a[_key(case['index'])] = case['value']
    return a


def _outcome(result):
    if hasattr(result, 'shape') and hasattr(result, 'dtype') and (KIND == 'covet' or getattr(result, 'ndim', 0)):
        dtype = result.dtype if KIND == 'covet' else result.dtype.name
        flat = result.tolist()
        for _ in range(len(result.shape) - 1):
            flat = [v for row in flat for v in row]
        return ['ok', str(dtype), list(result.shape), [_number(v) for v in flat]]
    if hasattr(result, 'item'):
        result = result.item()
    return ['scalar', type(result).__name__, _number(result)]


def _number(v):
    if isinstance(v, float) and not math.isfinite(v):
        return repr(v)
    return v


def cases(seed, count):
    rng = random.Random(seed)
    return [_case(rng) for _ in range(count)]


def _close(x, y, tolerance):
    if isinstance(x, str) or isinstance(y, str) or isinstance(x, bool) or isinstance(y, bool):
        return x == y
    if isinstance(x, int) and isinstance(y, int):
        return x == y
    return x == y or abs(x - y) <= tolerance * max(abs(x), abs(y), 1e-300) or abs(x - y) < 1e-300


def same(expected, actual, case):
    if expected[0] != actual[0]:
        return False
    if expected[0] == 'error':
        return expected == actual
    kind = case['kind']
    if expected[0] == 'scalar':
        if expected[1] != actual[1]:
            return False
        tolerance = 1e-5 if 'float32' in (case.get('da'), case.get('db')) else 1e-9
        return _close(expected[2], actual[2], tolerance)
    if expected[1:3] != actual[1:3]:
        return False
    float32 = expected[1] == 'float32'
    exact = kind in ('index', 'setitem') or (kind in ('binary', 'inplace') and case['op'] in ('add', 'sub', 'mul', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'))
    tolerance = 0 if exact else (2e-6 if float32 else 1e-12)
    if kind == 'binary' and case['op'] == 'pow':
        tolerance = 1e-5 if float32 else 1e-9
    return len(expected[3]) == len(actual[3]) and all(_close(x, y, tolerance) for x, y in zip(expected[3], actual[3]))


def compare(seed, count, expected_lines):
    """Differences between numpy's outcomes (JSON lines) and covet.Array's, one text per case."""
    differences = []
    for case, line in zip(cases(seed, count), expected_lines):
        expected = json.loads(line)
        actual = json.loads(json.dumps(run_case(case)))
        if not same(expected, actual, case):
            differences.append(f"{json.dumps(case)}\n    numpy: {json.dumps(expected)}\n    covet: {json.dumps(actual)}")
    return differences


if __name__ == '__main__':
    import warnings
    warnings.simplefilter('ignore')
    import numpy
    numpy.seterr(all='ignore')
    for c in cases(int(sys.argv[1]), int(sys.argv[2])):
        print(json.dumps(run_case(c)))
