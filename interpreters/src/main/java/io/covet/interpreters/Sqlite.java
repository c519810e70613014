package io.covet.interpreters;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.proxy.ProxyObject;
import org.sqlite.Collation;
import org.sqlite.Function;
import org.sqlite.ProgressHandler;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import org.sqlite.SQLiteLimits;
import org.sqlite.SQLiteOpenMode;
import org.sqlite.jdbc4.JDBC4Connection;

/**
 * The Java half of Covet's {@code sqlite3} ({@code covet_sqlite3.py}, served as {@code _sqlite3}, is
 * the Python half), for every interpreter under every policy: GraalPy implements the module in
 * native code, which the sandbox cannot load and which only one context of a process may load
 * anyway. SQLite itself comes from xerial's sqlite-jdbc: its native library ships inside its jar
 * and is loaded by the JVM, never by Python, so the sandbox's rules are kept here, in Java.
 *
 * <h2>Design</h2>
 * <b>One object per interpreter</b>, made with it; its connections are closed with it. Everything
 * runs on the interpreter's own thread (the calls come from its Python code), so nothing here is
 * shared between threads but SQLite's files, which SQLite locks itself (a busy timeout, as
 * {@code connect(timeout=)} says, waits for another interpreter's writer).
 *
 * <p><b>The sandbox.</b> A database file is opened only where Python could write it (below an
 * {@code --allow-write DIR}, checked as {@link SandboxFileSystem} checks a write: its directory's
 * real path and its name, no link at the last step, no other hard link), or read it for a
 * read-only open; in memory always. SQL cannot reach other files: {@code ATTACH} is refused by
 * SQLite's own limit on attached databases (0), which also refuses {@code VACUUM INTO}; a plain
 * {@code VACUUM}, which attaches a temporary database, gets that slot for itself alone;
 * {@code PRAGMA temp_store_directory} (process-wide) is refused; extensions cannot be loaded.
 * Named in-memory databases ({@code file:NAME?mode=memory&cache=shared}) are the interpreter's
 * own, as they would be a process's.
 *
 * <p><b>Python's semantics on JDBC.</b> The JDBC connection stays in auto-commit: transactions
 * are Python's ({@code isolation_level}: an implicit {@code BEGIN} before INSERT, UPDATE, DELETE and
 * REPLACE), their state followed from the statements run (BEGIN, COMMIT, END, ROLLBACK, SAVEPOINT,
 * RELEASE) and, after an error or a script, asked of SQLite itself ({@link Db#probeTransaction}).
 * Values keep SQLite's own storage class (sqlite-jdbc reads each by its type). Errors are returned,
 * never thrown: a call that fails returns the caller's failure token and {@link Db#error} says why,
 * with the exception class CPython would raise.
 *
 * <p><b>Callbacks.</b> SQL functions, aggregates and collations written in Python are called back
 * on this same thread, while SQLite runs the statement that uses them (the interpreter is inside
 * the host call that runs it); a runaway statement is stopped by a progress handler once the
 * interpreter's thread is interrupted (a deadline, a stop).
 */
final class Sqlite implements AutoCloseable {

    /** The SQLite version sqlite-jdbc carries (its native library is loaded on first use, not at start). */
    private static final class Version {
        static final String VALUE = version();
    }
    /** Statements kept prepared per connection (CPython's default cache size). */
    private static final int STATEMENT_CACHE = 128;
    /** SQLite virtual machine steps between checks for an interrupted thread. */
    private static final int PROGRESS_STEPS = 10_000;
    private static final Pattern PLAIN_VACUUM = Pattern.compile("(?is)\\s*VACUUM(\\s+[\\w\"`\\[\\]]+)?\\s*;?\\s*");
    private static final Pattern TEMP_DIRECTORY = Pattern.compile("(?i)(temp|data)_store_directory");
    private static final Set<String> DML = Set.of("INSERT", "UPDATE", "DELETE", "REPLACE");
    private static final Set<String> ISOLATION_LEVELS = Set.of("", "DEFERRED", "IMMEDIATE", "EXCLUSIVE");
    /** The database file and those SQLite writes beside it. */
    private static final List<String> JOURNALS = List.of("", "-journal", "-wal", "-shm");

    private static final java.util.concurrent.atomic.AtomicLong INSTANCES = new java.util.concurrent.atomic.AtomicLong();

    /** Null: every path may be opened (the policy lets Python write everywhere). */
    private final SandboxFileSystem sandbox;
    /** Unique in the process (interpreter numbers are only a pool's): names this interpreter's memory databases. */
    private final long instance = INSTANCES.incrementAndGet();
    /** Its connections not yet closed (closed from another thread too, as a stopped interpreter's context closes). */
    private final Set<Db> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private Boundary boundary;
    /** Why the last {@code open} failed. */
    private Object[] openError;

    Sqlite(SandboxFileSystem sandbox) {
        this.sandbox = sandbox;
    }

    /** Set once the interpreter has one (before any Python code can open a database). */
    void boundary(Boundary boundary) {
        this.boundary = boundary;
    }

    private static String version() {
        try (Connection c = new JDBC4Connection("jdbc:sqlite:", ":memory:", new SQLiteConfig().toProperties())) {
            return ((SQLiteConnection) c).getDatabase().libversion();
        } catch (SQLException e) {
            throw new IllegalStateException("SQLite (sqlite-jdbc) cannot be loaded: " + e.getMessage(), e);
        }
    }

