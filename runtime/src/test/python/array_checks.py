"""Checks of covet.Array, run inside a pooled interpreter by ArrayTest. Each check_* function
raises when its property fails."""
import array
import math
import pickle

import _covet_host
import covet
import covet.array as ca
from covet import Array, perf

from api_checks import raises


def check_the_adr_api_takes_arrays_and_answers_arrays():
    a = Array([1.0, 4.0, 9.0])
    assert perf.sum_array(a).result() == 14.0
    roots = perf.transform_array(a, 'sqrt').result()
    assert isinstance(roots, Array) and roots.tolist() == [1.0, 2.0, 3.0], roots
    m = Array([[1.0, 2.0], [3.0, 4.0]])
    product = perf.matrix_multiply(m, m).result()
    assert isinstance(product, Array) and product.tolist() == [[7.0, 10.0], [15.0, 22.0]], product
    assert perf.sum_array(Array([1, 2, 3])).result() == 6, "an int array sums to an int"
    # Lists and array.array still work as before.
    assert perf.sum_array([1.0, 2.0]).result() == 3.0
    assert perf.transform_array(array.array('d', [4.0]), 'sqrt').result().tolist() == [2.0]


def check_small_arrays_run_here_and_large_ones_on_lane_cpu_with_the_same_answers():
    for n, on_lane in ((3, False), (65_536, False), (65_537, True), (300_000, True)):
        before = perf.metrics()['cpu']['completed']
        total = perf.sum_array(ca.full(n, 0.5)).result()
        roots = perf.transform_array(ca.full(n, 4.0), 'sqrt').result()
        ints = perf.sum_array(ca.full(n, 3, 'int64')).result()
        ran_on_lane = perf.metrics()['cpu']['completed'] - before
        assert total == n * 0.5 and isinstance(total, float), (n, total)
        assert isinstance(roots, Array) and roots.shape == (n,) and roots.min() == roots.max() == 2.0, (n, roots)
        assert ints == 3 * n and isinstance(ints, int), (n, ints)
        assert ran_on_lane == (3 if on_lane else 0), (n, ran_on_lane)
    assert perf.sum_array(ca.zeros(0)).result() == 0.0


def check_operations_chain_in_java_and_only_results_cross():
    a = ca.full(100_000, 2.0)
    b = ca.sqrt(a * a + 5.0) - 3.0     # = 0
    assert b.shape == (100_000,) and b.dtype == 'float64'
    assert b.sum() == 0.0 and b.max() == 0.0 and b.min() == 0.0
    assert (a > 1.0).all() and not (a > 2.0).any()
    assert a.mean() == 2.0


def check_constructors_read_lists_arrays_memoryviews_and_bytes():
    assert Array([[1, 2], [3, 4]]).dtype == 'int64'
    assert Array([1, 2.5]).dtype == 'float64'
    assert Array([True, False]).dtype == 'bool'
    assert Array(array.array('f', [1.5, 2.5])).dtype == 'float32'
    assert Array(array.array('i', [1, 2])).tolist() == [1, 2]
    assert Array(memoryview(array.array('d', [3.0]))).tolist() == [3.0]
    assert ca.frombuffer(array.array('d', [1.0, 2.0]).tobytes()).tolist() == [1.0, 2.0]
    assert ca.frombuffer(b'\x01\x00\x00\x00', 'int32').tolist() == [1]
    assert ca.zeros((2, 3), 'int32').tolist() == [[0, 0, 0], [0, 0, 0]]
    assert ca.ones(2).tolist() == [1.0, 1.0]
    assert Array([1, 2], dtype='float32').tobytes() == array.array('f', [1, 2]).tobytes()
    raises(ValueError, Array, [[1, 2], [3]])
    raises(TypeError, Array, [1, 'two'])
    raises(TypeError, Array, [1], dtype='complex128')
    raises(OverflowError, Array, [2 ** 40], dtype='int32')
    raises(ValueError, ca.frombuffer, b'123', 'float64')
    raises(TypeError, Array, b'raw bytes')


def check_views_share_memory_and_copies_do_not():
    a = ca.zeros((3, 4))
    row = a[1]
    row[2] = 5.0
    assert a[1, 2] == 5.0, "a row is a view"
    flat = a.reshape(-1)
    flat[0] = 7.0
    assert a[0, 0] == 7.0, "reshape is a view"
    part = flat[4:8]
    part[:] = 1.0
    assert a[1].tolist() == [1.0, 1.0, 1.0, 1.0], "a step-1 slice is a view"
    stepped = flat[::2]
    stepped[0] = -1.0
    assert a[0, 0] == 7.0, "a stepped slice is a copy"
    flat[::2] = 9.0
    assert a[0].tolist() == [9.0, 0.0, 9.0, 0.0], "assigning to a stepped slice writes through"
    c = a.copy()
    c += 1
    assert a[2, 1] == 0.0 and c[2, 1] == 1.0, "a copy has memory of its own"


