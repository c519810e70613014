package io.covet.database;

import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.util.Map;

/**
 * A database call that failed, as DB-API reports it: the PEP 249 exception class Python raises
 * ({@link #dbapiClass}), PostgreSQL's SQLSTATE when the server gave one, and a message that never
 * contains a password.
 */
public final class DbException extends RuntimeException {

    /**
     * PEP 249's class by SQLSTATE class (the first two characters), as psycopg2 maps them, so
     * code that catches psycopg2's classes catches the same failures here.
     */
    private static final Map<String, String> BY_CLASS = Map.ofEntries(
            Map.entry("0A", "NotSupportedError"),
            Map.entry("20", "ProgrammingError"), Map.entry("21", "ProgrammingError"),
            Map.entry("22", "DataError"),
            Map.entry("23", "IntegrityError"),
            Map.entry("24", "InternalError"), Map.entry("25", "InternalError"),
            Map.entry("26", "OperationalError"), Map.entry("27", "OperationalError"), Map.entry("28", "OperationalError"),
            Map.entry("2B", "InternalError"), Map.entry("2D", "InternalError"), Map.entry("2F", "InternalError"),
            Map.entry("34", "OperationalError"),
            Map.entry("38", "InternalError"), Map.entry("39", "InternalError"), Map.entry("3B", "InternalError"),
            Map.entry("3D", "ProgrammingError"), Map.entry("3F", "ProgrammingError"),
            Map.entry("40", "OperationalError"),
            Map.entry("42", "ProgrammingError"), Map.entry("44", "ProgrammingError"),
            Map.entry("53", "OperationalError"), Map.entry("54", "OperationalError"), Map.entry("55", "OperationalError"),
            Map.entry("57", "OperationalError"), Map.entry("58", "OperationalError"),
            // pgjdbc's own codes for a connection it could not make or lost (08001, 08006 ...).
            Map.entry("08", "OperationalError"),
            Map.entry("F0", "InternalError"), Map.entry("HV", "OperationalError"), Map.entry("P0", "InternalError"),
            Map.entry("XX", "InternalError"));

    private final String dbapiClass;
    private final String sqlState;

    public DbException(String dbapiClass, String sqlState, String message) {
        super(message);
        this.dbapiClass = dbapiClass;
        this.sqlState = sqlState;
    }

    /** A JDBC failure: its class from its SQLSTATE (DatabaseError when it has none known). */
    static DbException of(SQLException e) {
        String state = e.getSQLState();
        String dbapi = e instanceof SQLTimeoutException ? "OperationalError"
                : state == null || state.length() < 2 ? "DatabaseError" : BY_CLASS.getOrDefault(state.substring(0, 2), "DatabaseError");
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new DbException(dbapi, state, message);
    }

    /** PEP 249's name for it: {@code IntegrityError}, {@code ProgrammingError} ... */
    public String dbapiClass() {
        return dbapiClass;
    }

    /** PostgreSQL's five-character SQLSTATE, or null. */
    public String sqlState() {
        return sqlState;
    }
}
