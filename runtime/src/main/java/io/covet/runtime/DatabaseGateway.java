package io.covet.runtime;

import io.covet.database.CallScope;
import io.covet.database.Column;
import io.covet.database.Databases;
import io.covet.database.DbConnection;
import io.covet.database.DbException;
import io.covet.database.Result;
import io.covet.database.Typed;
import io.covet.interpreters.HostError;
import io.covet.interpreters.InterpreterSession;
import io.covet.interpreters.PyTuple;
import io.covet.tasks.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code covet.db}'s Java side: DB-API connections of the runtime's {@link Databases} by number,
 * each usable only by the interpreter that opened it, their values carried across (parameters
 * tagged by Python where their type needs saying: {@code ("numeric", "1.50")} ...; rows as one flat
 * list, which Python cuts into tuples and converts by column), and failures raised as PEP 249's
 * classes ({@code CovetDbError} carries class, SQLSTATE and message for {@code covet/db.py} to raise).
 * Each call runs for the task whose code made it: its deadline bounds the statement, its end
 * rolls back what it left open.
 */
final class DatabaseGateway implements AutoCloseable {

    /** One DB-API connection and the interpreter that opened it (by number: a session would keep a replaced interpreter alive). */
    private record Handle(int owner, DbConnection connection) {
    }

    private final Databases databases;
    private final Map<Long, Handle> handles = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    DatabaseGateway(Databases databases) {
        this.databases = databases;
    }

    Databases databases() {
        return databases;
    }

    /** The host functions, by name (merged into {@code _covet_host}'s). */
    Map<String, io.covet.interpreters.HostFunction> functions() {
        Map<String, io.covet.interpreters.HostFunction> f = new LinkedHashMap<>();
        f.put("db_connect", (s, a) -> connect(s, (String) a.get(0), Boolean.TRUE.equals(a.get(1))));
        f.put("db_execute", (s, a) -> execute(s, a, scope(s)));
        f.put("db_open_cursor", (s, a) -> openCursor(s, a, scope(s)));
        f.put("db_fetch", (s, a) -> fetch(s, a, scope(s)));
        f.put("db_close_cursor", (s, a) -> {
            connection(s, a).closeCursor(((Number) a.get(1)).longValue());
            return null;
        });
        f.put("db_commit", (s, a) -> {
            connection(s, a).commit(scope(s));
            return null;
        });
        f.put("db_rollback", (s, a) -> {
            connection(s, a).rollback(scope(s));
            return null;
        });
        f.put("db_autocommit", (s, a) -> {
            connection(s, a).autocommit(Boolean.TRUE.equals(a.get(1)));
            return null;
        });
        f.put("db_close", (s, a) -> {
            Handle h = handles.get(((Number) a.get(0)).longValue());
            if (h != null && h.owner() == s.id()) {
                handles.remove(((Number) a.get(0)).longValue());
                h.connection().close();
            }
            return null;
        });
        f.replaceAll((name, fn) -> (s, a) -> {
            try {
                return fn.apply(s, a);
            } catch (DbException | SecurityException e) {
                throw failure(e);
            }
        });
        return f;
    }

    /**
     * {@code db_submit(op, handle, ...)}'s work, for the IO lane: the same call as {@code db_<op>}
     * (execute, open_cursor, fetch, commit, rollback, close), its connection and task resolved now, on the
     * interpreter's thread, so that the statement runs while the interpreter's event loop serves
     * other requests. Its value is what the host function would have returned.
     */
    Callable<Object> submit(InterpreterSession s, String op, List<Object> a) {
        DbConnection c = connection(s, a);
        CallScope scope = scope(s);
        return switch (op) {
            case "close" -> {
                handles.remove(((Number) a.get(0)).longValue());   // now: the number is dead at once for Python
                yield () -> {
                    c.close();
                    return null;
                };
            }
            case "execute" -> () -> execute(c, a, scope);
            case "open_cursor" -> () -> openCursor(c, a, scope);
            case "fetch" -> () -> fetch(c, a, scope);
            case "commit" -> () -> {
                c.commit(scope);
                return null;
            };
            case "rollback" -> () -> {
                c.rollback(scope);
                return null;
            };
            default -> throw new HostError("ValueError", "db_submit: no operation '" + op + "'");
        };
    }

    /** The scope of the task whose code runs now on {@code s}: captured here, on its thread, usable on any. */
    static CallScope scope(InterpreterSession s) {
        Optional<Task<?>> task = s.currentTask();
        if (task.isEmpty()) {
            return CallScope.NONE;
        }
        Task<?> t = task.get();
        return new CallScope() {
            @Override
            public Optional<Duration> remaining() {
                return t.remaining();
            }

            @Override
            public boolean whenEnds(Runnable action) {
                t.whenSettled(action);
                return true;
            }

            @Override
            public boolean ended() {
                return t.isDone();
            }
        };
    }

