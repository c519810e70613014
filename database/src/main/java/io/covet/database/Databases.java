package io.covet.database;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The databases of one process: the one the operator configured ({@code --database URL}) and any
 * other a program names whose address {@code --allow-net} allows, each behind one pool shared by
 * every interpreter, so that N interpreters do not open N pools (what PgBouncer does next to
 * gunicorn, in process). DB-API connections ({@link #connect}) borrow from these pools only while
 * a transaction is open.
 */
public final class Databases implements AutoCloseable {

    /**
     * The pgjdbc connection properties a program's own URL may set. Others stay the operator's
     * ({@code --database}): several make pgjdbc load a class by name ({@code socketFactory},
     * {@code sslfactory}, {@code authenticationPluginClassName} ...) or read a file
     * ({@code sslrootcert}, {@code sslkey} ...), in the JVM, past the sandbox.
     */
    static final Set<String> PROGRAM_PROPERTIES = Set.of("sslmode", "connectTimeout", "socketTimeout", "loginTimeout",
            "ApplicationName", "tcpKeepAlive", "currentSchema", "options");

    /** Pools a process may open to databases other than the configured one (distinct URLs; a runaway loop stops here). */
    static final int MAX_POOLS = 16;

    private final DatabaseUrl configured;
    private final int poolSize;
    private final Duration maxWait;
    private final Predicate<String> netAllowed;
    private final Map<DatabaseUrl, DatabasePool> pools = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @param configured the operator's database (null: none)
     * @param poolSize   connections per pool at most
     * @param maxWait    the longest a borrow waits for a free connection (a task's deadline may cut it shorter)
     * @param netAllowed whether {@code --allow-net} allows an address ({@code host:port})
     */
    public Databases(DatabaseUrl configured, int poolSize, Duration maxWait, Predicate<String> netAllowed) {
        if (poolSize < 1) {
            throw new IllegalArgumentException("database pool size must be at least 1, got " + poolSize);
        }
        this.configured = configured;
        this.poolSize = poolSize;
        this.maxWait = maxWait;
        this.netAllowed = netAllowed;
    }

    /**
     * A new DB-API connection to {@code url} (null: the configured database). A URL other than
     * the configured one needs its address allowed by {@code --allow-net}: else a
     * {@link SecurityException} naming both flags. No server connection is made yet.
     */
    public DbConnection connect(String url, boolean autocommit) {
        if (closed) {
            throw new DbException("InterfaceError", null, "the runtime's databases are closed");
        }
        DatabaseUrl target;
        if (url == null) {
            if (configured == null) {
                throw new DbException("OperationalError", null,
                        "no database configured: start covet with --database postgresql://user:password@host:port/db "
                                + "(or set DATABASE_URL), or pass a URL to covet.db.connect()");
            }
            target = configured;
        } else {
            try {
                target = DatabaseUrl.parse(url);
            } catch (IllegalArgumentException e) {
                throw new DbException("InterfaceError", null, e.getMessage());
            }
            for (String property : target.properties().keySet()) {
                if (!PROGRAM_PROPERTIES.contains(property)) {
                    throw new SecurityException("covet.db.connect(): connection property '" + property + "' is not allowed in a "
                            + "program's URL (only " + String.join(", ", new java.util.TreeSet<>(PROGRAM_PROPERTIES))
                            + "); the operator may set it in --database");
                }
            }
            if (!target.equals(configured)) {
                // Only the operator's database skips --allow-net: the same server under another
                // user or database is another database. A program's URL never picks up the JVM
                // user's secrets: no password from ~/.pgpass, no client certificate from ~/.postgresql.
                if (!netAllowed.test(target.address())) {
                    throw new SecurityException("covet.db.connect(): " + target.redacted() + " is not allowed: only the database "
                            + "of --database may be reached without --allow-net " + target.address());
                }
                Map<String, String> properties = new java.util.LinkedHashMap<>(target.properties());
                properties.put("sslfactory", "org.postgresql.ssl.DefaultJavaSSLFactory");
                target = new DatabaseUrl(target.host(), target.port(), target.database(), target.user(),
                        target.password() == null ? "" : target.password(), properties);
            }
        }
        return new DbConnection(pool(target), autocommit);
    }

    private DatabasePool pool(DatabaseUrl url) {
        DatabasePool pool = pools.get(url);
        if (pool != null) {
            return pool;
        }
        synchronized (pools) {
            if (pools.size() >= MAX_POOLS + 1 && !pools.containsKey(url)) {
                throw new DbException("OperationalError", null, "too many databases: " + pools.size()
                        + " pools are open in this process; connect to fewer distinct URLs");
            }
            return pools.computeIfAbsent(url, u -> new DatabasePool(u, poolSize, maxWait));
        }
    }

    /** Every pool opened so far, now. */
    public List<PoolStats> stats() {
        List<PoolStats> out = new ArrayList<>();
        pools.values().forEach(p -> out.add(p.stats()));
        return out;
    }

    @Override
    public void close() {
        closed = true;
        pools.values().forEach(DatabasePool::close);
        pools.clear();
    }
}
