package io.covet.database;

import static io.covet.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * DB-API semantics over the shared pool, against a real PostgreSQL server: connections are held
 * only while a transaction is open and always come back, waits are bounded, failures carry
 * PEP 249's class and SQLSTATE, and no password shows.
 */
class DatabasesTest {

    private static LocalPostgres server;
    private Databases databases;

    /** A task: its deadline, and its end (run by the test). */
    private static final class FakeTask implements CallScope {
        final List<Runnable> atEnd = new ArrayList<>();
        Duration left;
        boolean over;

        FakeTask(Duration left) {
            this.left = left;
        }

        @Override
        public Optional<Duration> remaining() {
            return Optional.ofNullable(left);
        }

        @Override
        public synchronized boolean whenEnds(Runnable action) {
            atEnd.add(action);
            return true;
        }

        /** Like a real task's deadline: the task ends when its time is up. */
        FakeTask endingAtDeadline() {
            java.util.concurrent.CompletableFuture.delayedExecutor(left.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                    .execute(this::end);
            return this;
        }

        synchronized void end() {
            over = true;
            atEnd.forEach(Runnable::run);
        }

        @Override
        public boolean ended() {
            return over;
        }
    }

    @BeforeAll
    static void startServer() throws Exception {
        server = LocalPostgres.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @AfterEach
    void closeDatabases() {
        if (databases != null) {
            databases.close();
        }
    }

    private Databases databases(int size, Duration wait) {
        databases = new Databases(DatabaseUrl.parse(server.url()), size, wait, address -> false);
        return databases;
    }

    private static PoolStats stats(Databases d) {
        return d.stats().getFirst();
    }

    /** A 30-s sleep under {@code task} fails as a cancelled statement (57014, OperationalError) within {@code limit}. */
    private static void assertSleepStopsWithin(DbConnection c, CallScope task, Duration limit) {
        long start = System.nanoTime();
        assertThatThrownBy(() -> c.execute("SELECT pg_sleep(30)", null, task))
                .isInstanceOf(DbException.class)
                .satisfies(e -> assertThat(((DbException) e).sqlState()).isEqualTo("57014"))
                .extracting(e -> ((DbException) e).dbapiClass()).isEqualTo("OperationalError");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(limit);
    }

    @Test
    void aConnectionIsHeldOnlyWhileItsTransactionIsOpen() {
        Databases d = databases(2, Duration.ofSeconds(5));
        DbConnection c = d.connect(null, false);
        c.execute("CREATE TABLE IF NOT EXISTS held (id int PRIMARY KEY, v text)", null, CallScope.NONE);
        assertThat(c.holdsConnection()).isTrue();
        c.commit(CallScope.NONE);
        assertThat(c.holdsConnection()).isFalse();
        assertThat(stats(d).active()).isZero();

        DbConnection auto = d.connect(null, true);
        auto.execute("INSERT INTO held VALUES (%s, %s) ON CONFLICT DO NOTHING", List.of(1L, "one"), CallScope.NONE);
        assertThat(auto.holdsConnection()).isFalse();
        Result r = auto.execute("SELECT v FROM held WHERE id = %(id)s", Map.of("id", 1L), CallScope.NONE);
        assertThat(r.rows()).hasSize(1);
        assertThat(r.rows().getFirst()[0]).isEqualTo("one");
        assertThat(r.columns().getFirst().name()).isEqualTo("v");
    }

    @Test
    void aPooledConnectionTakesEachBorrowersModeWhicheverModeItsLastBorrowerUsed() {
        Databases d = databases(1, Duration.ofSeconds(5));
        DbConnection setup = d.connect(null, true);
        setup.execute("CREATE TABLE IF NOT EXISTS modes (id int PRIMARY KEY)", null, CallScope.NONE);
        setup.execute("DELETE FROM modes", null, CallScope.NONE);

        DbConnection transactional = d.connect(null, false);
        DbConnection auto = d.connect(null, true);
        for (long id = 1; id <= 3; id++) {
            // The one server connection goes back and forth between the two modes.
            transactional.execute("INSERT INTO modes VALUES (%s)", List.of(id * 10), CallScope.NONE);
            transactional.rollback(CallScope.NONE);
            auto.execute("INSERT INTO modes VALUES (%s)", List.of(id), CallScope.NONE);
            assertThat(auto.holdsConnection()).isFalse();
        }
        // Each autocommit insert stayed although nothing committed it; each rolled-back one is gone.
        assertThat(setup.execute("SELECT id FROM modes ORDER BY id", null, CallScope.NONE).rows())
                .extracting(row -> row[0]).containsExactly(1L, 2L, 3L);
    }

    @Test
    void theEndOfATaskRollsBackItsOpenTransactionAndGivesTheConnectionBack() throws Exception {
        Databases d = databases(1, Duration.ofSeconds(5));
        DbConnection setup = d.connect(null, true);
        setup.execute("CREATE TABLE IF NOT EXISTS ended (id int PRIMARY KEY)", null, CallScope.NONE);
        setup.execute("DELETE FROM ended", null, CallScope.NONE);

        FakeTask task = new FakeTask(null);
        DbConnection c = d.connect(null, false);
        c.execute("INSERT INTO ended VALUES (1)", null, task);
        assertThat(stats(d).active()).isEqualTo(1);
        task.end();
        eventually(Duration.ofSeconds(10), "the connection is back in the pool", () -> stats(d).active() == 0);
        assertThat(c.holdsConnection()).isFalse();
        assertThat(setup.execute("SELECT count(*) FROM ended", null, CallScope.NONE).rows().getFirst()[0]).isEqualTo(0L);
    }

    @Test
    void aCommitAfterItsTaskEndedSaysItsWritesWereRolledBackAndWorkForAnEndedTaskDoesNotStart() {
        Databases d = databases(1, Duration.ofSeconds(5));
        DbConnection setup = d.connect(null, true);
        setup.execute("CREATE TABLE IF NOT EXISTS late (id int)", null, CallScope.NONE);
        FakeTask task = new FakeTask(null);
        DbConnection c = d.connect(null, false);
        c.execute("INSERT INTO late VALUES (1)", null, task);
        task.end();
        eventually(Duration.ofSeconds(10), "the connection is back in the pool", () -> stats(d).active() == 0);
        assertThatThrownBy(() -> c.commit(CallScope.NONE)).isInstanceOf(DbException.class)
                .hasMessageContaining("not committed: this transaction's earlier writes were rolled back");
        assertThatThrownBy(() -> c.execute("INSERT INTO late VALUES (2)", null, task)).isInstanceOf(DbException.class)
                .hasMessageContaining("its task has ended");
        assertThat(setup.execute("SELECT count(*) FROM late", null, CallScope.NONE).rows().getFirst()[0]).isEqualTo(0L);
    }

    @Test
    void sessionStateASetLeftOnAPooledConnectionDoesNotReachItsNextBorrower() {
        Databases d = databases(1, Duration.ofSeconds(5));
        DbConnection first = d.connect(null, true);
        Object searchPath = first.execute("SHOW search_path", null, CallScope.NONE).rows().getFirst()[0];
        first.execute("SET search_path = pg_catalog", null, CallScope.NONE);
        first.execute("SELECT pg_advisory_lock(99)", null, CallScope.NONE);
        DbConnection next = d.connect(null, true);
        assertThat(next.execute("SHOW search_path", null, CallScope.NONE).rows().getFirst()[0]).isEqualTo(searchPath);
        assertThat(next.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'", null, CallScope.NONE).rows().getFirst()[0])
                .isEqualTo(0L);
    }

    @Test
    void anExhaustedPoolFailsAfterTheBoundedWaitNamingThePoolButNotThePassword() {
        Databases d = databases(1, Duration.ofMillis(300));
        DbConnection holder = d.connect(null, false);
        holder.execute("SELECT 1", null, CallScope.NONE);
        DbConnection other = d.connect(null, false);
        long start = System.nanoTime();
        assertThatThrownBy(() -> other.execute("SELECT 1", null, CallScope.NONE))
                .isInstanceOf(DbException.class)
                .hasMessageContaining("database pool exhausted: all 1 connections")
                .hasMessageNotContaining(LocalPostgres.PASSWORD)
                .extracting(e -> ((DbException) e).dbapiClass()).isEqualTo("OperationalError");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(stats(d).timeouts()).isEqualTo(1);
        holder.rollback(CallScope.NONE);
        assertThat(other.execute("SELECT 1", null, CallScope.NONE).rows()).hasSize(1);
    }

    @Test
    void aStatementStopsAtItsTasksDeadline() {
        Databases d = databases(1, Duration.ofSeconds(5));
        DbConnection c = d.connect(null, true);
        assertSleepStopsWithin(c, new FakeTask(Duration.ofMillis(500)), Duration.ofSeconds(10));
        assertThat(c.execute("SELECT 2", null, CallScope.NONE).rows().getFirst()[0]).isEqualTo(2L);
    }

    @Test
    void aTransactionsFirstStatementStopsWhenItsTaskEndsAtItsDeadline() {
        Databases d = databases(1, Duration.ofSeconds(5));
        DbConnection c = d.connect(null, false);
        // Well before the socket's own limit (the deadline plus 10 s), which would also end the wait.
        assertSleepStopsWithin(c, new FakeTask(Duration.ofMillis(500)).endingAtDeadline(), Duration.ofSeconds(8));
        eventually(Duration.ofSeconds(10), "the connection is back in the pool", () -> stats(d).active() == 0);
        assertThat(c.execute("SELECT 2", null, CallScope.NONE).rows().getFirst()[0]).isEqualTo(2L);
    }

    @Test
    void failuresCarryPep249ClassesAndSqlstates() {
        Databases d = databases(1, Duration.ofSeconds(5));
        DbConnection c = d.connect(null, true);
        c.execute("CREATE TABLE IF NOT EXISTS uniq (id int PRIMARY KEY)", null, CallScope.NONE);
        c.execute("INSERT INTO uniq VALUES (1) ON CONFLICT DO NOTHING", null, CallScope.NONE);
        assertThatThrownBy(() -> c.execute("INSERT INTO uniq VALUES (1)", null, CallScope.NONE))
                .satisfies(e -> assertThat(((DbException) e).sqlState()).isEqualTo("23505"))
                .extracting(e -> ((DbException) e).dbapiClass()).isEqualTo("IntegrityError");
        assertThatThrownBy(() -> c.execute("SELEC 1", null, CallScope.NONE))
                .extracting(e -> ((DbException) e).dbapiClass()).isEqualTo("ProgrammingError");
        assertThatThrownBy(() -> c.execute("SELECT 1/0", null, CallScope.NONE))
                .extracting(e -> ((DbException) e).dbapiClass()).isEqualTo("DataError");
    }

    @Test
    void aWrongPasswordIsAnOperationalErrorThatDoesNotShowEitherPassword() {
        databases = new Databases(DatabaseUrl.parse(server.url().replace("s3cret", "wrong")), 1, Duration.ofSeconds(5), a -> false);
        assertThatThrownBy(() -> databases.connect(null, true).execute("SELECT 1", null, CallScope.NONE))
                .isInstanceOf(DbException.class)
                .hasMessageNotContaining("wrong").hasMessageNotContaining("s3cret")
                .extracting(e -> ((DbException) e).dbapiClass()).isEqualTo("OperationalError");
        assertThat(databases.stats().getFirst().database()).doesNotContain("wrong");
    }

    @Test
    void anotherDatabaseNeedsItsAddressAllowed() {
        databases = new Databases(null, 1, Duration.ofSeconds(5), address -> address.equals("127.0.0.1:1"));
        assertThatThrownBy(() -> databases.connect(server.url(), true))
                .isInstanceOf(SecurityException.class)
                .hasMessageContaining("--allow-net " + server.address())
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> databases.connect(null, true)).hasMessageContaining("--database");
        Databases allowed = new Databases(null, 1, Duration.ofSeconds(5), address -> address.equals(server.address()));
        try {
            assertThat(allowed.connect(server.url(), true).execute("SELECT 3", null, CallScope.NONE).rows().getFirst()[0]).isEqualTo(3L);
        } finally {
            allowed.close();
        }
    }

    @Test
    void theOperatorsServerUnderAnotherUserOrDatabaseNeedsItsAddressAllowed() {
        databases = new Databases(DatabaseUrl.parse(server.url()), 1, Duration.ofSeconds(5), address -> false);
        for (String other : List.of(server.url().replace("/postgres", "/template1"),
                server.url().replace(LocalPostgres.USER + ":", "postgres:"))) {
            assertThatThrownBy(() -> databases.connect(other, true)).as(other).isInstanceOf(SecurityException.class)
                    .hasMessageContaining("--allow-net " + server.address());
        }
        assertThat(databases.connect(server.url(), true).execute("SELECT 1", null, CallScope.NONE).rows()).hasSize(1);
    }

    @Test
    void aProgramsUrlCannotNameDriverPropertiesThatLoadClassesOrReadFiles() {
        databases = new Databases(null, 1, Duration.ofSeconds(5), address -> address.equals(server.address()));
        int before = RecordingSocketFactory.MADE.get();
        for (String property : List.of("socketFactory=" + RecordingSocketFactory.class.getName(),
                "sslfactory=" + RecordingSocketFactory.class.getName(), "sslrootcert=/etc/ssl/private/key.pem",
                "authenticationPluginClassName=" + RecordingSocketFactory.class.getName())) {
            assertThatThrownBy(() -> databases.connect(server.url() + "?" + property, true).execute("SELECT 1", null, CallScope.NONE))
                    .as(property)
                    .isInstanceOf(SecurityException.class)
                    .hasMessageContaining("'" + property.substring(0, property.indexOf('=')) + "'")
                    .hasMessageContaining("--database");
        }
        assertThat(RecordingSocketFactory.MADE.get()).as("socket factories pgjdbc made").isEqualTo(before);
        assertThat(databases.connect(server.url() + "?sslmode=disable&connectTimeout=5&ApplicationName=x", true)
                .execute("SELECT 1", null, CallScope.NONE).rows()).hasSize(1);
    }

    @Test
    void theOperatorsUrlMayNameAnyDriverProperty() {
        databases = new Databases(DatabaseUrl.parse(server.url() + "?socketFactory=" + RecordingSocketFactory.class.getName()), 1,
                Duration.ofSeconds(5), address -> false);
        int before = RecordingSocketFactory.MADE.get();
        assertThat(databases.connect(null, true).execute("SELECT 1", null, CallScope.NONE).rows()).hasSize(1);
        assertThat(RecordingSocketFactory.MADE.get()).isGreaterThan(before);
    }

    @Test
    void serverSideCursorsReadInBatchesInsideATransaction() {
        Databases d = databases(1, Duration.ofSeconds(5));
        DbConnection c = d.connect(null, false);
        DbConnection.Opened cursor = c.openCursor("SELECT g FROM generate_series(1, 2500) g", null, 1000, CallScope.NONE);
        assertThat(cursor.columns().getFirst().typeName()).isEqualTo("int4");
        long seen = 0;
        Result batch;
        do {
            batch = c.fetch(cursor.id(), 700, CallScope.NONE);
            seen += batch.rows().size();
        } while (batch.more());
        assertThat(seen).isEqualTo(2500);
        c.commit(CallScope.NONE);
        assertThatThrownBy(() -> c.fetch(cursor.id(), 1, CallScope.NONE)).hasMessageContaining("cursor is closed");
        assertThatThrownBy(() -> d.connect(null, true).openCursor("SELECT 1", null, 10, CallScope.NONE))
                .hasMessageContaining("autocommit");
    }

    @Test
    void executeManyBindsEveryParameterSetInOneBatch() {
        Databases d = databases(1, Duration.ofSeconds(5));
        DbConnection c = d.connect(null, true);
        c.execute("CREATE TABLE IF NOT EXISTS many (id int, name text)", null, CallScope.NONE);
        c.execute("DELETE FROM many", null, CallScope.NONE);
        Result r = c.executeMany("INSERT INTO many VALUES (%(id)s, %(name)s)",
                List.of(Map.of("id", 1L, "name", "a"), Map.of("id", 2L, "name", "b"), Map.of("id", 3L, "name", "c")), CallScope.NONE);
        assertThat(r.rowCount()).isEqualTo(3);
        assertThat(c.execute("SELECT string_agg(name, ',' ORDER BY id) FROM many", null, CallScope.NONE).rows().getFirst()[0]).isEqualTo("a,b,c");
    }
}
