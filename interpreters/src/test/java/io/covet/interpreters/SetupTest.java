package io.covet.interpreters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SetupTest {

    private final List<Integer> setUp = new CopyOnWriteArrayList<>();
    private final List<Integer> tornDown = new CopyOnWriteArrayList<>();

    private PoolConfig.Builder recording() {
        return PoolFixture.config()
                .hostFunction("set_up", (session, args) -> { setUp.add(session.id()); return null; })
                .hostFunction("torn_down", (session, args) -> { tornDown.add(session.id()); return null; });
    }

    @Test
    void aSetupRunsOnceInEveryInterpreterServingNowAndInEveryOneStartedLater() throws Exception {
        try (InterpreterPool pool = InterpreterPool.start(recording().size(2).build())) {
            pool.addSetup("import _covet_host\n_covet_host.set_up()\nAPP_LOADED = True", null).get(60, TimeUnit.SECONDS);
            assertThat(setUp).containsExactlyInAnyOrder(0, 1);
            pool.resize(3);
            RecyclingTest.awaitReady(pool, 3);
            assertThat(setUp).as("the interpreter started later ran it as it started").containsExactlyInAnyOrder(0, 1, 2);
            for (int i = 0; i < 6; i++) {
                assertThat(pool.eval("import __main__\n__main__.APP_LOADED")).isEqualTo(true);
            }
        }
    }

    @Test
    void teardownsRunWhenInterpretersStopNormallyAfterTheirSetups() throws Exception {
        InterpreterPool pool = InterpreterPool.start(recording().size(2).build());
        pool.addSetup("import _covet_host\n_covet_host.set_up()", "import _covet_host\n_covet_host.torn_down()")
                .get(60, TimeUnit.SECONDS);
        assertThat(tornDown).isEmpty();
        pool.close();
        assertThat(tornDown).containsExactlyInAnyOrder(0, 1);
    }

    @Test
    void aPoolStartedToWaitForOneReturnsWithOneReadyAndTheOthersJoinLater() throws Exception {
        // The second interpreter holds in its warm-up until the test lets it go: start must not wait for it.
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        PoolConfig config = recording()
                .hostFunction("hold", (session, args) -> {
                    if (session.id() == 1) {
                        release.await();
                    }
                    return null;
                })
                .warmup("import _covet_host\n_covet_host.hold()")
                .size(2).build();
        try (InterpreterPool pool = InterpreterPool.start(config, n -> { }, 1)) {
            try {
                startsEarly(pool, release);
            } finally {
                release.countDown();   // before the pool closes: a thread held in Java cannot be cancelled
            }
        }
    }

    private void startsEarly(InterpreterPool pool, java.util.concurrent.CountDownLatch release) throws Exception {
        assertThat(pool.metrics().ready()).isEqualTo(1);
        assertThat(pool.metrics().starting()).isEqualTo(1);
        assertThat(pool.eval("1 + 1")).as("it serves with one interpreter").isEqualTo(2L);
        InterpreterPool.Installed app = pool.install("import _covet_host\n_covet_host.set_up()", null);
        app.first().get(60, TimeUnit.SECONDS);
        assertThat(app.all()).as("the second has yet to run it").isNotDone();
        release.countDown();
        app.all().get(60, TimeUnit.SECONDS);
        assertThat(setUp).containsExactlyInAnyOrder(0, 1);
    }

    @Test
    void replacingASetupMovesServiceToNewInterpretersThatRanTheNewCode() throws Exception {
        try (InterpreterPool pool = InterpreterPool.start(recording().size(2).build())) {
            InterpreterPool.Installed v1 = pool.install("import _covet_host\n_covet_host.set_up()\nVERSION = 1",
                    "import _covet_host\n_covet_host.torn_down()");
            v1.all().get(60, TimeUnit.SECONDS);
            InterpreterPool.Installed v2 = pool.replaceSetup(v1, "import _covet_host\n_covet_host.set_up()\nVERSION = 2",
                    "import _covet_host\n_covet_host.torn_down()").get(120, TimeUnit.SECONDS);
            RecyclingTest.awaitReady(pool, 2);
            io.covet.testing.Eventually.eventually(java.time.Duration.ofSeconds(60), "the old interpreters' teardowns",
                    () -> tornDown.containsAll(List.of(0, 1)));
            for (int i = 0; i < 6; i++) {
                assertThat(pool.eval("import __main__\n__main__.VERSION")).as("every task runs the new code").isEqualTo(2L);
            }
            assertThat(setUp).as("two new interpreters ran it").hasSize(4);
            assertThat(pool.size()).isEqualTo(2);
            // And again, from the new handle.
            pool.replaceSetup(v2, "VERSION = 3", null).get(120, TimeUnit.SECONDS);
            assertThat(pool.eval("import __main__\n__main__.VERSION")).isEqualTo(3L);
        }
    }

    @Test
    void aReplacementThatFailsToLoadLeavesTheOldCodeServingAndStopsTheNewInterpreters() throws Exception {
        try (InterpreterPool pool = InterpreterPool.start(recording().size(2).build())) {
            InterpreterPool.Installed v1 = pool.install("VERSION = 1", null);
            v1.all().get(60, TimeUnit.SECONDS);
            assertThatThrownBy(() -> pool.replaceSetup(v1, "VERSION = (", null).get(120, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(PythonException.class).hasMessageContaining("SyntaxError");
            io.covet.testing.Eventually.eventually(java.time.Duration.ofSeconds(60), "only the old interpreters left",
                    () -> pool.metrics().starting() == 0 && pool.metrics().ready() == 2);
            for (int i = 0; i < 6; i++) {
                assertThat(pool.eval("import __main__\n__main__.VERSION")).isEqualTo(1L);
            }
            assertThat(pool.metrics().recycled()).as("no old interpreter was replaced").isZero();
            // The old handle still works: a fixed version replaces it.
            pool.replaceSetup(v1, "VERSION = 4", null).get(120, TimeUnit.SECONDS);
            assertThat(pool.eval("import __main__\n__main__.VERSION")).isEqualTo(4L);
        }
    }

    @Test
    void aReplacementGivenUpWhileItsCodeHangsLeavesTheOldCodeServingAndThePoolAtItsSize() throws Exception {
        try (InterpreterPool pool = InterpreterPool.start(recording().size(2).build())) {
            InterpreterPool.Installed v1 = pool.install("VERSION = 1", null);
            v1.all().get(60, TimeUnit.SECONDS);
            java.util.concurrent.CompletableFuture<InterpreterPool.Installed> pending =
                    pool.replaceSetup(v1, "import time\nwhile True:\n    time.sleep(0.01)", null);
            io.covet.testing.Eventually.eventually(java.time.Duration.ofSeconds(60), "the new interpreters are loading",
                    () -> pool.metrics().starting() == 2);
            pending.cancel(false);
            io.covet.testing.Eventually.eventually(java.time.Duration.ofSeconds(60), "only the old interpreters left",
                    () -> pool.metrics().starting() == 0 && pool.metrics().ready() == 2);
            for (int i = 0; i < 6; i++) {
                assertThat(pool.eval("import __main__\n__main__.VERSION")).isEqualTo(1L);
            }
            pool.replaceSetup(v1, "VERSION = 5", null).get(120, TimeUnit.SECONDS);
            assertThat(pool.eval("import __main__\n__main__.VERSION")).isEqualTo(5L);
        }
    }

    @Test
    void aFailingSetupFailsItsFutureWithThePythonError() throws Exception {
        try (InterpreterPool pool = InterpreterPool.start(recording().size(1).build())) {
            assertThatThrownBy(() -> pool.addSetup("raise ValueError('the app cannot load')", "pass").get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(PythonException.class).hasMessage("ValueError: the app cannot load");
        }
    }
}
