package io.covet.database;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.pool.HikariPool;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The connections to one database, for the whole process: a HikariCP pool (health checks, broken
 * connections replaced, idle ones retired) whose borrow waits at most as long as the caller's task
 * may and then fails with a clear error, never hangs.
 */
final class DatabasePool implements AutoCloseable {

    /** date, time, timetz, timestamp, timestamptz, numeric, interval, and their arrays, by OID. */
    private static final String BINARY_TEXT_TYPES = "1082,1083,1266,1114,1184,1700,1186,1182,1183,1270,1115,1185,1231,1187";

    private final DatabaseUrl url;
    private final HikariPool hikari;
    private final Turnstile turns;
    private final int size;
    private final Duration maxWait;
    private final AtomicLong timeouts = new AtomicLong();

    DatabasePool(DatabaseUrl url, int size, Duration maxWait) {
        this.url = url;
        this.size = size;
        this.maxWait = maxWait;
        this.turns = new Turnstile(size);
        HikariConfig config = new HikariConfig();
        config.setPoolName("covet-db " + url.address() + "/" + url.database());
        config.setJdbcUrl(url.jdbcUrl());
        config.setDriverClassName("org.postgresql.Driver");
        if (url.user() != null) {
            config.setUsername(url.user());
        }
        if (url.password() != null) {
            config.setPassword(url.password());
        }
        config.setMaximumPoolSize(size);
        // No connection is opened before one is needed: start-up does not wait for the database,
        // and an idle server holds none (Hikari retires idle ones after idleTimeout).
        config.setMinimumIdle(0);
        config.setInitializationFailTimeout(-1);
        config.setConnectionTimeout(Math.max(250, maxWait.toMillis()));
        // Connections rest in psycopg2's default mode (the first statement opens a transaction), so a
        // borrower in that mode leaves nothing for HikariCP to reset when it gives one back.
        config.setAutoCommit(false);
        // Strings bind as untyped literals, as psycopg2 pastes them: '2024-01-02' fills a date column.
        config.addDataSourceProperty("stringtype", "unspecified");
        config.addDataSourceProperty("ApplicationName", "covet");
        // Values Python builds from PostgreSQL's own text (dates, times, numerics, intervals) always
        // arrive as text, whatever pgjdbc decides about binary transfer for a statement it has
        // prepared on the server: getString then never goes through java.util.Date or BigDecimal.
        config.addDataSourceProperty("binaryTransferDisable", BINARY_TEXT_TYPES);
        url.properties().forEach(config::addDataSourceProperty);
        this.hikari = new HikariPool(config);
    }

    DatabaseUrl url() {
        return url;
    }

    /**
     * A connection, waiting up to {@code wait} (at most the pool's own limit) for one to come
     * free; an exhausted pool or an unreachable server is a {@link DbException} (OperationalError).
     * Each one borrowed goes back through {@link #giveBack}.
     */
    Connection borrow(Duration wait) {
        long millis = Math.max(0, Math.min(wait.toMillis(), maxWait.toMillis()));
        long start = System.nanoTime();
        try {
            if (!turns.enter(TimeUnit.MILLISECONDS.toNanos(millis))) {
                throw exhausted(millis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DbException("OperationalError", null, "interrupted while waiting for a connection to " + url.redacted());
        }
        boolean borrowed = false;
        try {
            // A turn means a connection is free, or the pool may open one: that may take the rest of the wait.
            Connection connection = hikari.getConnection(Math.max(0, millis - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)));
            borrowed = true;
            return connection;
        } catch (SQLTransientConnectionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException sql && sql.getSQLState() != null && !sql.getSQLState().startsWith("08")) {
                throw DbException.of(sql);   // e.g. 28P01, a wrong password; 3D000, no such database
            }
            if (cause != null) {
                throw new DbException("OperationalError", cause instanceof SQLException sql ? sql.getSQLState() : null,
                        "cannot connect to " + url.redacted() + ": " + cause.getMessage());
            }
            throw exhausted(millis);
        } catch (SQLException e) {
            throw DbException.of(e);
        } finally {
            if (!borrowed) {
                turns.leave();
            }
        }
    }

    private DbException exhausted(long millis) {
        timeouts.incrementAndGet();
        return new DbException("OperationalError", null, "database pool exhausted: all " + size + " connections to "
                + url.redacted() + " stayed in use for " + millis + " ms (a larger --db-pool, or transactions that "
                + "end sooner: commit, roll back or close)");
    }

    /** Ends a {@link #borrow}: {@code connection} goes back to the pool (closing HikariCP's handle of it). */
    void giveBack(Connection connection) {
        try {
            connection.close();
        } catch (SQLException | RuntimeException e) {
            // Already closed, broken or evicted (HikariCP's reset of an evicted one fails): HikariCP has it back either way.
        } finally {
            turns.leave();
        }
    }

    /** The holder of a connection is about to give it back (its last round trip has begun): the next borrower wakes now. */
    void endingSoon() {
        turns.endingSoon();
    }

    /** Takes {@code connection} out of the pool for good (broken, or its session could not be reset). */
    void evict(Connection connection) {
        hikari.evictConnection(connection);
    }

    PoolStats stats() {
        return new PoolStats(url.redacted(), size, hikari.getActiveConnections(), hikari.getIdleConnections(),
                turns.waiting() + hikari.getThreadsAwaitingConnection(), timeouts.get());
    }

    @Override
    public void close() {
        try {
            hikari.shutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
