package io.covet.database;

/**
 * One pool, now: its database (password hidden), its size, the connections lent out and idle,
 * callers waiting for one, and borrows that gave up waiting since it started.
 */
public record PoolStats(String database, int size, int active, int idle, int waiting, long timeouts) {
}
