"""Checks of the covet Python API, run inside a pooled interpreter by PythonApiTest.
Each check_* function raises (AssertionError or the API's own error) when a property fails."""
import array
import asyncio
import fractions
import functools
import operator
import time

import _covet_host
import covet
from covet import perf, PerformanceConfig, PerformanceManager


def raises(exc_type, fn, *args, **kwargs):
    """The exception fn raised, which must be an exc_type."""
    try:
        fn(*args, **kwargs)
    except exc_type as e:
        return e
    except BaseException as e:
        raise AssertionError(f"expected {exc_type.__name__}, got {type(e).__name__}: {e}") from e
    raise AssertionError(f"expected {exc_type.__name__}, nothing was raised")


# ---- module-level functions the API sends to other interpreters ---------------------------

def square(x):
    return x * x


def add(a, b):
    return a + b


def fail_on_13(x):
    if x == 13:
        raise ValueError(f"thirteen is unlucky ({x})")
    return x


def where(x):
    return _covet_host.interpreter_id()


def describe(value):
    return (type(value).__name__, value)


def generator_maker(x):
    return (i for i in range(x))


def spin_and_report(seconds):
    start = time.time()
    time.sleep(seconds)
    return (_covet_host.interpreter_id(), start, time.time())


def remaining():
    return _covet_host.remaining()


def nested_sum_of_squares(n):
    return sum(perf.parallel_map(square, range(n), chunk_size=5).result())


@perf.cpu_intensive()
def heavy(n, scale=1):
    return sum(i * i for i in range(n)) * scale


@perf.cpu_intensive()
def heavy_failure(message):
    raise KeyError(message)


@perf.cpu_intensive(use_native=False)
def in_cpython(x):
    return x


@perf.gil_free()
def gil_free_double(x):
    return 2 * x


@perf.io_intensive()
def blocking_wait(seconds):
    time.sleep(seconds)
    return seconds


# ---- numeric operations -------------------------------------------------------------------

def check_sum_array_accepts_lists_arrays_and_memoryviews():
    assert perf.sum_array([1, 2.5, 3]).result() == 6.5
    assert perf.sum_array(array.array('d', [0.5] * 1000)).result() == 500.0
    assert perf.sum_array(array.array('f', [1.5, 2.5])).result() == 4.0
    assert perf.sum_array(memoryview(array.array('d', [1.0, 2.0]))).result() == 3.0
    assert perf.sum_array(array.array('i', [1, 2, 3])).result() == 6.0
    assert perf.sum_array([]).result() == 0.0
    big = array.array('d', range(1_000_000))
    assert perf.sum_array(big).result() == sum(big)


def check_sum_array_rejects_what_is_not_numbers():
    e = raises(TypeError, perf.sum_array, "12")
    assert "sum_array needs a list, array.array('f'/'d') or memoryview of numbers, got str" in str(e), e
    e = raises(TypeError, perf.sum_array, [1.0, "x"])
    assert "sum_array needs numbers, got an element of type str" in str(e), e
    raises(TypeError, perf.sum_array, {1: 2})


def check_transform_array_applies_each_operation_and_keeps_the_float_type():
    x = array.array('f', [1.0, 4.0, 9.0])
    assert list(perf.transform_array(x, 'sqrt').result()) == [1.0, 2.0, 3.0]
    assert perf.transform_array(x, 'square').result().typecode == 'f'
    out = perf.transform_array([1.0, -2.0], 'negate').result()
    assert out.typecode == 'd' and list(out) == [-1.0, 2.0], out
    assert list(perf.transform_array([-3.0], 'abs').result()) == [3.0]
    assert abs(perf.transform_array([1.0], 'exp').result()[0] - 2.718281828459045) < 1e-12
    assert perf.transform_array([1.0], 'log').result()[0] == 0.0


def check_transform_array_names_the_valid_operations_for_an_unknown_one():
    e = raises(ValueError, perf.transform_array, [1.0], 'cube')
    assert "unknown operation 'cube'; valid operations: square, sqrt, log, exp, abs, negate" in str(e), e


def check_matrix_multiply_of_nested_lists_gives_rows():
    assert perf.matrix_multiply([[1, 2], [3, 4]], [[5, 6], [7, 8]]).result() == [[19.0, 22.0], [43.0, 50.0]]
    assert perf.matrix_multiply([[1, 2, 3]], [[1], [2], [3]]).result() == [[14.0]]


def check_matrix_multiply_of_flat_arrays_with_shapes_gives_a_flat_array():
    a = array.array('f', [1, 2, 3, 4, 5, 6])
    b = array.array('f', [1, 0, 0, 1, 1, 1])
    c = perf.matrix_multiply(a, b, a_shape=(2, 3), b_shape=(3, 2)).result()
    assert c.typecode == 'f' and list(c) == [4.0, 5.0, 10.0, 11.0], c


