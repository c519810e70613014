package io.covet.interpreters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Python code calling Java through {@code _covet_host}: values, errors, sessions, blocking. */
class HostFunctionTest {

    private static final CountDownLatch NEVER = new CountDownLatch(1);
    private static InterpreterPool pool;

    @BeforeAll
    static void start() {
        pool = InterpreterPool.start(PoolFixture.config()
                .hostFunction("echo", (session, args) -> args)
                .hostFunction("session_id", (session, args) -> session.id())
                .hostFunction("remaining_ms", (session, args) -> session.remaining().map(Duration::toMillis).orElse(-1L))
                .hostFunction("fail", (session, args) -> {
                    throw new HostError((String) args.get(0), (String) args.get(1));
                })
                .hostFunction("bad_argument", (session, args) -> {
                    throw new IllegalArgumentException("no good: " + args.get(0));
                })
                .hostFunction("block", (session, args) -> {
                    NEVER.await();
                    return null;
                })
                .build());
    }

    @AfterAll
    static void stop() {
        pool.close();
    }

    @Test
    void argumentsAndResultsCrossByValue() {
        Object result = pool.eval("import _covet_host\n_covet_host.echo(1, 'two', [3.0], {'k': (4, None)})");
        assertThat(result).isEqualTo(List.of(1L, "two", List.of(3.0), Map.of("k", PyTuple.of(4L, null))));
        assertThat(pool.eval("import _covet_host, array\nr = _covet_host.echo(array.array('d', [1.5, 2.5]))[0]\n(type(r).__name__, r.typecode, list(r))"))
                .isEqualTo(PyTuple.of("array", "d", List.of(1.5, 2.5)));
    }

    @Test
    void hostErrorsAreRaisedAsTheNamedPythonType() {
        assertThat(pool.eval("""
                import _covet_host
                try:
                    _covet_host.fail('TimeoutError', 'too slow')
                except TimeoutError as e:
                    r = str(e)
                r"""))
                .isEqualTo("too slow");
        assertThat(pool.eval("""
                import _covet_host
                try:
                    _covet_host.bad_argument(7)
                except ValueError as e:
                    r = str(e)
                r"""))
                .isEqualTo("no good: 7");
        assertThatThrownBy(() -> pool.eval("import _covet_host\n_covet_host.echo(object())"))
                .isInstanceOf(PythonException.class)
                .satisfies(e -> assertThat(((PythonException) e).pythonType()).isEqualTo("TypeError"))
                .hasMessageContaining("object");
    }

    @Test
    void sessionsKnowTheirInterpreterAndTheTaskDeadline() {
        Object id = pool.eval("import _covet_host\n_covet_host.session_id()");
        assertThat(id).isInstanceOf(Long.class);
        long left = (Long) pool.run(PythonTask.eval("import _covet_host\n_covet_host.remaining_ms()").withTimeout(Duration.ofSeconds(20)));
        assertThat(left).isBetween(15_000L, 20_000L);
        assertThat(pool.run(PythonTask.eval("import _covet_host\n_covet_host.remaining_ms()").withoutTimeout())).isEqualTo(-1L);
    }

    /**
     * A task waiting for a wake-up that never comes (a sub-task that never ends) past its deadline:
     * its interpreter is stopped for real, so the pool recovers and still shuts down.
     */
    @Test
    void aTaskWaitingForAWakeUpIsStoppedAtItsDeadlineAndThePoolStillShutsDown() throws Exception {
        try (InterpreterPool own = InterpreterPool.start(PoolFixture.config().size(1)
                .hostFunction("await_wake_forever", (session, args) -> {
                    while (true) {
                        session.await(null);
                    }
                }).build())) {
            CompletableFuture<Object> f = own.submit(PythonTask.eval("import _covet_host\n_covet_host.await_wake_forever()")
                    .withTimeout(Duration.ofMillis(300)));
            assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(io.covet.tasks.DeadlineExceededException.class);
            io.covet.testing.Eventually.eventually(Duration.ofSeconds(30), "the stuck interpreter replaced",
                    () -> own.metrics().recycled() == 1 && own.metrics().ready() == 1);
            assertThat(own.eval("1 + 1")).isEqualTo(2L);
            CompletableFuture<Void> closing = CompletableFuture.runAsync(own::close);
            closing.get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void aTaskBlockedInAHostFunctionIsStoppedAtItsDeadlineAndThePoolRecovers() throws Exception {
        CompletableFuture<Object> f = pool.submit(PythonTask.eval("import _covet_host\n_covet_host.block()").withTimeout(Duration.ofMillis(300)));
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(io.covet.tasks.DeadlineExceededException.class);
        io.covet.testing.Eventually.eventually(Duration.ofSeconds(30), "the blocked interpreter replaced",
                () -> pool.metrics().recycled() >= 1);
        PoolLimitsTest.awaitFullPool(pool);
        assertThat(pool.metrics().ready()).isEqualTo(2);
        assertThat(pool.eval("1 + 1")).isEqualTo(2L);
    }
}