    /** The module-level functions, as {@code _java} in the Python half. */
    ProxyObject module() {
        return ProxyObject.fromMap(Map.of(
                "version", (ProxyExecutable) a -> Version.VALUE,
                "complete", (ProxyExecutable) a -> SqlText.complete(a[0].asString()),
                "open", (ProxyExecutable) a -> open(a[0], a[1].isNull() ? null : a[1].asString(),
                        a[2].isNull() ? null : a[2].asString(), a[3].asString(), a[4].asBoolean(), a[5].asInt()),
                "open_error", (ProxyExecutable) a -> boundary.toPython(new PyTuple(List.of(openError))),
                "error_code", (ProxyExecutable) a -> errorCode(a[0].asString())));
    }

    /**
     * A connection (its proxy), or {@code fail} with {@code open_error()} saying why.
     *
     * @param path   a file, or null for memory
     * @param memory with a null path: the name of a shared in-memory database, or null for a private one
     * @param mode   "ro", "rw" or "rwc" (create)
     */
    private Object open(Value fail, String path, String memory, String mode, boolean shared, int timeoutMillis) {
        try {
            SQLiteConfig config = new SQLiteConfig();
            config.setBusyTimeout(timeoutMillis);
            config.enableLoadExtension(false);
            // Its own "SELECT last_insert_rowid()" after each INSERT would keep a statement open
            // (so VACUUM, and DROP of a table it read, fail): lastrowid is read here instead.
            config.setGetGeneratedKeys(false);
            config.setSharedCache(shared);
            config.resetOpenMode(SQLiteOpenMode.CREATE);
            config.resetOpenMode(SQLiteOpenMode.READWRITE);
            config.setOpenMode(mode.equals("ro") ? SQLiteOpenMode.READONLY : SQLiteOpenMode.READWRITE);
            if (mode.equals("rwc")) {
                config.setOpenMode(SQLiteOpenMode.CREATE);
            }
            // Always a file: URI whose every other character is percent-encoded: sqlite-jdbc reads
            // connection options (open_mode, enable_load_extension ...) from what follows a '?' in the name.
            config.setOpenMode(SQLiteOpenMode.OPEN_URI);
            String file;
            if (path == null) {
                // A named one is this interpreter's own, as a process's would be its own.
                file = memory == null ? ":memory:" : "file:covet-" + instance + "-" + uriEncoded(memory) + "?mode=memory&cache=shared";
            } else {
                file = "file:" + uriEncoded(allowed(Path.of(path), mode).toString());
            }
            SQLiteConnection connection = new JDBC4Connection("jdbc:sqlite:", file, config.toProperties());
            connection.getDatabase().enable_load_extension(false);   // whatever the options said
            Db db = new Db(connection);
            open.add(db);
            return db.proxy();
        } catch (SQLException e) {
            openError = describe(e);
        } catch (SecurityException e) {
            // What sqlite3 raises for a file it cannot open, saying why.
            openError = new Object[] {"OperationalError", 14, "SQLITE_CANTOPEN", "unable to open database file: " + e.getMessage()};
        } catch (RuntimeException e) {
            openError = new Object[] {"OperationalError", 14, "SQLITE_CANTOPEN", "unable to open database file: " + e.getMessage()};
        }
        return fail;
    }

    /**
     * Where {@code path} may be opened in {@code mode}: its checked real path; SecurityException if
     * nowhere. SQLite follows links, and writes the journal files beside the database, so none of
     * them may be a link (the sandbox makes none; the host may have left one).
     */
    private Path allowed(Path path, String mode) {
        if (sandbox == null) {
            return path.toAbsolutePath();
        }
        if (mode.equals("ro")) {
            return sandbox.checkRead(path);
        }
        Path target = sandbox.checkWrite(path);
        for (String suffix : JOURNALS) {
            Path file = suffix.isEmpty() ? target : sandbox.checkWrite(target.resolveSibling(target.getFileName() + suffix));
            if (java.nio.file.Files.isSymbolicLink(file)) {
                throw new SecurityException("writing " + file + " is denied by Covet's sandbox: it is a link, which may lead "
                        + "outside the writable directories");
            }
        }
        return target;
    }

    /** {@code s} with every character but letters, digits, {@code /-._~} percent-encoded (UTF-8), as a URI's path. */
    static String uriEncoded(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "/-._~".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return out.toString();
    }

    private static int errorCode(String name) {
        for (SQLiteErrorCode c : SQLiteErrorCode.values()) {
            if (c.name().equals(name)) {
                return c.code;
            }
        }
        return -1;
    }

    /** Closes every connection still open (the interpreter is closing). */
    @Override
    public void close() {
        for (Db db : List.copyOf(open)) {
            try {
                db.close();
            } catch (RuntimeException e) {
                // Its interpreter's thread was using it as the context closed: the others still close.
            }
        }
    }

