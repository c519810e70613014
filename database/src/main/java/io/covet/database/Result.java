package io.covet.database;

import java.util.List;

/**
 * What a statement gave: its columns (null when it returned no rows, e.g. an INSERT without
 * RETURNING), the rows read so far, DB-API's {@code rowcount} (rows changed, or rows read; -1 when
 * unknown), and, for a server-side cursor, whether more rows wait on the server.
 */
public record Result(List<Column> columns, List<Object[]> rows, long rowCount, boolean more) {
}
