package io.covet.database;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.postgresql.jdbc.PgResultSet;
import org.postgresql.jdbc.PgStatement;
import org.postgresql.util.PGInterval;

/**
 * One DB-API connection ({@code covet.db.connect()}): psycopg2's behaviour (a transaction begins
 * with the first statement and lasts until {@link #commit} or {@link #rollback}; in autocommit mode
 * each statement is its own) on a pooled JDBC connection that it holds only while a transaction
 * is open, or a server-side cursor.
 *
 * <h2>Design</h2>
 * <b>Leases.</b> A JDBC connection is borrowed at the first statement of a transaction and given
 * back when it ends: commit, rollback, close, or the end of the task that began it (a request
 * handled, failed, timed out or cancelled), at which point it is rolled back first. So a failing
 * handler cannot keep a connection, and connections are held for transactions, not for the life of
 * a Python object (as PgBouncer's transaction pooling: session state such as {@code SET} or
 * temporary tables lasts one transaction).
 *
 * <p><b>Concurrency.</b> One call at a time (a lock: the interpreter's thread, or an IO-lane thread
 * working for it). A task's end arrives on any thread: it marks the lease ended and hands the
 * rollback to a virtual thread, which first cancels a statement still running for it, then waits
 * for the lock; a call that finds its lease ended rolls it back before it begins.
 *
 * <p><b>Deadlines.</b> A transaction's lease is watched by its task from the borrow on, so the
 * task's end (its deadline too) cancels its running statement; an autocommit statement gets the
 * time its task has left as its timeout. A borrow waits no longer than that either: a slow query
 * ends as the request's deadline says, on the server too.
 */
public final class DbConnection implements AutoCloseable {

    /** The scalar types read specially, by OID. */
    private static final Map<Integer, String> SCALARS = Map.ofEntries(Map.entry(21, "int2"), Map.entry(23, "int4"),
            Map.entry(20, "int8"), Map.entry(26, "oid"), Map.entry(28, "xid"), Map.entry(700, "float4"), Map.entry(701, "float8"),
            Map.entry(1700, "numeric"), Map.entry(16, "bool"), Map.entry(17, "bytea"), Map.entry(1082, "date"), Map.entry(1083, "time"),
            Map.entry(1266, "timetz"), Map.entry(1114, "timestamp"), Map.entry(1184, "timestamptz"), Map.entry(2950, "uuid"),
            Map.entry(114, "json"), Map.entry(3802, "jsonb"), Map.entry(1186, "interval"));
    /**
     * Statements that may leave state in the server session, which a pooled connection carries to
     * its next borrower: after one, the connection is reset ({@code DISCARD ALL}, and advisory
     * locks released) before it goes back. Functions that change the session from inside
     * (PL/pgSQL calling set_config) are not seen.
     */
    private static final Pattern SESSION_STATE = Pattern.compile("(?is)^\\s*(SET\\s+(?!LOCAL\\b|TRANSACTION\\b|CONSTRAINTS\\b)|RESET\\b"
            + "|LISTEN\\b|PREPARE\\b|DECLARE\\b|LOAD\\b|CREATE\\s+(GLOBAL\\s+|LOCAL\\s+)?TEMP).*"
            + "|.*\\b(set_config|pg_advisory_lock|pg_advisory_lock_shared|dblink_connect)\\s*\\(.*");
    private static final Pattern READ_ONLY = Pattern.compile("(?is)\\s*(SELECT|SHOW|VALUES|TABLE|EXPLAIN(?!\\s+ANALYZE))\\b");
    /** Rows one client-side result may hold (the whole result is in memory): past it, a named cursor is needed. */
    static final int MAX_RESULT_ROWS = 1_000_000;
    /** Time a dead connection's read may block past its task's deadline before the socket gives up. */
    private static final Duration NETWORK_GRACE = Duration.ofSeconds(10);
    /** Statement texts kept parsed (pyformat to JDBC). */
    private static final int PARSED_TEXTS = 128;