    /** A database failure as Python raises it ({@code covet/db.py} turns CovetDbError into PEP 249's class). */
    static HostError failure(RuntimeException e) {
        return switch (e) {
            case DbException d -> new HostError("CovetDbError", d.dbapiClass() + "\u001f" + (d.sqlState() == null ? "" : d.sqlState())
                    + "\u001f" + d.getMessage());
            case SecurityException x -> new HostError("PermissionError", x.getMessage());
            default -> throw e;
        };
    }

    private long connect(InterpreterSession s, String url, boolean autocommit) {
        DbConnection connection = databases.connect(url, autocommit);
        long id = ids.incrementAndGet();
        handles.put(id, new Handle(s.id(), connection));
        return id;
    }

    private DbConnection connection(InterpreterSession s, List<Object> a) {
        Handle h = handles.get(((Number) a.get(0)).longValue());
        if (h == null || h.owner() != s.id()) {
            throw new DbException("InterfaceError", null, "connection already closed");
        }
        return h.connection();
    }

    /** {@code db_execute(handle, sql, params or None, many)}: (description, kinds, rowcount, flat rows). */
    Object execute(InterpreterSession s, List<Object> a, CallScope scope) {
        return execute(connection(s, a), a, scope);
    }

    private static Object execute(DbConnection c, List<Object> a, CallScope scope) {
        String sql = (String) a.get(1);
        Object params = parameters(a.get(2));
        Result r = Boolean.TRUE.equals(a.get(3)) ? c.executeMany(sql, (List<?>) params, scope) : c.execute(sql, params, scope);
        return new PyTuple(Arrays.asList(description(r.columns()), kinds(r.columns()), r.rowCount(), flat(r.rows())));
    }

    /** {@code db_open_cursor(handle, sql, params or None, fetch_size)}: (cursor, description, kinds). */
    Object openCursor(InterpreterSession s, List<Object> a, CallScope scope) {
        return openCursor(connection(s, a), a, scope);
    }

    private static Object openCursor(DbConnection c, List<Object> a, CallScope scope) {
        DbConnection.Opened o = c.openCursor((String) a.get(1), parameters(a.get(2)), ((Number) a.get(3)).intValue(), scope);
        return new PyTuple(Arrays.asList(o.id(), description(o.columns()), kinds(o.columns())));
    }

    /** {@code db_fetch(handle, cursor, n)}: (flat rows, more). */
    Object fetch(InterpreterSession s, List<Object> a, CallScope scope) {
        return fetch(connection(s, a), a, scope);
    }

    private static Object fetch(DbConnection c, List<Object> a, CallScope scope) {
        Result r = c.fetch(((Number) a.get(1)).longValue(), ((Number) a.get(2)).intValue(), scope);
        return new PyTuple(List.of(flat(r.rows()), r.more()));
    }

    /** Parameters as Python sent them, tagged values made {@link Typed}. */
    private static Object parameters(Object p) {
        return switch (p) {
            case null -> null;
            case PyTuple t when t.items().size() == 2 && t.items().get(0) instanceof String kind && t.items().get(1) instanceof String text ->
                    new Typed(kind, text);
            case List<?> list -> {
                List<Object> out = new ArrayList<>(list.size());
                list.forEach(v -> out.add(parameters(v)));
                yield out;
            }
            case Map<?, ?> map -> {
                Map<Object, Object> out = new LinkedHashMap<>();
                map.forEach((k, v) -> out.put(k, parameters(v)));
                yield out;
            }
            default -> p;
        };
    }

    /** DB-API's seven items per column: name, type code, display size, internal size, precision, scale, null_ok. */
    private static List<Object> description(List<Column> columns) {
        if (columns == null) {
            return null;
        }
        List<Object> out = new ArrayList<>(columns.size());
        for (Column c : columns) {
            out.add(new PyTuple(Arrays.asList(c.name(), c.oid(), null, c.internalSize(), c.precision(), c.scale(), c.nullable())));
        }
        return out;
    }

    /** Per column, how Python converts its values: null (as they are), or (kind, array). */
    private static List<Object> kinds(List<Column> columns) {
        if (columns == null) {
            return null;
        }
        List<Object> out = new ArrayList<>(columns.size());
        for (Column c : columns) {
            out.add(c.kind().isEmpty() && !c.array() ? null : new PyTuple(List.of(c.kind(), c.array())));
        }
        return out;
    }

    private static List<Object> flat(List<Object[]> rows) {
        List<Object> out = new ArrayList<>(rows.isEmpty() ? 0 : rows.size() * rows.getFirst().length);
        for (Object[] row : rows) {
            out.addAll(Arrays.asList(row));
        }
        return out;
    }

    @Override
    public void close() {
        handles.clear();
        databases.close();
    }
}