    /** (exception class, code, code name, SQLite's message) of a failure, as CPython reports it. */
    static Object[] describe(SQLException e) {
        if (e instanceof SQLiteException s) {
            SQLiteErrorCode rc = s.getResultCode();
            String prefix = "[" + rc.name() + "] " + rc.message + " (";
            String message = s.getMessage();
            if (message != null && message.startsWith(prefix) && message.endsWith(")")) {
                message = message.substring(prefix.length(), message.length() - 1);
            }
            return new Object[] {exceptionClass(rc.code & 0xff), rc.code, rc.name(), message};
        }
        return new Object[] {"OperationalError", 1, "SQLITE_ERROR", String.valueOf(e.getMessage())};
    }

    /** CPython's exception class for a primary result code. */
    private static String exceptionClass(int primary) {
        return switch (primary) {
            case 2, 12 -> "InternalError";                     // INTERNAL, NOTFOUND
            case 7 -> "MemoryError";                           // NOMEM
            case 1, 3, 4, 5, 6, 8, 9, 10, 13, 14, 15, 16, 17 -> "OperationalError";
            case 11, 26 -> "DatabaseError";                    // CORRUPT, NOTADB
            case 18 -> "DataError";                            // TOOBIG
            case 19, 20 -> "IntegrityError";                   // CONSTRAINT, MISMATCH
            case 21, 25 -> "InterfaceError";                   // MISUSE, RANGE
            default -> "DatabaseError";
        };
    }

    /**
     * What a statement's text says, worked out once per text (as its prepared statement is kept),
     * and the description Python was last given for it, reused while its columns stay the same.
     */
    private static final class Text {
        final boolean single;
        final String keyword;
        final String refusal;
        final List<String> words;
        String[] labels;
        String[] converters;
        Value description;

        Text(String sql, boolean sandboxed) {
            single = SqlText.onlyTrivia(sql, SqlText.endOfFirst(sql));
            keyword = SqlText.firstKeyword(sql);
            refusal = sandboxed ? refusal(sql, keyword) : null;
            words = SqlText.words(sql, 3);
        }

        /** Why the sandbox refuses {@code sql}, or null. */
        private static String refusal(String sql, String keyword) {
            if (TEMP_DIRECTORY.matcher(sql).find()) {
                return "not authorized: PRAGMA temp_store_directory and data_store_directory are refused by Covet's sandbox";
            }
            if (keyword.equals("VACUUM") && !PLAIN_VACUUM.matcher(sql).matches()) {
                return "not authorized: VACUUM INTO writes a file, which Covet's sandbox refuses (--allow-write does not cover SQL)";
            }
            return null;
        }
    }

