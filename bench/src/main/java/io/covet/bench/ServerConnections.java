package io.covet.bench;

import io.covet.database.DatabaseUrl;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The most client connections a PostgreSQL server held while this sampler ran (its own not
 * counted), polled every 50 ms from {@code pg_stat_activity}: what a server under test cost the
 * database, measured on the database's side.
 */
final class ServerConnections implements AutoCloseable {

    private final Connection probe;
    private final AtomicInteger max = new AtomicInteger();
    private final Thread poller;
    private volatile boolean stopped;

    ServerConnections(DatabaseUrl url) throws SQLException {
        Properties credentials = new Properties();
        credentials.setProperty("user", url.user());
        credentials.setProperty("password", url.password());
        probe = DriverManager.getConnection(url.jdbcUrl(), credentials);
        poller = Thread.ofVirtual().name("covet-bench-server-connections").start(this::poll);
    }

    private void poll() {
        try (Statement st = probe.createStatement()) {
            while (!stopped) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity "
                        + "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")) {
                    rs.next();
                    max.accumulateAndGet(rs.getInt(1), Math::max);
                }
                Thread.sleep(50);   // a sampling period: nothing to wait on
            }
        } catch (SQLException | InterruptedException e) {
            // Closed by close(): the maximum so far stands.
        }
    }

    /** The most connections seen so far. */
    int max() {
        return max.get();
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        poller.join(2_000);
        try {
            probe.close();
        } catch (SQLException e) {
            // Nothing left to release.
        }
    }
}
