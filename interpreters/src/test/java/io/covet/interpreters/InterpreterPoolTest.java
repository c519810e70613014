package io.covet.interpreters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Properties of a healthy two-interpreter pool, shared by the tests that leave it healthy. */
class InterpreterPoolTest {

    static InterpreterPool pool;

    @BeforeAll
    static void start() {
        pool = InterpreterPool.start(PoolFixture.config().preload("pool_tasks").build());
    }

    @AfterAll
    static void stop() {
        pool.close();
    }

    @Test
    void runsWithTheJitCompiler() {
        assertThat(pool.jitEnabled()).as("tests run GraalPy with its JIT (see covet.graal.flags)").isTrue();
    }

    @Test
    void everyBoundaryTypeRoundTrips() {
        Map<String, Object> dict = new LinkedHashMap<>();
        dict.put("a", 1L);
        dict.put("nested", List.of(PyTuple.of(1L, "x"), Map.of("k", List.of())));
        List<Object> values = new ArrayList<>();
        values.add(null);
        values.addAll(List.of(true, false, 0L, -7L, Long.MAX_VALUE, new BigInteger("123456789012345678901234567890"),
                new BigInteger("-98765432109876543210"), 2.5, -0.0, Double.NaN, Double.POSITIVE_INFINITY, "", "héllo ✓ 𝄞",
                new byte[] {0, 1, (byte) 0xff, 127}, List.of(1L, "two", 3.0), PyTuple.of(), PyTuple.of(1L, List.of(2L)), dict));
        for (Object value : values) {
            Object back = pool.call("pool_tasks", "echo", value);
            if (value instanceof byte[] bytes) {
                assertThat((byte[]) back).as("bytes").containsExactly(bytes);
            } else if (value instanceof Double d && d.isNaN()) {
                assertThat((Double) back).isNaN();
            } else if (value instanceof Double d) {
                assertThat(Double.doubleToRawLongBits((Double) back)).as("float %s bit for bit", d).isEqualTo(Double.doubleToRawLongBits(d));
            } else {
                assertThat(back).as("round trip of %s", value).isEqualTo(value);
            }
        }
    }

    @Test
    void containersLargerThanOneCallCarriesRoundTrip() {
        int n = 2 * Boundary.ITEMS_PER_CALL + 3;
        List<Object> list = new ArrayList<>();
        Map<Object, Object> dict = new LinkedHashMap<>();
        for (long i = 0; i < n; i++) {
            list.add(i % 3 == 0 ? "s" + i : i);
            dict.put("k" + i, i);
        }
        PyTuple tuple = new PyTuple(list);
        assertThat(pool.call("pool_tasks", "echo", list)).isEqualTo(list);
        assertThat(pool.call("pool_tasks", "echo", tuple)).isEqualTo(tuple);
        assertThat(pool.call("pool_tasks", "echo", dict)).isEqualTo(dict);
        assertThat(pool.eval("len(list(range(" + n + ")))")).isEqualTo((long) n);
    }

    @Test
    void bytesInsideContainersAndValuesOfOtherTypesComeBack() {
        Object r = pool.eval("""
                import enum
                class Level(enum.IntEnum):
                    HIGH = 7
                class Mapping(dict):
                    pass
                [Level.HIGH, Mapping(k=b'v'), bytearray(b'xy'), 2 ** 70, -2 ** 63, (b'', b'ab', [b'c', 'd']), {(1, 'a'): (None, True, 1.5)}]
                """);
        List<?> items = (List<?>) r;
        assertThat(items.get(0)).isEqualTo(7L);
        assertThat((byte[]) ((Map<?, ?>) items.get(1)).get("k")).containsExactly('v');
        assertThat((byte[]) items.get(2)).containsExactly('x', 'y');
        assertThat(items.get(3)).isEqualTo(BigInteger.TWO.pow(70));
        assertThat(items.get(4)).isEqualTo(Long.MIN_VALUE);
        List<?> blobs = ((PyTuple) items.get(5)).items();
        assertThat((byte[]) blobs.get(0)).isEmpty();
        assertThat((byte[]) blobs.get(1)).containsExactly('a', 'b');
        assertThat((byte[]) ((List<?>) blobs.get(2)).get(0)).containsExactly('c');
        assertThat(((List<?>) blobs.get(2)).get(1)).isEqualTo("d");
        assertThat(items.get(6)).isEqualTo(Map.of(PyTuple.of(1L, "a"), PyTuple.of(null, true, 1.5)));
    }