def check_assignment_follows_numpy_for_rows_slices_and_aliases():
    m = ca.zeros((4, 3))
    m[::2] = [1.0, 2.0, 3.0]                 # a row, broadcast to every selected row
    assert m.tolist() == [[1.0, 2.0, 3.0], [0.0] * 3, [1.0, 2.0, 3.0], [0.0] * 3], m
    m[1::2] = [[5.0] * 3, [6.0] * 3]          # one row each
    assert m[3].tolist() == [6.0] * 3
    v = Array(list(range(20_000)), dtype='float64')
    v[::-1] = v                               # reads a copy, not what it already wrote
    assert v[0] == 19_999.0 and v[19_999] == 0.0 and v[10_000] == 9_999.0
    raises(IndexError, m.__setitem__, (slice(0, 2), 1), 5.0)   # numpy's column assignment: not supported
    assert m[0, 1] == 2.0, "nothing was written"
    raises(ValueError, m.__setitem__, slice(None, None, 2), [1.0, 2.0])
    b = Array([0.5, 0.0, float('nan')], dtype='bool')
    assert b.tolist() == [True, False, True], b
    b[1] = 0.25
    assert b[1] is True
    assert ca.frombuffer(b'\x02\x01', 'bool').tolist() == [True, True]
    assert ca.frombuffer(b'\x02\x01', 'bool').sum() == 2
    raises(OverflowError, Array([1], dtype='int32').__setitem__, 0, 2 ** 40)


def check_item_takes_a_flat_index_and_0_d_arrays_behave():
    m = Array([[1, 2], [3, 4]])
    assert m.item(3) == 4 and m.item(-1) == 4 and m.item(1, 0) == 3
    raises(IndexError, m.item, 4)
    z = ca.zeros(())
    assert z.tolist() == 0.0 and z.item() == 0.0
    raises(TypeError, len, z)


def check_in_place_operators_write_into_the_array():
    a = Array([1.0, 2.0])
    same = a
    a += 1
    a *= Array([2.0, 3.0])
    assert same is a and a.tolist() == [4.0, 9.0]
    ca.sqrt(a, out=a)
    assert a.tolist() == [2.0, 3.0]
    i = Array([1, 2])
    raises(TypeError, i.__iadd__, 0.5)      # numpy's same-kind rule
    raises(TypeError, ca.sqrt, i, out=i)


