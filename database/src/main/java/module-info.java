/**
 * PostgreSQL for every interpreter ({@link io.covet.database.Databases}): one HikariCP pool per
 * database, shared by the whole process, under DB-API 2.0 semantics over pgjdbc. It knows nothing
 * of Python: the runtime carries its values across.
 */
module io.covet.database {
    requires transitive java.sql;
    requires com.zaxxer.hikari;
    requires org.postgresql.jdbc;
    requires java.logging;

    exports io.covet.database;
}