    @Test
    void aValueContainingItselfIsATypeErrorAndThePoolGoesOn() {
        assertThatThrownBy(() -> pool.eval("x = [1]\nx.append(x)\nx"))
                .isInstanceOfSatisfying(PythonException.class, e -> {
                    assertThat(e.pythonType()).isEqualTo("TypeError");
                    assertThat(e.pythonMessage()).contains("nested this deeply, or containing itself", "nested deeper than 1000 levels");
                });
        assertThat(pool.eval("6 * 7")).isEqualTo(42L);
        Object deep = pool.eval("x = 'leaf'\nfor _ in range(500):\n    x = [x]\nx");
        int depth = 0;
        for (; deep instanceof List<?> l; deep = l.get(0)) {
            depth++;
        }
        assertThat(depth).as("500 levels come back").isEqualTo(500);
        assertThat(deep).isEqualTo("leaf");
    }

    @Test
    void javaValuesArriveAsNativePythonTypes() {
        Object kinds = pool.call("pool_tasks", "kinds", null, true, 1, 2L, new BigInteger("1" + "0".repeat(30)), 1.5f,
                "s", new byte[] {1}, List.of(), PyTuple.of(), Map.of(), new double[] {1}, new float[] {1});
        assertThat(kinds).isEqualTo(List.of("NoneType", "bool", "int", "int", "int", "float", "str", "bytes", "list",
                "tuple", "dict", "array", "array"));
    }

    @Test
    void floatArraysCrossInBulkBothWays() {
        double[] doubles = (double[]) pool.call("pool_tasks", "doubles", 100_001);
        assertThat(doubles).hasSize(100_001);
        assertThat(doubles[100_000]).isEqualTo(50_000.0);
        assertThat((Double) pool.call("pool_tasks", "total", (Object) doubles)).isEqualTo(0.5 * 100_000 * 100_001 / 2);
        float[] floats = {1.5f, -2.25f, Float.MAX_VALUE};
        assertThat((float[]) pool.call("pool_tasks", "echo", (Object) floats)).containsExactly(floats);
        assertThat((double[]) pool.eval("import array\nmemoryview(array.array('d', [1.0, 2.0]))")).containsExactly(1.0, 2.0);
    }

    @Test
    void keywordArgumentsAndEvalWork() {
        Object r = pool.run(PythonTask.call("pool_tasks", "add", List.of(2L, 3L), Map.of("scale", 10L)));
        assertThat(r).isEqualTo(50L);
        assertThat(pool.eval("x = 6\nx * 7")).isEqualTo(42L);
        assertThat(pool.eval("y = 1")).isNull();
    }

    @Test
    void pythonExceptionsCarryTypeMessageAndTraceback() {
        assertThatThrownBy(() -> pool.call("pool_tasks", "fail", "bad input"))
                .isInstanceOfSatisfying(PythonException.class, e -> {
                    assertThat(e.pythonType()).isEqualTo("ValueError");
                    assertThat(e.pythonMessage()).isEqualTo("bad input");
                    assertThat(e.pythonTraceback()).contains("Traceback (most recent call last)", "in fail", "in _inner",
                            "pool_tasks.py", "ValueError: bad input");
                });
        assertThatThrownBy(() -> pool.eval("import json\njson.loads('{')"))
                .isInstanceOfSatisfying(PythonException.class, e -> assertThat(e.pythonType()).isEqualTo("json.decoder.JSONDecodeError"));
        assertThatThrownBy(() -> pool.call("no_such_module", "f"))
                .isInstanceOfSatisfying(PythonException.class, e -> assertThat(e.pythonType()).isEqualTo("ModuleNotFoundError"));
        assertThatThrownBy(() -> pool.call("pool_tasks", "missing"))
                .isInstanceOfSatisfying(PythonException.class, e -> assertThat(e.pythonMessage()).contains("has no function 'missing'"));
    }