def check_matrix_multiply_rejects_incompatible_and_malformed_shapes():
    e = raises(ValueError, perf.matrix_multiply, [[1, 2, 3]], [[1, 2]])
    assert "shapes (1, 3) and (1, 2) are incompatible" in str(e), e
    e = raises(ValueError, perf.matrix_multiply, [[1, 2], [3]], [[1], [2]])
    assert "a is ragged: row 0 has 2 elements, row 1 has 1" in str(e), e
    e = raises(ValueError, perf.matrix_multiply, array.array('d', [1, 2]), [[1]])
    assert "a must be a 2-D list" in str(e), e
    e = raises(ValueError, perf.matrix_multiply, array.array('d', [1, 2, 3]), array.array('d', [1]),
               a_shape=(2, 2), b_shape=(1, 1))
    assert "a has 3 elements, which does not fit the shape (2, 2)" in str(e), e


# ---- parallel_map and parallel_reduce -----------------------------------------------------

def check_parallel_map_keeps_order_for_every_chunk_size():
    data = list(range(103))
    expected = [square(x) for x in data]
    for chunk in (None, 1, 7, 50, 1000):
        assert perf.parallel_map(square, data, chunk_size=chunk).result() == expected, chunk
    assert perf.parallel_map(square, []).result() == []
    assert perf.parallel_map(square, (x for x in range(5))).result() == [0, 1, 4, 9, 16]


def check_parallel_map_runs_in_other_interpreters():
    me = _covet_host.interpreter_id()
    seen = set()
    for _ in range(20):
        seen.update(perf.parallel_map(where, range(8), chunk_size=1).result())
        if len(seen - {me}) > 0:
            return
    raise AssertionError(f"every chunk ran in the caller's interpreter {me}: {seen}")


def check_parallel_map_refuses_lambdas_and_closures():
    e = raises(TypeError, perf.parallel_map, lambda x: x, [1])
    assert "parallel_map needs a module-level function" in str(e) and "lambda" in str(e), e

    def inner(x):
        return x
    e = raises(TypeError, perf.parallel_map, inner, [1])
    assert "check_parallel_map_refuses_lambdas_and_closures.<locals>.inner is defined inside another function" in str(e), e


def check_parallel_map_raises_the_first_error_with_its_remote_traceback_and_cancels_the_rest():
    before = perf.metrics()['python']['cancelled']
    future = perf.parallel_map(fail_on_13, range(400), chunk_size=1)
    e = raises(ValueError, future.result)
    assert str(e) == "thirteen is unlucky (13)", e
    cause = e.__cause__
    assert isinstance(cause, covet.RemoteTraceback) or "fail_on_13" in ''.join(__import__('traceback').format_exception(e)), cause
    if isinstance(cause, covet.RemoteTraceback):
        assert 'fail_on_13' in cause.tb and 'ValueError: thirteen is unlucky' in cause.tb, cause.tb
    after = perf.metrics()['python']['cancelled']
    assert after > before, (before, after)


def check_parallel_map_sends_non_plain_values_by_pickle_and_names_what_cannot_cross():
    out = perf.parallel_map(describe, [fractions.Fraction(1, 3), {1, 2}, (1, 'a'), b'x'], chunk_size=1).result()
    assert out == [('Fraction', fractions.Fraction(1, 3)), ('set', {1, 2}), ('tuple', (1, 'a')), ('bytes', b'x')], out
    e = raises(TypeError, perf.parallel_map, describe, [(i for i in range(3))])
    assert "cannot send an element given to parallel_map of type list" in str(e) or "generator" in str(e), e
    # A wait with a timeout never runs chunks here, so they surely crossed from another interpreter.
    e = raises(TypeError, lambda: perf.parallel_map(generator_maker, [3, 4], chunk_size=1).result(30))
    assert "cannot send the result of type list" in str(e) and "generator" in str(e), e


def check_parallel_reduce_matches_functools_reduce():
    data = list(range(1, 200))
    assert perf.parallel_reduce(add, data).result() == functools.reduce(add, data)
    assert perf.parallel_reduce(add, data, 1000, chunk_size=9).result() == functools.reduce(add, data, 1000)
    assert perf.parallel_reduce(max, [3, 9, 2, 7], chunk_size=1).result() == 9
    assert perf.parallel_reduce(operator.mul, [1, 2, 3, 4, 5], chunk_size=2).result() == 120
    assert perf.parallel_reduce(add, [], 5).result() == 5
    e = raises(TypeError, perf.parallel_reduce(add, []).result)
    assert "empty data with no initial value" in str(e), e


