package io.covet.runtime;

import static io.covet.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.covet.database.DatabaseUrl;
import io.covet.database.LocalPostgres;
import io.covet.database.PoolStats;
import io.covet.interpreters.PythonException;
import io.covet.interpreters.PythonTask;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code covet.db} and SQLAlchemy's {@code postgresql+covet} from two interpreters sharing one
 * pool, against a throwaway PostgreSQL server: values keep their types, failures their PEP 249
 * classes, and no task (failed, timed out) keeps a connection or its writes.
 */
class CovetDbTest {

    private static final int POOL = 2;
    private static LocalPostgres server;
    private static PerformanceManager runtime;

    @BeforeAll
    static void start() throws Exception {
        server = LocalPostgres.start();
        runtime = PerformanceManager.start(RuntimeFixture.config()
                .pythonPath(List.of(RuntimeFixture.PYTHON_DIR, Path.of("/usr/lib/python3/dist-packages")))
                .database(DatabaseUrl.parse(server.url()))
                .databasePool(POOL)
                .build());
    }

    @AfterAll
    static void stop() {
        if (runtime != null) {
            runtime.close();
        }
        server.close();
    }

    private static void check(String name, Object... args) {
        assertThatCode(() -> {
            try {
                runtime.interpreters().run(PythonTask.call("db_checks", name, args));
            } catch (PythonException e) {
                throw new AssertionError(e.getMessage() + "\n" + e.pythonTraceback(), e);
            }
        }).doesNotThrowAnyException();
    }

    private static PoolStats pool() {
        return runtime.databasePools().getFirst();
    }

    @Test
    void valuesCrossBothWaysWithTheirTypes() {
        check("check_values_cross_both_ways_with_their_types");
    }

    @Test
    void failuresArePep249ClassesWithSqlstates() {
        check("check_failures_are_pep249_classes_with_sqlstates");
    }

    @Test
    void withCommitsOrRollsBackAndAutocommitRunsEachStatementAlone() {
        check("check_with_commits_or_rolls_back_and_autocommit_runs_each_statement_alone");
    }

    @Test
    void aNamedCursorReadsFromTheServerInBatches() {
        check("check_a_named_cursor_reads_from_the_server_in_batches");
    }

    @Test
    void awaitedStatementsRunWhileTheEventLoopGoesOn() {
        check("check_awaited_statements_run_while_the_event_loop_goes_on");
    }

    @Test
    void sqlalchemyCoreAndOrmWorkOnPostgresqlCovet() {
        check("check_sqlalchemy_core_and_orm_work_on_postgresql_covet");
    }

    @Test
    void aThousandFailingTasksLeaveThePoolWholeAndTheirWritesRolledBack() throws Exception {
        runtime.interpreters().call("db_checks", "prepare_leak_table");
        List<CompletableFuture<Object>> tasks = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            tasks.add(runtime.interpreters().submit(PythonTask.call("db_checks", "insert_then_fail", (long) i)));
        }
        for (CompletableFuture<Object> t : tasks) {
            assertThatThrownBy(t::get).isInstanceOf(ExecutionException.class).hasMessageContaining("handler failed after writing");
        }
        eventually(Duration.ofSeconds(30), "every connection back in the pool", () -> pool().active() == 0);
        assertThat(runtime.interpreters().call("db_checks", "leak_rows")).isEqualTo(0L);
        assertThat(pool().size()).isEqualTo(POOL);
        assertThat((Long) runtime.interpreters().call("db_checks", "server_connections")).isLessThanOrEqualTo(POOL);
    }

    @Test
    void aQueryStopsAtItsTasksDeadlineAndItsConnectionComesBack() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> runtime.interpreters().run(PythonTask.call("db_checks", "sleep_in_database", 60.0)
                .withTimeout(Duration.ofSeconds(2)))).isInstanceOf(RuntimeException.class);
        // Well before the socket's own limit (the deadline plus 10 s), which would also end the wait.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
        eventually(Duration.ofSeconds(30), "the connection back in the pool", () -> pool().active() == 0);
        assertThat(runtime.interpreters().call("db_checks", "connect_to", server.url())).isEqualTo(42L);
    }

    @Test
    void anotherDatabaseIsAPermissionErrorNamingAllowNetUnlessAllowed() throws Exception {
        String other = server.url().replace("127.0.0.1", "localhost");
        assertThatThrownBy(() -> runtime.interpreters().call("db_checks", "connect_to", other))
                .isInstanceOf(PythonException.class)
                .satisfies(e -> assertThat(((PythonException) e).pythonType()).isEqualTo("PermissionError"))
                .hasMessageContaining("--allow-net localhost:" + server.port())
                .hasMessageNotContaining(LocalPostgres.PASSWORD);
        assertThat(runtime.interpreters().call("db_checks", "connect_to", server.url())).isEqualTo(42L);
    }
}
