/**
 * PostgreSQL behind Python's DB-API: {@link io.covet.database.Databases} holds one pool per
 * database for the process; a {@link io.covet.database.DbConnection} is one DB-API connection,
 * which holds a pooled JDBC connection only while a transaction is open (transaction pooling, as
 * PgBouncer does), so that many interpreters share few server connections.
 *
 * <p>Threading: a {@code DbConnection} is used by one caller at a time (its interpreter's thread,
 * or an IO-lane thread working for it); the end of the task that holds its transaction may come
 * from any thread. {@code Databases} and its pools are thread-safe.
 */
package io.covet.database;
