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
    void aFailingSetupFailsItsFutureWithThePythonError() throws Exception {
        try (InterpreterPool pool = InterpreterPool.start(recording().size(1).build())) {
            assertThatThrownBy(() -> pool.addSetup("raise ValueError('the app cannot load')", "pass").get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(PythonException.class).hasMessage("ValueError: the app cannot load");
        }
    }
}
