"""Checks of the CPython worker lane (lane PROCESS), run in a pooled GraalPy interpreter by
CpythonLaneTest. The module is imported by the CPython workers too, so that they can run its
functions: it must import in plain CPython (where `covet` runs everything in-process)."""
import array
import dataclasses
import datetime
import decimal
import fractions
import os
import sys
import time

import covet
from covet import perf, PerformanceConfig, PerformanceManager


def raises(exc_type, fn, *args, **kwargs):
    # api_checks.raises, copied: that module imports _covet_host first, which plain CPython lacks.
    try:
        fn(*args, **kwargs)
    except exc_type as e:
        return e
    except BaseException as e:
        raise AssertionError(f"expected {exc_type.__name__}, got {type(e).__name__}: {e}") from e
    raise AssertionError(f"expected {exc_type.__name__}, nothing was raised")


@dataclasses.dataclass(frozen=True)
class Point:
    x: float
    y: float


class Unlucky(Exception):
    def __init__(self, number):
        super().__init__(f"{number} is unlucky")
        self.number = number


# ---- what runs in the workers ---------------------------------------------------------------

@perf.cpu_intensive(use_native=False)
def echo(value):
    return value


@perf.cpu_intensive(use_native=False)
def type_name(value):
    return type(value).__name__


@perf.cpu_intensive(use_native=False)
def where():
    return sys.implementation.name, os.getpid()


def square_and_pid(x):
    return x * x, os.getpid()


def add(a, b):
    return a + b


@perf.cpu_intensive(use_native=False)
def fail(number):
    if number == 13:
        raise Unlucky(number)
    raise ValueError(f"bad number {number}")


@perf.cpu_intensive(use_native=False)
def exit_now(status):
    os._exit(status)


@perf.cpu_intensive(use_native=False)
def sleep(seconds):
    time.sleep(seconds)
    return seconds


@perf.cpu_intensive(use_native=False)
def covet_inside_a_worker(values):
    # In plain CPython `covet` runs everything here: the API works, in-process.
    total = perf.sum_array(values).result()
    squares = perf.parallel_map(square, values).result()
    nested = echo(7).result()
    return total, squares, nested


def square(x):
    return x * x


@perf.cpu_intensive(use_native=False)
def numpy_mean(values):
    import numpy
    return float(numpy.asarray(values, dtype=numpy.float64).mean())


@perf.cpu_intensive(use_native=False)
def numpy_array(values, dtype=None):
    import numpy
    return numpy.asarray(values, dtype=dtype)


# ---- the checks -----------------------------------------------------------------------------

def check_work_runs_in_a_cpython_process():
    impl, pid = where().result()
    assert impl == 'cpython', impl
    assert sys.implementation.name == 'graalpy', sys.implementation.name
    assert pid != os.getpid()


def check_every_value_type_round_trips_through_a_worker():
    values = [
        None, True, False, 0, -1, 2 ** 100, -(2 ** 70), 1.5, float('inf'), -0.0, 3 + 4j,
        '', 'héllo, 世界 \U0001F600', b'', b'\x00\xff' * 1000, bytearray(b'abc'),
        [], [1, [2, [3]]], (), (1, 'two', 3.0), {}, {'a': 1, 2: [3], (4, 5): {'b': None}},
        {1, 2, 3}, frozenset({'x'}), range(3, 10, 2),
        array.array('d', [1.5, -2.5]), array.array('f', [0.5]), array.array('i', [1, -2]),
        datetime.datetime(2026, 11, 26, 1, 2, 3, 4), datetime.date(2026, 1, 1), datetime.timedelta(seconds=5),
        decimal.Decimal('1.10'), fractions.Fraction(1, 3), Point(1.0, 2.0), Unlucky(7).args,
        list(range(100_000)),
    ]
    for value in values:
        back = echo(value).result()
        assert type(back) is type(value), (value, type(back))
        assert back == value, (value, back)
        assert type_name(value).result() == type(value).__name__, value
    nan = echo(float('nan')).result()
    assert nan != nan
    kwargs = perf.cpu_intensive(use_native=False)(add)(2, b=40).result()
    assert kwargs == 42, kwargs


def check_parallel_map_on_the_cpython_lane_keeps_order_across_workers():
    data = list(range(200))
    results = perf.parallel_map(square_and_pid, data, chunk_size=10, lane='cpython').result()
    assert [r[0] for r in results] == [x * x for x in data]
    pids = {r[1] for r in results}
    assert os.getpid() not in pids
    assert len(pids) == 2, pids  # both workers took chunks
    assert perf.parallel_map(square, [], lane='cpython').result() == []
    total = perf.parallel_reduce(add, list(range(1001)), lane='cpython', chunk_size=100).result()
    assert total == 500500, total


def check_a_task_that_raises_brings_its_exception_and_traceback_back():
    e = raises(ValueError, fail(3).result)
    assert str(e) == 'bad number 3', e
    assert isinstance(e.__cause__, covet.RemoteTraceback), repr(e.__cause__)
    assert 'cpython_checks.py' in e.__cause__.tb and 'in fail' in e.__cause__.tb, e.__cause__.tb
    assert 'raise ValueError' in e.__cause__.tb, e.__cause__.tb
    custom = raises(Unlucky, fail(13).result)
    assert custom.number == 13, custom.number
    e = raises(ValueError, perf.parallel_map(fail, [1, 2], lane='cpython').result)
    assert 'bad number' in str(e), e


def check_a_worker_that_dies_mid_task_fails_that_task_only():
    f = exit_now(7)
    others = [echo(i) for i in range(20)]
    e = raises(covet.WorkerCrashedError, f.result)
    assert 'exited with status 7' in str(e), e
    assert 'cpython_checks.exit_now()' in str(e), e
    assert [o.result() for o in others] == list(range(20))
    assert echo('after').result() == 'after'


def check_a_task_past_its_timeout_raises_timeout_error_and_its_worker_is_replaced():
    PerformanceManager(PerformanceConfig(task_timeout=1.0))
    try:
        started = time.monotonic()
        e = raises(TimeoutError, sleep(30).result)
        assert time.monotonic() - started < 20, time.monotonic() - started
        assert 'ran past its time limit of 1 s' in str(e), e
        assert sleep(0.01).result() == 0.01
    finally:
        PerformanceManager(PerformanceConfig(task_timeout=60.0))


def check_covet_works_inside_a_worker():
    total, squares, nested = covet_inside_a_worker([1.0, 2.0, 3.0]).result()
    assert total == 6.0, total
    assert squares == [1.0, 4.0, 9.0], squares
    assert nested == 7, nested


def check_numpy_runs_in_a_worker():
    assert numpy_mean([1.0, 2.0, 4.5]).result() == 2.5
    # A numpy array comes back as a covet.Array (numpy's dtypes that covet.Array has) ...
    back = numpy_array([1, 2]).result()
    assert isinstance(back, covet.Array) and back.tolist() == [1, 2] and back.dtype == 'int64', back
    # ... and one of another dtype cannot be loaded here: the error says what to return instead.
    e = raises(TypeError, numpy_array([1, 2], 'complex128').result)
    assert 'tolist' in str(e) and 'numpy' in str(e), e


def check_metrics_show_the_process_lane_and_its_workers():
    echo(1).result()
    m = perf.metrics()
    assert m['process']['completed'] >= 1, m['process']
    assert m['cpython_workers']['size'] == 2, m['cpython_workers']
    assert perf.settings['cpython_workers'] == 2, perf.settings