    @Test
    void valuesWithoutACounterpartAreRejectedWithTheirType() {
        assertThatThrownBy(() -> pool.call("pool_tasks", "an_object"))
                .isInstanceOfSatisfying(PythonException.class, e -> {
                    assertThat(e.pythonType()).isEqualTo("TypeError");
                    assertThat(e.pythonMessage()).contains("'object'", "supported");
                });
        assertThatThrownBy(() -> pool.eval("{1, 2}")).hasMessageContaining("'set'");
        assertThatThrownBy(() -> pool.call("pool_tasks", "echo", new Object()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.Object");
        assertThat(pool.call("pool_tasks", "echo", 1L)).as("the interpreter still serves").isEqualTo(1L);
    }

    @Test
    void badTaskDescriptionsAreRefusedAtOnce() {
        assertThatThrownBy(() -> PythonTask.call("pool_tasks; import os", "f")).hasMessageContaining("not a Python module name");
        assertThatThrownBy(() -> PythonTask.call("m", "f()")).hasMessageContaining("not a Python function name");
        assertThatThrownBy(() -> PythonTask.eval("1").withTimeout(Duration.ZERO)).hasMessageContaining("positive");
    }

    @Test
    void moduleGlobalsAreNotSharedBetweenInterpreters() throws Exception {
        // Each task holds its interpreter for 0.3 s, so two submitted together land in different ones.
        String bump = "import pool_tasks, time\ntime.sleep(0.3)\npool_tasks.bump()";
        CompletableFuture<Object> a = pool.submitEval(bump);
        CompletableFuture<Object> b = pool.submitEval(bump);
        assertThat(List.of(a.get(30, TimeUnit.SECONDS), b.get(30, TimeUnit.SECONDS)))
                .as("each interpreter has its own pool_tasks.counter").containsExactly(1L, 1L);

        pool.eval("marker = 'set in one interpreter'");
        String look = "import time\ntime.sleep(0.3)\n'marker' in globals()";
        CompletableFuture<Object> c = pool.submitEval(look);
        CompletableFuture<Object> d = pool.submitEval(look);
        assertThat(List.of(c.get(30, TimeUnit.SECONDS), d.get(30, TimeUnit.SECONDS)))
                .as("a global set in one interpreter is seen there only").containsExactlyInAnyOrder(true, false);
    }

    @Test
    void twoInterpretersRunPythonAtTheSameTime() throws Exception {
        // Each task holds its interpreter's GIL for 1 s of pure-Python spinning; with one shared GIL
        // the pair would take 2 s.
        long t0 = System.nanoTime();
        CompletableFuture<Object> a = pool.submitCall("pool_tasks", "spin_until", 1.0);
        CompletableFuture<Object> b = pool.submitCall("pool_tasks", "spin_until", 1.0);
        CompletableFuture.allOf(a, b).get(60, TimeUnit.SECONDS);
        long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(elapsedMs).as("two 1 s GIL-holding tasks overlapped").isLessThan(1800);
        assertThat((Long) a.get()).isPositive();
        assertThat((Long) b.get()).isPositive();
    }

    @Test
    void metricsCountWhatHappened() throws ExecutionException, InterruptedException {
        PoolMetrics before = pool.metrics();
        pool.call("pool_tasks", "echo", 1L);
        assertThatThrownBy(() -> pool.call("pool_tasks", "fail", "x")).isInstanceOf(PythonException.class);
        PoolMetrics after = pool.metrics();
        assertThat(after.size()).isEqualTo(2);
        assertThat(after.ready()).isEqualTo(2);
        assertThat(after.tasks().completed() - before.tasks().completed()).isGreaterThanOrEqualTo(1);
        assertThat(after.tasks().failed() - before.tasks().failed()).isGreaterThanOrEqualTo(1);
        assertThat(after.tasks().runTime().count()).isGreaterThanOrEqualTo(before.tasks().runTime().count() + 2);
        assertThat(after.startup()).isPositive();
    }
}
