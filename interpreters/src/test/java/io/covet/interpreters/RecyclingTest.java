package io.covet.interpreters;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RecyclingTest {

    /** A random number drawn once per interpreter: a new value means a new interpreter. */
    private static final String STAMP = "import random\nglobals().setdefault('_stamp', random.random())";

    @Test
    void anInterpreterIsReplacedAfterMaxTasksWhileThePoolKeepsServing() throws Exception {
        try (InterpreterPool pool = InterpreterPool.start(PoolFixture.config().size(1).preload("pool_tasks")
                .maxTasksPerInterpreter(3).build())) {
            Object firstId = pool.eval(STAMP);
            assertThat(pool.call("pool_tasks", "bump")).isEqualTo(1L);
            assertThat(pool.call("pool_tasks", "bump")).isEqualTo(2L);
            // The third task reaches the limit: a replacement starts, and the old interpreter
            // keeps serving until it is ready.
            assertThat(pool.call("pool_tasks", "bump")).as("still served while the replacement starts").isIn(1L, 3L);
            awaitRecycled(pool, 1);
            PoolLimitsTest.awaitFullPool(pool);
            assertThat(pool.eval(STAMP)).as("a new interpreter").isNotEqualTo(firstId);
            assertThat(pool.call("pool_tasks", "bump")).as("module state starts afresh").isEqualTo(1L);
            assertThat(pool.metrics().ready()).isEqualTo(1);
        }
    }

    @Test
    void anInterpreterIsReplacedWhenItReachesMaxAge() throws Exception {
        try (InterpreterPool pool = InterpreterPool.start(PoolFixture.config().size(1).maxAge(Duration.ofSeconds(3)).build())) {
            Object firstId = pool.eval(STAMP);
            awaitRecycled(pool, 1);
            PoolLimitsTest.awaitFullPool(pool);
            assertThat(pool.eval(STAMP)).isNotEqualTo(firstId);
        }
    }

    @Test
    void resizingGrowsAndShrinksThePool() throws Exception {
        try (InterpreterPool pool = InterpreterPool.start(PoolFixture.config().size(1).build())) {
            pool.resize(2);
            awaitReady(pool, 2);
            assertThat(pool.metrics().size()).isEqualTo(2);
            pool.resize(1);
            awaitReady(pool, 1);
            assertThat(pool.metrics().size()).isEqualTo(1);
            assertThat(pool.eval("40 + 2")).isEqualTo(42L);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> pool.resize(0))
                    .hasMessage("pool size must be at least 1, got 0");
        }
    }

    static void awaitReady(InterpreterPool pool, int n) {
        io.covet.testing.Eventually.eventually(Duration.ofSeconds(60), n + " interpreters ready", () -> pool.metrics().ready() == n);
    }

    private static void awaitRecycled(InterpreterPool pool, long n) {
        io.covet.testing.Eventually.eventually(Duration.ofSeconds(60), n + " interpreters recycled",
                () -> pool.metrics().recycled() >= n);
    }
}