def check_nested_parallelism_finishes_on_a_small_pool():
    # Every interpreter may end up waiting for sub-tasks; waiters run queued sub-tasks themselves.
    got = perf.parallel_map(nested_sum_of_squares, [10, 20, 30, 40], chunk_size=1).result()
    assert got == [sum(i * i for i in range(n)) for n in (10, 20, 30, 40)], got


# ---- decorators -----------------------------------------------------------------------------

def check_cpu_intensive_returns_a_future_of_the_result():
    f = heavy(100, scale=2)
    assert isinstance(f, covet.Future), f
    assert f.result(30) == 2 * sum(i * i for i in range(100))
    assert heavy.__name__ == 'heavy' and heavy.__covet_original__(3) == 5


def check_cpu_intensive_raises_the_functions_own_exception():
    e = raises(KeyError, heavy_failure("missing").result)
    assert e.args == ("missing",), e


def check_cpu_intensive_on_cpython_says_the_lane_is_not_configured():
    e = raises(covet.LaneUnavailableError, in_cpython, 1)
    assert "lane PROCESS is not configured" in str(e), e


def check_decorating_a_closure_fails_at_definition():
    def make():
        @perf.cpu_intensive()
        def local(x):
            return x
        return local
    e = raises(TypeError, make)
    assert "@perf.cpu_intensive needs a module-level function" in str(e), e


def check_gil_free_and_io_intensive_run_their_functions():
    assert gil_free_double(21).result() == 42
    assert blocking_wait(0.01).result() == 0.01


def check_result_timeout_raises_timeout_error():
    f = blocking_wait(3)
    raises(TimeoutError, f.result, 0.05)
    assert f.result(30) == 3


def check_sub_tasks_inherit_their_callers_deadline():
    # A wait with a timeout never runs the task here, so it surely ran in another interpreter.
    inherited = perf._submit('python', remaining, (), {}, 'test').result(30)
    assert inherited is not None and 0 < inherited <= 5.0, inherited


def check_sub_tasks_of_a_caller_without_deadline_get_the_runtime_task_timeout():
    inherited = perf._submit('python', remaining, (), {}, 'test').result(30)
    assert inherited is not None and 55 < inherited <= 60.0, inherited


# ---- asyncio ---------------------------------------------------------------------------------

def check_asyncio_run_works_in_the_sandbox():
    async def main():
        await asyncio.sleep(0.01)
        return await perf.sum_array([1.0, 2.0])
    assert asyncio.run(main()) == 3.0


def wait_until_only_the_caller_is_busy():
    # Chunks left running by an earlier check would make this interpreter run both tasks itself.
    deadline = time.time() + 30
    while perf.metrics()['interpreters']['busy'] > 1 and time.time() < deadline:
        time.sleep(0.05)


def check_gather_of_covet_futures_runs_them_concurrently():
    wait_until_only_the_caller_is_busy()

    async def main():
        return await asyncio.gather(covet_spin(0.6), covet_spin(0.6))
    (i1, s1, e1), (i2, s2, e2) = asyncio.run(main())
    assert s1 < e2 and s2 < e1, (f"the two waits did not overlap: {(i1, s1, e1)} {(i2, s2, e2)}, "
                                 f"caller {_covet_host.interpreter_id()}, {perf.metrics()}")


def covet_spin(seconds):
    return perf._submit('io', spin_and_report, (seconds,), {}, 'test')


def check_every_perf_operation_is_awaitable():
    async def main():
        return await asyncio.gather(
            perf.sum_array([1, 2]), perf.transform_array([4.0], 'sqrt'),
            perf.matrix_multiply([[2]], [[3]]), perf.parallel_map(square, [1, 2, 3]),
            perf.parallel_reduce(add, [1, 2, 3]), heavy(3), perf.initialize())
    s, t, m, pm, pr, h, init = asyncio.run(main())
    assert (s, list(t), m, pm, pr, h) == (3.0, [2.0], [[6.0]], [1, 4, 9], 6, 5), (s, t, m, pm, pr, h)


def check_errors_propagate_through_await():
    async def main():
        try:
            await heavy_failure("async")
        except KeyError as e:
            return e.args
    assert asyncio.run(main()) == ("async",)


def check_to_thread_runs_a_module_level_function_elsewhere():
    async def main():
        return await asyncio.to_thread(square, 12)
    assert asyncio.run(main()) == 144


# ---- configuration -----------------------------------------------------------------------------