def check_errors_name_the_problem():
    a = Array([1, 2, 3])
    e = raises(IndexError, lambda: a[3])
    assert str(e) == "index 3 is out of bounds for axis 0 with size 3", e
    e = raises(ValueError, lambda: a + Array([1, 2]))
    assert "could not be broadcast together with shapes (3,) (2,)" in str(e), e
    raises(ZeroDivisionError, lambda: a // 0)
    raises(ValueError, lambda: a ** -1)
    raises(ValueError, a.reshape, 2, 2)
    raises(ValueError, lambda: bool(a))
    raises(TypeError, a.sum, axis=0)
    raises(IndexError, lambda: a[Array([True, False, True])])
    raises(TypeError, lambda: a + 'x')
    e = raises(ValueError, lambda: Array([[1.0, 2.0]]) @ Array([[1.0, 2.0]]))
    assert "mismatch in its core dimension" in str(e), e


def check_iteration_and_tolist_cross_in_bulk():
    n = 20_000
    a = ca.full(n, 0.5)
    assert sum(a) == n * 0.5
    assert a.tolist() == [0.5] * n
    m = Array([[1, 2], [3, 4]])
    assert [r.tolist() for r in m] == [[1, 2], [3, 4]]
    assert repr(Array([1.5])) == "covet.Array([1.5], dtype='float64')"


def check_arrays_cross_to_other_interpreters_by_reference():
    a = Array([[1.5, 2.5], [3.5, 4.5]], dtype='float32')
    b = pickle.loads(pickle.dumps(a))      # pickled by the user: a copy of the bytes
    assert b.dtype == 'float32' and b.tolist() == a.tolist()
    b[0, 0] = 0.0
    assert a[0, 0] == 1.5
    sums = perf.parallel_map(array_sum_and_bump, [a, Array([1, 2])], chunk_size=1).result()
    assert sums == [12.0, 3], sums
    assert a[0, 0] == 2.5, "the other interpreter wrote into the same memory"
    doubled = perf.parallel_map(double, [a]).result()[0]
    assert isinstance(doubled, Array) and doubled.tolist() == [[5.0, 5.0], [7.0, 9.0]], doubled


def array_sum_and_bump(a):
    total = a.sum()
    a[(0,) * a.ndim] += 1
    return total


def double(a):
    return a * 2


def in_worker(a, b, value):
    """In a CPython worker: what arrived, and a write into the first array."""
    a[(0,) * a.ndim] = value
    return type(a).__module__, a.dtype.name, a.shape, float(a.sum()), b.tolist(), a.base is not None


def check_a_cpython_worker_maps_a_large_arrays_memory_and_its_writes_are_seen():
    big = ca.full((512, 512), 2.0)          # 2 MB: shared memory
    small = Array([1, 2, 3], dtype='int32')  # copied
    run = perf.cpu_intensive(use_native=False)(in_worker)
    module, dtype, shape, total, small_values, mapped = run(big, small, 5.0).result()
    assert module == 'numpy' and dtype == 'float64' and tuple(shape) == (512, 512), (module, dtype, shape)
    assert total == 2.0 * 512 * 512 - 2.0 + 5.0, total
    assert small_values == [1, 2, 3]
    assert mapped, "the worker's array is a view of the mapped memory"
    assert big[0, 0] == 5.0, "the worker wrote into the same memory"
    row = big[3]                             # a view: crosses at its offset in the same memory
    module, dtype, shape, total, _, _ = run(row, small, 7.0).result()
    assert tuple(shape) == (512,) and big[3, 0] == 7.0, big[3, 0]


def numpy_results(a):
    import numpy
    return a * 2, numpy.float64(a.sum()), numpy.int64(3), a[:0], [numpy.array([True, False])]


def check_a_cpython_workers_numpy_results_come_back_as_arrays_and_numbers():
    run = perf.cpu_intensive(use_native=False)(numpy_results)
    doubled, total, three, empty, (flags,) = run(ca.full(300_000, 1.5)).result()   # shared: 2.4 MB
    assert isinstance(doubled, Array) and doubled.shape == (300_000,) and doubled[7] == 3.0, doubled
    assert type(total) is float and total == 450_000.0, total
    assert type(three) is int and three == 3
    assert isinstance(empty, Array) and empty.shape == (0,), empty
    assert flags.dtype == 'bool' and flags.tolist() == [True, False]


def check_the_sandbox_keeps_handles_opaque_and_checks_every_argument():
    a = Array([1.0, 2.0, 3.0])
    h = a._h
    # No Java member is reachable through a handle.
    for name in ('array', 'getClass', 'segment', 'toString', 'hashCode'):
        raises(AttributeError, getattr, h, name)
    # Forged or foreign values are refused by type.
    raises(TypeError, _covet_host.array, 'sum', 12345)
    raises(TypeError, _covet_host.array, 'sum', object())
    raises(TypeError, _covet_host.array, 'binary', 'add', a, 1, False)   # the Python object, not its handle
    # Out-of-range requests that bypass Python's own checks fail cleanly in Java.
    raises(IndexError, _covet_host.array, 'item', h, 3)
    raises(IndexError, _covet_host.array, 'item', h, -1)
    raises(IndexError, _covet_host.array, 'bytes', h, -8, 2)
    raises(IndexError, _covet_host.array, 'bytes', h, 0, 4)
    raises(IndexError, _covet_host.array, 'slice', h, -100, 3, 1)
    raises(IndexError, _covet_host.array, 'slice', h, 0, 1000, 2)
    raises(IndexError, _covet_host.array, 'row', ca.zeros((2, 2))._h, 2)
    raises(ValueError, _covet_host.array, 'zeros', 'float64', (-1,))
    raises(OverflowError, _covet_host.array, 'zeros', 'float64', (1 << 40, 1 << 40))
    raises(MemoryError, _covet_host.array, 'zeros', 'float64', (1 << 50,))
    raises(ValueError, _covet_host.array, 'from_bytes', b'1234567', 'float64', (1,))
    raises(ValueError, _covet_host.array, 'frobnicate', h)
    raises(TypeError, _covet_host.array, 'binary', 'add', h)        # missing arguments
    raises(TypeError, _covet_host.array)
    raises(TypeError, _covet_host.array, 'set_item', h, 0, None)
    raises(OverflowError, _covet_host.array, 'set_item', h, 0, 1 << 70)
    raises(IndexError, _covet_host.array, 'slice', h, 1 << 61, (1 << 61) + 3, 1)
    assert a.tolist() == [1.0, 2.0, 3.0], "nothing above changed the array"


def make_and_drop_arrays(count, size):
    """Makes `count` arrays of `size` float64 and keeps none."""
    seed = ca.zeros(size)
    for _ in range(count):
        seed + 1.0
    return count
