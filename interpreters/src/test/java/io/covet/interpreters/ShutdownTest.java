package io.covet.interpreters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ShutdownTest {

    @Test
    void shutdownLetsTasksFinishWithinGraceThenStopsTheRestAndLeavesNoThread() throws Exception {
        InterpreterPool pool = InterpreterPool.start(PoolFixture.config().size(1).preload("pool_tasks").build());
        CompletableFuture<Object> quick = pool.submitCall("pool_tasks", "sleep", 0.2);
        CompletableFuture<Object> stuck = pool.submitCall("pool_tasks", "forever");
        CompletableFuture<Object> waiting = pool.submitCall("pool_tasks", "echo", "never started");

        pool.shutdown(Duration.ofMillis(1500));

        assertThat(quick.get(1, TimeUnit.SECONDS)).as("finished within the grace period").isEqualTo(0.2);
        assertThatThrownBy(() -> stuck.get(1, TimeUnit.SECONDS)).cause()
                .isInstanceOf(io.covet.tasks.ClosedException.class).hasMessageContaining("still running");
        assertThatThrownBy(() -> waiting.get(1, TimeUnit.SECONDS)).cause()
                .isInstanceOf(io.covet.tasks.ClosedException.class).hasMessageContaining("still waiting");
        assertThatThrownBy(() -> pool.submitCall("pool_tasks", "echo", 1L))
                .isInstanceOf(io.covet.tasks.ClosedException.class).hasMessageContaining("shut down");
        pool.close(); // idempotent
        assertThat(Thread.getAllStackTraces().keySet()).as("no pool thread survives shutdown")
                .noneMatch(t -> t.isAlive() && t.getName().startsWith("covet-py"));
    }

    @Test
    void aPoolThatCannotStartSaysWhyAndLeavesNoThread() {
        assertThatThrownBy(() -> InterpreterPool.start(PoolFixture.config().size(1).preload("no_such_module_here").build()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no_such_module_here")
                .cause().isInstanceOf(PythonException.class);
        assertThat(Thread.getAllStackTraces().keySet())
                .noneMatch(t -> t.isAlive() && t.getName().startsWith("covet-py"));
    }

    @Test
    void badConfigIsRefusedWithTheSettingNamed() {
        assertThatThrownBy(() -> PoolConfig.builder().size(0).build()).hasMessageContaining("pool size");
        assertThatThrownBy(() -> PoolConfig.builder().taskTimeout(Duration.ZERO).build()).hasMessageContaining("taskTimeout");
        assertThatThrownBy(() -> PoolConfig.builder().preload("os; rm").build()).hasMessageContaining("not a Python module name");
        assertThatThrownBy(() -> PoolConfig.builder().queueLimit(-1).build()).hasMessageContaining("queueLimit");
    }
}