def check_performance_config_names_bad_parameters():
    e = raises(TypeError, PerformanceConfig, cpu_threads="8")
    assert "cpu_threads must be an int, got str" in str(e), e
    e = raises(ValueError, PerformanceConfig, python_interpreters=0)
    assert "python_interpreters must be at least 1, got 0" in str(e), e
    e = raises(TypeError, PerformanceConfig, enable_simd="yes")
    assert "enable_simd must be True or False" in str(e), e
    e = raises(TypeError, PerformanceManager, {"cpu_threads": 2})
    assert "PerformanceManager needs a PerformanceConfig, got dict" in str(e), e


def check_a_performance_manager_applies_its_config_to_the_runtime():
    PerformanceManager(PerformanceConfig(max_gil_contention=1, io_threads=3))
    settings = perf.settings
    assert settings['max_gil_contention'] == 1 and settings['io_threads'] == 3, settings
    # Lane PYTHON runs tasks in up to max_gil_contention interpreters, each with up to max_in_flight.
    per_interpreter = perf.metrics()['interpreters']['max_in_flight']
    assert perf.metrics()['python']['concurrency'] == 1 * per_interpreter
    assert perf.metrics()['io']['concurrency'] == 3
    PerformanceManager(PerformanceConfig(max_gil_contention=2, io_threads=4))
    assert perf.metrics()['python']['concurrency'] == 2 * per_interpreter


def check_with_compute_disabled_numeric_operations_run_in_python():
    PerformanceManager(PerformanceConfig(enable_rust_compute=False, max_gil_contention=2, io_threads=4))
    try:
        assert perf.settings['enable_rust_compute'] is False
        assert perf.sum_array([1, 2, 3]).result() == 6.0
        assert list(perf.transform_array([4.0], 'sqrt').result()) == [2.0]
        assert perf.matrix_multiply([[1, 2]], [[3], [4]]).result() == [[11.0]]
    finally:
        PerformanceManager(PerformanceConfig(enable_rust_compute=True, max_gil_contention=2, io_threads=4))


def exits(code):
    import sys
    sys.exit(code)


def check_with_sub_interpreters_disabled_work_runs_in_the_caller():
    PerformanceManager(PerformanceConfig(enable_sub_interpreters=False, max_gil_contention=2, io_threads=4))
    try:
        me = _covet_host.interpreter_id()
        assert perf.parallel_map(where, range(6), chunk_size=1).result(5) == [me] * 6
        assert perf.parallel_reduce(add, range(10), chunk_size=3).result(5) == 45
        assert heavy(3).result(5) == 5
        raises(ValueError, perf.parallel_map(fail_on_13, range(20), chunk_size=1).result, 5)

        async def main():
            return await asyncio.gather(perf.parallel_map(square, [1, 2]), heavy(4))
        assert asyncio.run(main()) == [[1, 4], 14]
    finally:
        PerformanceManager(PerformanceConfig(enable_sub_interpreters=True, max_gil_contention=2, io_threads=4))


def check_sys_exit_in_another_interpreter_does_not_exit_the_caller():
    e = raises(covet.RemoteError, perf._submit('python', exits, (3,), {}, 'test').result, 30)
    assert "SystemExit raised in another interpreter: 3" in str(e), e


# ---- covet.http ----------------------------------------------------------------------------------

def check_http_to_a_host_not_allowed_is_a_permission_error():
    e = raises(PermissionError, covet.http.get, "http://example.com/")
    assert "network access to example.com is denied by Covet's sandbox (allow it with --allow-net example.com)" in str(e), e
    raises(ValueError, covet.http.get, "ftp://127.0.0.1/")


def check_http_get_and_post_reach_an_allowed_host(base):
    r = covet.http.get(base + "/hello").result(30)
    assert r.status == 200 and r.ok and r.text == "hello", (r.status, r.text)
    r = covet.http.post(base + "/echo", json={"n": [1, 2]}).result(30)
    assert r.json() == {"n": [1, 2]}, r.content
    assert r.headers['content-type'] == 'application/json', r.headers
    r = covet.http.get(base + "/missing").result(30)
    assert r.status == 404
    raises(covet.http.HTTPError, r.raise_for_status)


def check_http_requests_overlap_under_asyncio(base):
    async def main():
        return await asyncio.gather(*[covet.http.get(f"{base}/slow") for _ in range(4)])
    responses = asyncio.run(main())
    assert [r.status for r in responses] == [200] * 4
    peak = int(covet.http.get(f"{base}/peak").result(30).text)
    assert peak >= 2, f"at most {peak} of the 4 requests were in flight at once"


def check_http_connection_refused_is_a_connection_error(dead_url):
    raises(ConnectionError, covet.http.get(dead_url, timeout=5).result, 30)


# ---- coroutine tasks (AsyncHelpingTest) ----------------------------------------------------------

async def mapped_squares(n):
    """A coroutine task that awaits sub-tasks queued in the same pool."""
    return await perf.parallel_map(square, range(n), chunk_size=1)