    /** A borrowed JDBC connection; {@code ended}: the task that opened its transaction is over. */
    private static final class Lease {
        final Connection jdbc;
        volatile boolean ended;
        /** Given back: its task's end has nothing left to do. */
        volatile boolean released;
        volatile Statement running;
        boolean watched;
        /** A statement ran that may leave session state behind (SET, LISTEN, a temporary table ...). */
        boolean sessionChanged;
        /** A statement ran that may have written (anything but SELECT, SHOW, VALUES, TABLE, EXPLAIN). */
        boolean wrote;

        Lease(Connection jdbc) {
            this.jdbc = jdbc;
        }
    }

    /** A server-side cursor: its statement and rows, read a batch at a time. */
    private record ServerCursor(Statement statement, ResultSet rows, List<Reader> readers) {
    }

    /** A cursor opened by {@link #openCursor}: its number and its columns. */
    public record Opened(long id, List<Column> columns) {
    }

    private final DatabasePool pool;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, PyFormat> parsed = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PyFormat> eldest) {
            return size() > PARSED_TEXTS;
        }
    };
    private final Map<Long, ServerCursor> cursors = new HashMap<>();
    private long cursorIds;
    private volatile boolean autocommit;
    private volatile boolean closed;
    private Lease lease;
    /** Writes of a transaction were rolled back because its task ended: the next commit must say so. */
    private boolean lostWrites;

    DbConnection(DatabasePool pool, boolean autocommit) {
        this.pool = pool;
        this.autocommit = autocommit;
    }

    /** Whether a JDBC connection is held now (a transaction or a cursor is open). */
    public boolean holdsConnection() {
        lock.lock();
        try {
            return lease != null;
        } finally {
            lock.unlock();
        }
    }

    // ---- statements ---------------------------------------------------------------------------

    /**
     * Runs {@code sql}: with {@code params} null as written, else with its pyformat placeholders
     * bound from {@code params} (a {@link List} or a {@link Map}). All rows are read at once, as
     * psycopg2's client-side cursors do; of several statements, the last one's result.
     */
    public Result execute(String sql, Object params, CallScope scope) {
        return call(scope, jdbc -> {
            noteSession(sql);
            PyFormat format = params == null ? null : parse(sql);
            List<Object> values = format == null ? null : format.bind(params);
            // A None is written into the text as NULL, as psycopg2 writes it: a bound NULL has no
            // type for PostgreSQL to infer where nothing else says one (%s IS NULL).
            String text = format == null ? null : values.contains(null) ? format.withNulls(values) : format.sql();
            Statement st = format == null ? jdbc.createStatement() : jdbc.prepareStatement(text);
            try (st) {
                prepare(st, scope);
                st.setMaxRows(MAX_RESULT_ROWS + 1);
                boolean rows;
                if (st instanceof PreparedStatement ps) {
                    bind(jdbc, ps, values.stream().filter(java.util.Objects::nonNull).toList());
                    rows = running(st, ps::execute);
                } else {
                    rows = running(st, () -> st.execute(sql));
                }
                Result last = read(st, rows);
                while (true) {
                    rows = st.getMoreResults();
                    if (!rows && st.getUpdateCount() == -1) {
                        return last;
                    }
                    last = read(st, rows);
                }
            }
        });
    }

    /** Runs {@code sql} once per parameter set, as one JDBC batch; rowcount is their sum. */
    public Result executeMany(String sql, List<?> paramSets, CallScope scope) {
        return call(scope, jdbc -> {
            noteSession(sql);
            PyFormat format = parse(sql);
            try (PreparedStatement ps = jdbc.prepareStatement(format.sql())) {
                prepare(ps, scope);
                for (Object params : paramSets) {
                    bind(jdbc, ps, format.bind(params));
                    ps.addBatch();
                }
                long total = 0;
                for (int n : running(ps, ps::executeBatch)) {
                    total = n >= 0 && total >= 0 ? total + n : -1;
                }
                return new Result(null, List.of(), paramSets.isEmpty() ? 0 : total, false);
            }
        });
    }

    /**
     * A server-side cursor (psycopg2's named cursor) over {@code sql}: rows stay on the server and
     * arrive {@code fetchSize} at a time as {@link #fetch} asks. Only inside a transaction.
     */
    public Opened openCursor(String sql, Object params, int fetchSize, CallScope scope) {
        if (autocommit) {
            throw new DbException("ProgrammingError", null, "a named (server-side) cursor needs a transaction: "
                    + "it cannot be used in autocommit mode");
        }
        return call(scope, jdbc -> {
            PreparedStatement ps = jdbc.prepareStatement(params == null ? PyFormat.unbound(sql) : parse(sql).sql());
            try {
                prepare(ps, scope);
                ps.setFetchSize(Math.max(1, fetchSize));
                if (params != null) {
                    bind(jdbc, ps, parse(sql).bind(params));
                }
                ResultSet rs = running(ps, ps::executeQuery);
                List<Column> columns = columns(rs);
                long id = ++cursorIds;
                cursors.put(id, new ServerCursor(ps, rs, readers(columns)));
                return new Opened(id, columns);
            } catch (SQLException | RuntimeException e) {
                ps.close();
                throw e;
            }
        });
    }

    /** Up to {@code n} more rows of cursor {@code id}; {@code more}: whether any remain. */
    public Result fetch(long id, int n, CallScope scope) {
        lock.lock();
        try {
            if (!cursors.containsKey(id)) {
                throw new DbException("InterfaceError", null, "the cursor is closed (its transaction ended)");
            }
            return call(scope, jdbc -> fetchFrom(cursors.get(id), n, scope));
        } finally {
            lock.unlock();
        }
    }

    private Result fetchFrom(ServerCursor cursor, int n, CallScope scope) throws SQLException {
        if (cursor == null) {
            throw new DbException("InterfaceError", null, "the cursor is closed (its transaction ended)");
        }
        prepare(cursor.statement(), scope);
        List<Object[]> rows = new ArrayList<>(Math.clamp(n, 0, 10_000));
        boolean more = true;
        while (rows.size() < n && (more = running(cursor.statement(), cursor.rows()::next))) {
            rows.add(row(cursor.rows(), cursor.readers()));
        }
        return new Result(null, rows, rows.size(), more);
    }

    /** Closes cursor {@code id} (nothing if it is closed already). */
    public void closeCursor(long id) {
        lock.lock();
        try {
            ServerCursor cursor = cursors.remove(id);
            if (cursor != null) {
                closeQuietly(cursor.statement());
            }
        } finally {
            lock.unlock();
        }
    }

    // ---- transactions -------------------------------------------------------------------------

    /** Commits the open transaction, if any, and gives its connection back. */
    public void commit(CallScope scope) {
        end(scope, true);
    }

    /** Rolls back the open transaction, if any, and gives its connection back. */
    public void rollback(CallScope scope) {
        end(scope, false);
    }

    private void end(CallScope scope, boolean commit) {
        lock.lock();
        try {
            open();
            Lease l = lease;
            if (l != null && l.ended) {
                releaseEnded();
            }
            if (lostWrites) {
                lostWrites = false;
                release();
                if (commit) {
                    throw new DbException("OperationalError", null, "not committed: this transaction's earlier writes were rolled "
                            + "back when the task that began it ended, so it is rolled back whole");
                }
                return;
            }
            l = lease;
            if (l == null) {
                return;
            }
            try {
                closeCursors();
                if (!l.jdbc.getAutoCommit()) {
                    pool.endingSoon();
                    if (commit) {
                        prepareTimeout(scope);
                        l.jdbc.commit();
                    } else {
                        l.jdbc.rollback();
                    }
                }
            } catch (SQLException e) {
                throw DbException.of(e);
            } finally {
                release();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Autocommit mode, as psycopg2's {@code connection.autocommit}: not while a transaction is open. */
    public void autocommit(boolean on) {
        lock.lock();
        try {
            open();
            if (on != autocommit && lease != null && !lease.ended) {
                throw new DbException("ProgrammingError", null, "set_session cannot be used inside a transaction: "
                        + "commit or roll back first");
            }
            autocommit = on;
        } finally {
            lock.unlock();
        }
    }

    /** Rolls back what is open and gives the connection back; later calls fail (InterfaceError). */
    @Override
    public void close() {
        lock.lock();
        try {
            release();
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    // ---- the lease ----------------------------------------------------------------------------

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection jdbc) throws SQLException;
    }

    @FunctionalInterface
    private interface Blocking<T> {
        T run() throws SQLException;
    }

    /** Runs {@code work} on the lease (borrowed if needed); keeps it only while a transaction or cursor needs it. */
    private <T> T call(CallScope scope, Work<T> work) {
        if (scope.ended()) {
            // Work queued for a task that has ended since (cancelled, timed out): run nothing for it.
            throw new DbException("OperationalError", "57014", "statement not run: its task has ended");
        }
        lock.lock();
        try {
            open();
            if (lease != null && lease.ended) {
                releaseEnded();
            }
            if (lease == null) {
                Connection jdbc = pool.borrow(scope.remaining().orElse(Duration.ofDays(1)));
                Lease l = lease = new Lease(jdbc);
                try {
                    if (jdbc.getAutoCommit() != autocommit) {
                        jdbc.setAutoCommit(autocommit);
                    }
                } catch (SQLException e) {
                    release();
                    throw DbException.of(e);
                }
                if (!autocommit) {
                    // A transaction's lease ends with its task; autocommit leases end with their statement.
                    l.watched = scope.whenEnds(() -> {
                        l.ended = true;
                        if (!l.released) {   // most transactions end with a commit before their task does
                            Thread.ofVirtual().name("covet-db-release").start(() -> endOf(l));
                        }
                    });
                }
            }
            try {
                Duration left = scope.remaining().orElse(null);
                if (left != null) {
                    lease.jdbc.setNetworkTimeout(Runnable::run, (int) Math.min(Integer.MAX_VALUE,
                            Math.max(1, left.plus(NETWORK_GRACE).toMillis())));
                }
                if (autocommit && cursors.isEmpty()) {
                    pool.endingSoon();   // this statement is the lease's last round trip
                }
                return work.run(lease.jdbc);
            } catch (SQLException e) {
                throw DbException.of(e);
            } finally {
                if (autocommit && cursors.isEmpty()) {
                    release();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** The task of lease {@code l} ended: stops its statement, rolls it back and gives it back. */
    private void endOf(Lease l) {
        Statement running = l.running;
        if (running != null) {
            try {
                running.cancel();
            } catch (SQLException e) {
                // The statement finished meanwhile, or the connection is broken: the pool evicts it.
            }
        }
        lock.lock();
        try {
            if (lease == l) {
                releaseEnded();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Gives the lease back, rolled back; broken connections are the pool's to replace. */
    private void release() {
        Lease l = lease;
        if (l == null) {
            return;
        }
        lease = null;
        l.released = true;
        closeCursors();
        try {
            if (!l.jdbc.getAutoCommit()) {
                l.jdbc.rollback();
            }
            if (l.sessionChanged) {
                try (Statement reset = l.jdbc.createStatement()) {
                    reset.setQueryTimeout(10);
                    reset.execute("SELECT pg_advisory_unlock_all()");
                    reset.execute("DISCARD ALL");
                }
            }
        } catch (SQLException e) {
            pool.evict(l.jdbc);   // broken, or its session could not be reset: not for the next borrower
        } finally {
            pool.giveBack(l.jdbc);
        }
    }

    private void closeCursors() {
        cursors.values().forEach(c -> closeQuietly(c.statement()));
        cursors.clear();
    }

    private void open() {
        if (closed) {
            throw new DbException("InterfaceError", null, "connection already closed");
        }
    }

    /** Runs a blocking JDBC call with its statement visible to {@link #endOf}, which may cancel it. */
    private <T> T running(Statement st, Blocking<T> call) throws SQLException {
        lease.running = st;
        try {
            return call.run();
        } catch (SQLException e) {
            if ("57014".equals(e.getSQLState()) && lease.ended) {
                throw new DbException("OperationalError", "57014", "statement cancelled: the task it ran for has ended");
            }
            throw e;
        } finally {
            lease.running = null;
        }
    }

    private void noteSession(String sql) {
        if (lease != null && !lease.sessionChanged && SESSION_STATE.matcher(sql).matches()) {
            lease.sessionChanged = true;
        }
        if (lease != null && !lease.wrote && !READ_ONLY.matcher(sql).lookingAt()) {
            lease.wrote = true;
        }
    }

    /** Gives back a lease whose task ended with its transaction open; its writes are lost, which the next commit reports. */
    private void releaseEnded() {
        if (lease != null && lease.wrote && !autocommit) {
            lostWrites = true;
        }
        release();
    }

    private PyFormat parse(String sql) {
        return parsed.computeIfAbsent(sql, PyFormat::parse);
    }

    /**
     * The statement's timeout: what its task has left. Under a lease watched by its task, the
     * task's end cancels the statement ({@link #endOf}); otherwise pgjdbc's timer does (a task
     * switch and back per statement, which a transaction's statements are spared).
     */
    private void prepare(Statement st, CallScope scope) throws SQLException {
        Duration left = scope.remaining().orElse(null);
        if (left != null && !lease.watched) {
            st.unwrap(PgStatement.class).setQueryTimeoutMs(Math.max(1, left.toMillis()));
        }
        prepareTimeout(scope);
    }

    private static void prepareTimeout(CallScope scope) {
        if (scope.remaining().map(d -> d.isNegative() || d.isZero()).orElse(false)) {
            throw new DbException("OperationalError", "57014", "statement not run: its task's deadline has passed");
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // Already closed or broken: nothing more to give back.
        }
    }

    // ---- values in ----------------------------------------------------------------------------

    private static void bind(Connection jdbc, PreparedStatement ps, List<Object> values) throws SQLException {
        for (int i = 0; i < values.size(); i++) {
            int p = i + 1;
            switch (values.get(i)) {
                case null -> ps.setNull(p, Types.NULL);
                case Boolean b -> ps.setBoolean(p, b);
                // As psycopg2's literals are typed: an int4 when it fits (so CURRENT_DATE + %s works), else int8.
                case Long l when l == (int) (long) l -> ps.setInt(p, (int) (long) l);
                case Long l -> ps.setLong(p, l);
                case Integer n -> ps.setInt(p, n);
                case BigInteger big -> ps.setBigDecimal(p, new BigDecimal(big));
                // psycopg2's 1.5 is a numeric literal (round(%s, 2) works); NaN and infinities stay float8.
                case Double d when Double.isFinite(d) -> ps.setBigDecimal(p, new BigDecimal(Double.toString(d)));
                case Double d -> ps.setDouble(p, d);
                case String s -> ps.setString(p, s);
                case byte[] bytes -> ps.setBytes(p, bytes);
                case Typed t -> bindTyped(ps, p, t);
                // An empty (or all-None) list has no element type: untyped '{}', as psycopg2 sends it.
                case List<?> list when list.stream().allMatch(java.util.Objects::isNull) ->
                        ps.setObject(p, list.isEmpty() ? "{}" : "{" + "NULL,".repeat(list.size() - 1) + "NULL}", Types.OTHER);
                case List<?> list -> ps.setArray(p, jdbc.createArrayOf(elementType(list), list.stream().map(DbConnection::arrayElement).toArray()));
                case Object other -> throw new DbException("ProgrammingError", null, "can't adapt type '"
                        + other.getClass().getSimpleName() + "' as a parameter");
            }
        }
    }

    private static void bindTyped(PreparedStatement ps, int p, Typed t) throws SQLException {
        String text = t.text();
        try {
            switch (t.kind()) {
                case "numeric" -> {
                    if (text.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) {
                        ps.setBigDecimal(p, new BigDecimal(text));
                    } else {
                        ps.setObject(p, text, Types.OTHER);   // NaN, Infinity: PostgreSQL reads them
                    }
                }
                case "date" -> ps.setObject(p, LocalDate.parse(text));
                case "time" -> ps.setObject(p, LocalTime.parse(text));
                case "timetz" -> ps.setObject(p, OffsetTime.parse(text));
                case "timestamp" -> ps.setObject(p, LocalDateTime.parse(text));
                case "timestamptz" -> ps.setObject(p, OffsetDateTime.parse(text));
                case "uuid" -> ps.setObject(p, UUID.fromString(text));
                case "json" -> ps.setObject(p, text, Types.OTHER);
                case "interval" -> {
                    String[] parts = text.split(" ");
                    ps.setObject(p, new PGInterval(0, 0, Integer.parseInt(parts[0]), 0, 0,
                            Long.parseLong(parts[1]) + Long.parseLong(parts[2]) / 1e6));
                }
                default -> throw new DbException("ProgrammingError", null, "can't adapt a value of kind '" + t.kind() + "'");
            }
        } catch (DateTimeParseException | IllegalArgumentException e) {
            // A form Java's parsers do not take (an offset with seconds ...): PostgreSQL reads the text.
            ps.setObject(p, text, Types.OTHER);
        }
    }

    /** The PostgreSQL element type of a list bound as an array, from its values. */
    private static String elementType(List<?> list) {
        String type = null;
        for (Object v : list) {
            String t = switch (v) {
                case null -> null;
                case Long l -> "int8";
                case Integer i -> "int8";
                case BigInteger b -> "numeric";
                case Double d -> "float8";
                case Boolean b -> "bool";
                case String s -> "text";
                case byte[] b -> "bytea";
                case Typed typed -> switch (typed.kind()) {
                    case "json" -> "jsonb";
                    case "numeric", "date", "time", "timetz", "timestamp", "timestamptz", "uuid", "interval" -> typed.kind();
                    default -> "text";
                };
                default -> throw new DbException("ProgrammingError", null, "can't adapt a list of '"
                        + v.getClass().getSimpleName() + "' as an array (nested lists are not supported)");
            };
            if (t == null || t.equals(type)) {
                continue;
            }
            if (type == null) {
                type = t;
            } else if ((type.equals("int8") || type.equals("float8") || type.equals("numeric"))
                    && (t.equals("int8") || t.equals("float8") || t.equals("numeric"))) {
                type = type.equals("numeric") || t.equals("numeric") ? "numeric" : "float8";
            } else {
                throw new DbException("ProgrammingError", null, "can't adapt a list mixing " + type + " and " + t + " values as an array");
            }
        }
        return type == null ? "text" : type;
    }

    private static Object arrayElement(Object v) {
        return switch (v) {
            case Typed t when t.kind().equals("interval") -> {
                String[] parts = t.text().split(" ");
                yield parts[0] + " days " + parts[1] + "." + String.format("%06d", Long.parseLong(parts[2])) + " seconds";
            }
            case Typed t -> t.text();
            case BigInteger b -> new BigDecimal(b);
            case null, default -> v;
        };
    }

    // ---- values out ---------------------------------------------------------------------------

    @FunctionalInterface
    private interface Reader {
        Object read(ResultSet rs, int column) throws SQLException;
    }

    private static Result read(Statement st, boolean rows) throws SQLException {
        if (!rows) {
            return new Result(null, List.of(), st.getUpdateCount(), false);
        }
        try (ResultSet rs = st.getResultSet()) {
            List<Column> columns = columns(rs);
            List<Reader> readers = readers(columns);
            List<Object[]> out = new ArrayList<>();
            while (rs.next()) {
                if (out.size() == MAX_RESULT_ROWS) {
                    throw new DbException("OperationalError", null, "the result has more than " + MAX_RESULT_ROWS
                            + " rows, more than a cursor holds in memory: read it with a named cursor (connection.cursor('name')), "
                            + "which fetches it in batches");
                }
                out.add(row(rs, readers));
            }
            return new Result(columns, out, out.size(), false);
        }
    }

    private static Object[] row(ResultSet rs, List<Reader> readers) throws SQLException {
        Object[] row = new Object[readers.size()];
        for (int c = 0; c < row.length; c++) {
            row[c] = readers.get(c).read(rs, c + 1);
        }
        return row;
    }

    private static List<Column> columns(ResultSet rs) throws SQLException {
        var meta = rs.getMetaData();
        PgResultSet pg = rs.unwrap(PgResultSet.class);
        List<Column> columns = new ArrayList<>(meta.getColumnCount());
        for (int c = 1; c <= meta.getColumnCount(); c++) {
            int oid = pg.getColumnOID(c);
            // By number: pgjdbc names an integer column with a sequence default "serial".
            String type = SCALARS.getOrDefault(oid, meta.getColumnTypeName(c));
            boolean array = meta.getColumnType(c) == Types.ARRAY && type.startsWith("_");
            String base = array ? type.substring(1) : type;
            String kind = switch (base) {
                case "numeric" -> "decimal";
                case "date" -> "date";
                case "time", "timetz" -> "time";
                case "timestamp", "timestamptz" -> "datetime";
                case "uuid" -> "uuid";
                case "json", "jsonb" -> "json";
                case "interval" -> "interval";
                default -> "";
            };
            boolean numeric = base.equals("numeric");
            // null_ok stays None, as psycopg2's: pgjdbc would ask the catalog for it, a round trip per result.
            columns.add(new Column(meta.getColumnLabel(c), oid, type, kind, array, null, numeric ? meta.getPrecision(c) : null,
                    numeric ? meta.getScale(c) : null, null));
        }
        return columns;
    }

    private static List<Reader> readers(List<Column> columns) {
        List<Reader> readers = new ArrayList<>(columns.size());
        for (Column column : columns) {
            // Arrays of values Python converts from PostgreSQL's text: each element's text.
            Reader array = column.kind().isEmpty() ? DbConnection::array : column.kind().equals("interval")
                    ? (rs, c) -> arrayElements(rs.getArray(c), true) : (rs, c) -> arrayElements(rs.getArray(c), false);
            readers.add(column.array() ? array : switch (column.typeName()) {
                case "int2", "int4", "int8", "oid", "xid" -> (rs, c) -> {
                    long v = rs.getLong(c);
                    return rs.wasNull() ? null : v;
                };
                case "float8" -> (rs, c) -> {
                    double v = rs.getDouble(c);
                    return rs.wasNull() ? null : v;
                };
                // As PostgreSQL writes it ("1.1"), as psycopg2 reads it: not the float widened to a double.
                case "float4" -> (rs, c) -> {
                    String v = rs.getString(c);
                    return v == null ? null : Double.parseDouble(v);
                };
                case "bool" -> (rs, c) -> {
                    boolean v = rs.getBoolean(c);
                    return rs.wasNull() ? null : v;
                };
                case "bytea" -> ResultSet::getBytes;
                case "interval" -> (rs, c) -> interval((PGInterval) rs.getObject(c));
                default -> ResultSet::getString;
            });
        }
        return readers;
    }

    /** psycopg2's timedelta of an interval: a month is 30 days, a year 365. */
    private static Object interval(PGInterval i) {
        if (i == null) {
            return null;
        }
        long days = i.getYears() * 365L + i.getMonths() * 30L + i.getDays();
        long micros = Math.round((i.getHours() * 3600L + i.getMinutes() * 60L) * 1e6 + i.getSeconds() * 1e6);
        return List.of(days, Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L));
    }

    private static Object array(ResultSet rs, int c) throws SQLException {
        java.sql.Array a = rs.getArray(c);
        return a == null ? null : arrayValues(a.getArray());
    }

    /** The elements of {@code a} as PostgreSQL writes them (nested lists by dimension); intervals as "DAYS SECONDS MICROSECONDS". */
    private static Object arrayElements(java.sql.Array a, boolean intervals) throws SQLException {
        if (a == null) {
            return null;
        }
        List<Object> out = new ArrayList<>();
        try (ResultSet rs = a.getResultSet()) {
            while (rs.next()) {
                Object v = rs.getObject(2);
                out.add(switch (v) {
                    case null -> null;
                    case java.sql.Array nested -> arrayElements(nested, intervals);
                    // As text, "DAYS SECONDS MICROSECONDS": a list here would read as another dimension.
                    case PGInterval i when intervals -> ((List<?>) interval(i)).stream().map(String::valueOf)
                            .collect(java.util.stream.Collectors.joining(" "));
                    default -> rs.getString(2);
                });
            }
        }
        return out;
    }

    private static Object arrayValues(Object array) {
        if (!(array instanceof Object[] items)) {
            return array;   // bytea[] elements are byte[]; primitive arrays do not occur
        }
        List<Object> out = new ArrayList<>(items.length);
        for (Object v : items) {
            out.add(switch (v) {
                case null -> null;
                case Object[] nested -> arrayValues(nested);
                case Integer n -> n.longValue();
                case Short n -> n.longValue();
                case Float f -> Double.parseDouble(f.toString());
                case BigDecimal d -> d.toPlainString();
                case Long l -> l;
                case Double d -> d;
                case Boolean b -> b;
                case String s -> s;
                case byte[] b -> b;
                case PGInterval i -> interval(i);
                default -> v.toString();
            });
        }
        return out;
    }
}