    /** One connection, and what Python's cursors have open on it. */
    final class Db {
        private final SQLiteConnection connection;
        /** Prepared statements not in use, by their text, least recently used first. */
        private final LinkedHashMap<String, PreparedStatement> idle = new LinkedHashMap<>(16, 0.75f, true);
        /** What the statements' texts say, as many as are kept prepared. */
        private final LinkedHashMap<String, Text> texts = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Text> eldest) {
                return size() > STATEMENT_CACHE;
            }
        };
        private final Map<Integer, Rows> cursors = new HashMap<>();
        private int nextCursor;
        private boolean inTransaction;
        /** The savepoint that began the transaction (outside one), whose release ends it. */
        private String outerSavepoint;
        private Object[] error;
        private PreparedStatement lastRowid;
        private long rowid;
        private boolean closed;

        Db(SQLiteConnection connection) throws SQLException {
            this.connection = connection;
            if (sandbox != null) {
                connection.setLimit(SQLiteLimits.SQLITE_LIMIT_ATTACHED, 0);
            }
            ProgressHandler.setHandler(connection, PROGRESS_STEPS, new ProgressHandler() {
                @Override
                protected int progress() {
                    return Thread.currentThread().isInterrupted() ? 1 : 0;
                }
            });
        }

        ProxyObject proxy() {
            Map<String, Object> m = new HashMap<>();
            m.put("execute", (ProxyExecutable) a -> execute(a[0], a[1].asString(), a[2], a[3].isNull() ? null : a[3].asString(),
                    a[4].asInt(), a[5].asInt(), a[6]));
            m.put("fetch", (ProxyExecutable) a -> fetch(a[0], a[1].asInt(), a[2].asInt()));
            m.put("close_cursor", (ProxyExecutable) a -> {
                closeCursor(a[0].asInt());
                return null;
            });
            m.put("executemany", (ProxyExecutable) a -> executeMany(a[0], a[1].asString(), a[2], a[3].isNull() ? null : a[3].asString()));
            m.put("executescript", (ProxyExecutable) a -> executeScript(a[0], a[1].asString()));
            m.put("commit", (ProxyExecutable) a -> end(a[0], "COMMIT"));
            m.put("rollback", (ProxyExecutable) a -> end(a[0], "ROLLBACK"));
            m.put("in_transaction", (ProxyExecutable) a -> inTransaction);
            m.put("total_changes", (ProxyExecutable) a -> totalChanges());
            m.put("create_function", (ProxyExecutable) a -> createFunction(a[0], a[1].asString(), a[2].asInt(), a[3], a[4].asBoolean()));
            m.put("create_aggregate", (ProxyExecutable) a -> createAggregate(a[0], a[1].asString(), a[2].asInt(), a[3]));
            m.put("create_collation", (ProxyExecutable) a -> createCollation(a[0], a[1].asString(), a[2]));
            m.put("limit", (ProxyExecutable) a -> limit(a[0], a[1].asInt(), a[2].asInt()));
            m.put("interrupt", (ProxyExecutable) a -> {
                interrupt();
                return null;
            });
            m.put("error", (ProxyExecutable) a -> boundary.toPython(new PyTuple(List.of(error))));
            m.put("close", (ProxyExecutable) a -> {
                close();
                return null;
            });
            return ProxyObject.fromMap(m);
        }

        // ---- statements ------------------------------------------------------------------

        /**
         * Runs one statement: {@code (cursor or -1, description or None, first rows, more, rowcount,
         * lastrowid)}, or {@code fail}. {@code params}: a list (by position) or a dict (by name), its
         * values already None, int, float, str or bytes-like; {@code begin}: the isolation level to
         * BEGIN with before a DML statement outside a transaction (null: none); {@code detect}: which
         * columns converters apply to (1: by declared type, 2: by a "[name]" in the column's name), by
         * the names in {@code converters} (a dict whose keys are upper case).
         */
        private Object execute(Value fail, String sql, Value params, String begin, int batch, int detect, Value converters) {
            PreparedStatement ps = null;
            try {
                Text text = text(sql);
                if (!text.single) {
                    return fail(fail, "ProgrammingError", "You can only execute one statement at a time.");
                }
                if (text.refusal != null) {
                    return fail(fail, "OperationalError", text.refusal);
                }
                boolean dml = DML.contains(text.keyword);
                ps = prepare(sql);
                Object bound = bind(ps, sql, params);
                if (bound != null) {
                    release(sql, ps);
                    return fail(fail, "ProgrammingError", (String) bound);
                }
                if (begin != null && !inTransaction && dml) {
                    begin(begin);
                }
                boolean vacuum = sandbox != null && text.keyword.equals("VACUUM");
                if (vacuum) {
                    connection.setLimit(SQLiteLimits.SQLITE_LIMIT_ATTACHED, 1);   // the temporary copy VACUUM attaches
                }
                boolean rows;
                try {
                    rows = ps.execute();
                } finally {
                    if (vacuum) {
                        connection.setLimit(SQLiteLimits.SQLITE_LIMIT_ATTACHED, 0);
                    }
                }
                long rowcount = dml && !rows ? ps.getUpdateCount() : -1;
                afterStatement(text.words);
                if (dml) {
                    rowid = lastInsertRowid();
                }
                if (!rows) {
                    release(sql, ps);
                    return boundary.toPython(PyTuple.of(-1, null, null, List.of(), false, rowcount, rowid));
                }
                Rows r = new Rows(sql, ps, ps.getResultSet(), detect, converters);
                Value description = descriptionFor(text, r, detect);
                List<PyTuple> first = r.read(batch);
                int id = -1;
                if (r.more) {
                    id = ++nextCursor;
                    cursors.put(id, r);
                }
                return boundary.toPython(PyTuple.of(id, description, r.converted ? Arrays.asList(r.converter) : null, first,
                        r.more, rowcount, rowid));
            } catch (SQLException e) {
                if (ps != null) {
                    release(sql, ps);
                }
                return failed(fail, e);
            } catch (OverflowError e) {
                release(sql, ps);
                return fail(fail, "OverflowError", e.getMessage());
            }
        }

        private Text text(String sql) {
            Text t = texts.get(sql);
            if (t == null) {
                t = new Text(sql, sandbox != null);
                texts.put(sql, t);
            }
            return t;
        }

        /**
         * Cursor.description for these rows: per column a 7-tuple of its name (with
         * PARSE_COLNAMES, what comes before its " [type]") and six Nones; the one made last time for
         * this text while its columns are the same.
         */
        private Value descriptionFor(Text text, Rows r, int detect) {
            if (text.description != null && Arrays.equals(text.labels, r.labels) && Arrays.equals(text.converters, r.converter)) {
                return text.description;
            }
            List<PyTuple> columns = new ArrayList<>(r.labels.length);
            for (String label : r.labels) {
                String name = label;
                int at = (detect & 2) != 0 ? label.indexOf('[') : -1;
                if (at >= 0) {
                    name = label.substring(0, at > 0 && label.charAt(at - 1) == ' ' ? at - 1 : at);
                }
                columns.add(PyTuple.of(name, null, null, null, null, null, null));
            }
            text.labels = r.labels;
            text.converters = r.converter;
            text.description = (Value) boundary.toPython(new PyTuple(new ArrayList<>(columns)));
            return text.description;
        }

        /** {@code (rows, more)}: up to {@code n} more rows of cursor {@code id}. */
        private Object fetch(Value fail, int id, int n) {
            Rows r = cursors.get(id);
            if (r == null) {
                return boundary.toPython(PyTuple.of(List.of(), false));
            }
            try {
                List<PyTuple> rows = r.read(n);
                if (!r.more) {
                    cursors.remove(id);
                }
                return boundary.toPython(PyTuple.of(rows, r.more));
            } catch (SQLException e) {
                cursors.remove(id);
                r.finish();
                return failed(fail, e);
            }
        }

        private void closeCursor(int id) {
            Rows r = cursors.remove(id);
            if (r != null) {
                r.finish();
            }
        }

        /** Runs one DML statement for every set of parameters; the total of rows changed. */
        private Object executeMany(Value fail, String sql, Value paramSets, String begin) {
            PreparedStatement ps = null;
            try {
                Text text = text(sql);
                if (!text.single) {
                    return fail(fail, "ProgrammingError", "You can only execute one statement at a time.");
                }
                if (!DML.contains(text.keyword)) {
                    return fail(fail, "ProgrammingError", "executemany() can only execute DML statements.");
                }
                if (text.refusal != null) {
                    return fail(fail, "OperationalError", text.refusal);
                }
                ps = prepare(sql);
                if (begin != null && !inTransaction) {
                    begin(begin);
                }
                long total = 0;
                for (long i = 0; i < paramSets.getArraySize(); i++) {
                    Object bound = bind(ps, sql, paramSets.getArrayElement(i));
                    if (bound != null) {
                        release(sql, ps);
                        return fail(fail, "ProgrammingError", (String) bound);
                    }
                    if (ps.execute()) {
                        release(sql, ps);
                        return fail(fail, "ProgrammingError", "executemany() can only execute DML statements.");
                    }
                    total += ps.getUpdateCount();
                }
                afterStatement(text.words);
                release(sql, ps);
                rowid = lastInsertRowid();
                return total;
            } catch (SQLException e) {
                if (ps != null) {
                    release(sql, ps);
                }
                return failed(fail, e);
            } catch (OverflowError e) {
                release(sql, ps);
                return fail(fail, "OverflowError", e.getMessage());
            }
        }

        /** Runs every statement of {@code sql} (after the caller committed); its transaction state asked of SQLite after. */
        private Object executeScript(Value fail, String sql) {
            try {
                int at = 0;
                while (at < sql.length()) {   // statement by statement, so that each gets the sandbox's check
                    int end = SqlText.endOfNext(sql, at);
                    String one = sql.substring(at, end);
                    at = end;
                    if (SqlText.onlyTrivia(one, 0)) {
                        continue;
                    }
                    String refusal = sandbox == null ? null : Text.refusal(one, SqlText.firstKeyword(one));
                    if (refusal != null) {
                        probeTransaction();
                        return fail(fail, "OperationalError", refusal);
                    }
                    if (!SqlText.complete(one + (one.stripTrailing().endsWith(";") ? "" : ";"))) {
                        probeTransaction();
                        return fail(fail, "OperationalError", "incomplete input");
                    }
                    run(one);
                }
                probeTransaction();
                return null;
            } catch (SQLException e) {
                probeTransaction();
                return failed(fail, e);
            }
        }

        /** COMMIT or ROLLBACK, when in a transaction. */
        private Object end(Value fail, String how) {
            if (!inTransaction) {
                return null;
            }
            try {
                for (Rows r : cursors.values()) {
                    if (how.equals("ROLLBACK")) {
                        r.finish();   // a rollback with reads pending would fail (SQLITE_BUSY) otherwise
                    }
                }
                if (how.equals("ROLLBACK")) {
                    cursors.clear();
                }
                run(how);
                inTransaction = false;
                outerSavepoint = null;
                return null;
            } catch (SQLException e) {
                return failed(fail, e);
            }
        }

        private long totalChanges() {
            try {
                return connection.getDatabase().total_changes();
            } catch (SQLException e) {
                return 0;
            }
        }

        /** The implicit BEGIN before a DML statement, at an isolation level Python's sqlite3 knows. */
        private void begin(String level) throws SQLException {
            if (!ISOLATION_LEVELS.contains(level.toUpperCase(Locale.ROOT))) {
                throw new SQLException("isolation_level string must be '', 'DEFERRED', 'IMMEDIATE', or 'EXCLUSIVE'");
            }
            run("BEGIN " + level);
            inTransaction = true;
        }

        private PreparedStatement prepare(String sql) throws SQLException {
            PreparedStatement ps = idle.remove(sql);
            return ps != null ? ps : connection.prepareStatement(sql);
        }

        /** Back to the cache, unused (its result set closed, so it holds nothing), or closed if the cache is full. */
        private void release(String sql, PreparedStatement ps) {
            try {
                ResultSet left = ps.getResultSet();
                if (left != null) {
                    left.close();
                }
                ps.clearParameters();
                if (idle.putIfAbsent(sql, ps) != null) {
                    ps.close();
                    return;
                }
                if (idle.size() > STATEMENT_CACHE) {
                    var eldest = idle.entrySet().iterator().next();
                    idle.remove(eldest.getKey());
                    eldest.getValue().close();
                }
            } catch (SQLException e) {
                idle.remove(sql, ps);
            }
        }

        /** Binds {@code params}; null, or why not (CPython's ProgrammingError text). */
        private Object bind(PreparedStatement ps, String sql, Value params) throws SQLException {
            int count = ps.getParameterMetaData().getParameterCount();
            if (params.isNull()) {
                params = null;
            }
            if (params != null && params.hasHashEntries()) {
                List<String> names = SqlText.parameterNames(sql);
                for (int i = 1; i <= count; i++) {
                    String name = i <= names.size() ? names.get(i - 1) : null;
                    if (name == null) {
                        return "Binding " + i + " has no name, but you supplied a dictionary (which has only names).";
                    }
                    if (!params.hasHashEntry(name)) {
                        return "You did not supply a value for binding parameter :" + name + ".";
                    }
                    String bad = bindOne(ps, i, params.getHashValue(name));
                    if (bad != null) {
                        return "Error binding parameter :" + name + " - " + bad;
                    }
                }
                return null;
            }
            long supplied = params == null ? 0 : params.getArraySize();
            if (supplied != count) {
                return "Incorrect number of bindings supplied. The current statement uses " + count + ", and there are "
                        + supplied + " supplied.";
            }
            for (int i = 1; i <= count; i++) {
                String bad = bindOne(ps, i, params.getArrayElement(i - 1));
                if (bad != null) {
                    return "Error binding parameter " + i + ": " + bad;
                }
            }
            return null;
        }

        /** Binds one value (None, int, float, str, bytes-like); null, or why not. */
        private String bindOne(PreparedStatement ps, int i, Value v) throws SQLException {
            if (v.isNull()) {
                ps.setNull(i, java.sql.Types.NULL);
            } else if (v.isBoolean()) {
                ps.setLong(i, v.asBoolean() ? 1 : 0);
            } else if (v.isNumber()) {
                if (v.fitsInLong() && !isFloat(v)) {
                    ps.setLong(i, v.asLong());
                } else if (isFloat(v)) {
                    ps.setDouble(i, v.asDouble());
                } else {
                    throw new OverflowError("Python int too large to convert to SQLite INTEGER");
                }
            } else if (v.isString()) {
                ps.setString(i, v.asString());
            } else if (v.hasBufferElements()) {
                ps.setBytes(i, StdlibFunctions.bytes(v));
            } else {
                return "type '" + v.getMetaObject().getMetaSimpleName() + "' is not supported";
            }
            return null;
        }

        /**
         * Runs one statement as it is, prepared: sqlite-jdbc's {@code Statement.execute(String)} would
         * take "backup to FILE" and "restore from FILE" as commands of its own, which reach files.
         */
        private void run(String sql) throws SQLException {
            try (PreparedStatement s = connection.prepareStatement(sql)) {
                s.execute();
            }
            afterStatement(SqlText.words(sql, 3));
        }

        private long lastInsertRowid() throws SQLException {
            if (lastRowid == null) {
                lastRowid = connection.prepareStatement("SELECT last_insert_rowid()");
            }
            try (ResultSet rs = lastRowid.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }

        // ---- transactions -------------------------------------------------------------------

        /** Follows the transaction state through a statement that succeeded, by its first words. */
        private void afterStatement(List<String> words) {
            String first = words.isEmpty() ? "" : words.get(0).toUpperCase(Locale.ROOT);
            switch (first) {
                case "BEGIN" -> {
                    inTransaction = true;
                    outerSavepoint = null;
                }
                case "COMMIT", "END" -> {
                    inTransaction = false;
                    outerSavepoint = null;
                }
                case "ROLLBACK" -> {
                    if (!words.subList(1, words.size()).stream().anyMatch(w -> w.equalsIgnoreCase("TO"))) {
                        inTransaction = false;
                        outerSavepoint = null;
                    }
                }
                case "SAVEPOINT" -> {
                    if (!inTransaction && words.size() > 1) {
                        inTransaction = true;
                        outerSavepoint = words.get(1);
                    }
                }
                case "RELEASE" -> {
                    String name = words.size() > 2 && words.get(1).equalsIgnoreCase("SAVEPOINT") ? words.get(2)
                            : words.size() > 1 ? words.get(1) : null;
                    if (name != null && name.equalsIgnoreCase(outerSavepoint)) {
                        inTransaction = false;
                        outerSavepoint = null;
                    }
                }
                default -> {
                }
            }
        }

        /**
         * Asks SQLite whether a transaction is open (after an error, which may have rolled one back,
         * or a script): a BEGIN fails inside one, and outside one is undone at once.
         */
        private void probeTransaction() {
            try (PreparedStatement begin = connection.prepareStatement("BEGIN");
                 PreparedStatement rollback = connection.prepareStatement("ROLLBACK")) {
                begin.execute();
                rollback.execute();
                inTransaction = false;
                outerSavepoint = null;
            } catch (SQLException e) {
                inTransaction = true;
            }
        }

        // ---- callbacks into Python ---------------------------------------------------------

        private Object createFunction(Value fail, String name, int nargs, Value function, boolean deterministic) {
            try {
                if (function.isNull()) {
                    Function.destroy(connection, name, nargs);
                } else {
                    Function.create(connection, name, new PythonFunction(function), nargs, deterministic ? Function.FLAG_DETERMINISTIC : 0);
                }
                return null;
            } catch (SQLException e) {
                return failed(fail, e);
            }
        }

        private Object createAggregate(Value fail, String name, int nargs, Value type) {
            try {
                if (type.isNull()) {
                    Function.destroy(connection, name, nargs);
                } else {
                    Function.create(connection, name, new PythonAggregate(type), nargs, 0);
                }
                return null;
            } catch (SQLException e) {
                return failed(fail, e);
            }
        }

        private Object createCollation(Value fail, String name, Value compare) {
            try {
                if (compare.isNull()) {
                    Collation.destroy(connection, name);
                    return null;
                }
                Collation.create(connection, name, new Collation() {
                    @Override
                    protected int xCompare(String a, String b) {
                        try {
                            Value r = compare.execute(a, b);
                            return r.fitsInLong() ? Long.signum(r.asLong()) : 0;
                        } catch (PolyglotException e) {
                            rethrowIfStopping(e);
                            return 0;
                        }
                    }
                });
                return null;
            } catch (SQLException e) {
                return failed(fail, e);
            }
        }

        /** A SQL function written in Python. */
        private final class PythonFunction extends Function implements SqlCall {
            private final Value function;

            PythonFunction(Value function) {
                this.function = function;
            }

            @Override
            protected void xFunc() throws SQLException {
                Value r;
                try {
                    r = function.execute(arguments(this));
                } catch (PolyglotException e) {
                    rethrowIfStopping(e);
                    error("user-defined function raised exception");
                    return;
                }
                setResult(this, r, "user-defined function raised exception");
            }

            @Override public int argumentCount() throws SQLException { return args(); }
            @Override public int argumentType(int i) throws SQLException { return value_type(i); }
            @Override public long argumentLong(int i) throws SQLException { return value_long(i); }
            @Override public double argumentDouble(int i) throws SQLException { return value_double(i); }
            @Override public String argumentText(int i) throws SQLException { return value_text(i); }
            @Override public byte[] argumentBlob(int i) throws SQLException { return value_blob(i); }
            @Override public void resultNull() throws SQLException { result(); }
            @Override public void resultLong(long v) throws SQLException { result(v); }
            @Override public void resultDouble(double v) throws SQLException { result(v); }
            @Override public void resultText(String v) throws SQLException { result(v); }
            @Override public void resultBlob(byte[] v) throws SQLException { result(v); }
            @Override public void resultError(String why) throws SQLException { error(why); }
        }

        /** An aggregate whose state is an instance of a Python class, made for each group on its first step. */
        private final class PythonAggregate extends Function.Aggregate implements SqlCall {
            private final Value type;
            private Value instance;
            private String failure;

            PythonAggregate(Value type) {
                this.type = type;
            }

            @Override
            protected void xStep() throws SQLException {
                if (failure != null) {
                    return;
                }
                try {
                    if (instance == null) {
                        instance = type.execute();
                    }
                } catch (PolyglotException e) {
                    rethrowIfStopping(e);
                    failure = "user-defined aggregate's '__init__' method raised error";
                    return;
                }
                try {
                    instance.invokeMember("step", arguments(this));
                } catch (PolyglotException e) {
                    rethrowIfStopping(e);
                    failure = "user-defined aggregate's 'step' method raised error";
                }
            }

            @Override
            protected void xFinal() throws SQLException {
                if (failure != null) {
                    error(failure);
                    return;
                }
                String why = "user-defined aggregate's 'finalize' method raised error";
                try {
                    if (instance == null) {
                        instance = type.execute();
                    }
                    setResult(this, instance.invokeMember("finalize"), why);
                } catch (PolyglotException e) {
                    rethrowIfStopping(e);
                    error(why);
                }
            }

            @Override public int argumentCount() throws SQLException { return args(); }
            @Override public int argumentType(int i) throws SQLException { return value_type(i); }
            @Override public long argumentLong(int i) throws SQLException { return value_long(i); }
            @Override public double argumentDouble(int i) throws SQLException { return value_double(i); }
            @Override public String argumentText(int i) throws SQLException { return value_text(i); }
            @Override public byte[] argumentBlob(int i) throws SQLException { return value_blob(i); }
            @Override public void resultNull() throws SQLException { result(); }
            @Override public void resultLong(long v) throws SQLException { result(v); }
            @Override public void resultDouble(double v) throws SQLException { result(v); }
            @Override public void resultText(String v) throws SQLException { result(v); }
            @Override public void resultBlob(byte[] v) throws SQLException { result(v); }
            @Override public void resultError(String why) throws SQLException { error(why); }
        }

        /** The arguments SQLite passed, as Python values. */
        private Object[] arguments(SqlCall f) throws SQLException {
            Object[] args = new Object[f.argumentCount()];
            for (int i = 0; i < args.length; i++) {
                args[i] = switch (f.argumentType(i)) {
                    case 1 -> f.argumentLong(i);              // SQLITE_INTEGER
                    case 2 -> f.argumentDouble(i);            // SQLITE_FLOAT
                    case 4 -> boundary.toPython(f.argumentBlob(i));
                    case 5 -> null;                           // SQLITE_NULL
                    default -> f.argumentText(i);             // SQLITE_TEXT
                };
            }
            return args;
        }

        /** A Python callback's result as the SQL function's; a type SQLite cannot store is the error {@code why}. */
        private void setResult(SqlCall f, Value r, String why) throws SQLException {
            if (r.isNull()) {
                f.resultNull();
            } else if (r.isBoolean()) {
                f.resultLong(r.asBoolean() ? 1 : 0);
            } else if (r.isNumber() && (r.fitsInLong() || isFloat(r))) {
                if (isFloat(r)) {
                    f.resultDouble(r.asDouble());
                } else {
                    f.resultLong(r.asLong());
                }
            } else if (r.isString()) {
                f.resultText(r.asString());
            } else if (r.hasBufferElements()) {
                f.resultBlob(StdlibFunctions.bytes(r));
            } else {
                f.resultError(why);
            }
        }

        private Object limit(Value fail, int category, int value) {
            try {
                if (sandbox != null && category == SQLiteLimits.SQLITE_LIMIT_ATTACHED.getId() && value > 0) {
                    return fail(fail, "ProgrammingError", "Covet's sandbox keeps SQLITE_LIMIT_ATTACHED at 0 (ATTACH is refused)");
                }
                return connection.getDatabase().limit(category, value);
            } catch (SQLException e) {
                return failed(fail, e);
            }
        }

        private void interrupt() {
            try {
                connection.getDatabase().interrupt();
            } catch (SQLException e) {
                // closed: nothing runs
            }
        }

        // ---- errors and closing ------------------------------------------------------------

        private Object failed(Value fail, SQLException e) {
            error = describe(e);
            if (inTransaction) {
                probeTransaction();   // some errors roll the transaction back
            }
            return fail;
        }

        private Object fail(Value fail, String kind, String message) {
            error = new Object[] {kind, -1, "", message};
            return fail;
        }

        void close() {
            if (closed) {
                return;
            }
            closed = true;
            open.remove(this);
            for (Rows r : cursors.values()) {
                r.finish();
            }
            cursors.clear();
            try {
                for (PreparedStatement ps : idle.values()) {
                    ps.close();
                }
                if (lastRowid != null) {
                    lastRowid.close();
                }
                connection.close();   // a transaction still open is rolled back, as in CPython
            } catch (SQLException e) {
                // closing: nothing to tell
            }
            idle.clear();
        }

        /** The rows of one statement, read in batches as Python's cursor asks. */
        private final class Rows {
            private final String sql;
            private final PreparedStatement ps;
            private final ResultSet rs;
            private final int columns;
            /** Per column, the converter whose name it carries, or null: its values are read as bytes for it. */
            final String[] converter;
            /** Whether any column has a converter. */
            final boolean converted;
            /** The columns' names (SQLite's, as written after AS). */
            final String[] labels;
            boolean more;

            Rows(String sql, PreparedStatement ps, ResultSet rs, int detect, Value converters) throws SQLException {
                this.sql = sql;
                this.ps = ps;
                this.rs = rs;
                ResultSetMetaData m = rs.getMetaData();
                this.columns = m.getColumnCount();
                this.converter = new String[columns];
                this.labels = new String[columns];
                boolean any = false;
                for (int i = 0; i < columns; i++) {
                    labels[i] = m.getColumnLabel(i + 1);
                }
                if (detect != 0 && converters.hasHashEntries()) {
                    boolean byDeclaredType = (detect & 1) != 0;
                    boolean byColumnName = (detect & 2) != 0;
                    for (int i = 0; i < columns; i++) {
                        String name = null;
                        String label = labels[i];
                        int open = label.indexOf('[');
                        int close = label.lastIndexOf(']');
                        if (byColumnName && open >= 0 && close > open) {
                            name = label.substring(open + 1, close).toUpperCase(Locale.ROOT);
                        } else if (byDeclaredType && m.getColumnTypeName(i + 1) != null) {
                            name = m.getColumnTypeName(i + 1).split("[ (]", 2)[0].toUpperCase(Locale.ROOT);
                        }
                        if (name != null && converters.hasHashEntry(name)) {
                            converter[i] = name;
                            any = true;
                        }
                    }
                }
                this.converted = any;
                this.more = rs.next();
            }

            List<PyTuple> read(int n) throws SQLException {
                List<PyTuple> out = new ArrayList<>(Math.min(n, 64));
                while (more && out.size() < n) {
                    Object[] row = new Object[columns];
                    for (int i = 0; i < columns; i++) {
                        row[i] = converter[i] != null ? rs.getBytes(i + 1) : rs.getObject(i + 1);
                    }
                    out.add(new PyTuple(java.util.Arrays.asList(row)));
                    more = rs.next();
                }
                if (!more) {
                    finish();
                }
                return out;
            }

            void finish() {
                more = false;
                try {
                    rs.close();
                } catch (SQLException e) {
                    // finished anyway
                }
                release(sql, ps);
            }
        }
    }

    /** What a SQL function or aggregate written in Python needs of sqlite-jdbc's (protected) callback API. */
    private interface SqlCall {
        int argumentCount() throws SQLException;
        int argumentType(int i) throws SQLException;
        long argumentLong(int i) throws SQLException;
        double argumentDouble(int i) throws SQLException;
        String argumentText(int i) throws SQLException;
        byte[] argumentBlob(int i) throws SQLException;
        void resultNull() throws SQLException;
        void resultLong(long v) throws SQLException;
        void resultDouble(double v) throws SQLException;
        void resultText(String v) throws SQLException;
        void resultBlob(byte[] v) throws SQLException;
        void resultError(String why) throws SQLException;
    }

    private static void rethrowIfStopping(PolyglotException e) {
        if (e.isCancelled() || e.isInterrupted() || e.isExit()) {
            throw e;
        }
    }

    /**
     * A Python float, which fits a long when it is integral but must stay REAL (one reaching Java
     * arrives unboxed, its meta name a Java Double's, as {@link Boundary#toJava} notes).
     */
    private static boolean isFloat(Value v) {
        String type = v.getMetaObject().getMetaSimpleName();
        return type.equals("float") || type.equals("Double") || type.equals("Float");
    }

    /** Python's OverflowError, raised for an int SQLite cannot store. */
    private static final class OverflowError extends RuntimeException {
        OverflowError(String message) {
            super(message);
        }
    }
}
