package io.covet.database;

/**
 * One column of a result, as DB-API's {@code cursor.description} describes it, and how Python
 * turns its values into objects.
 *
 * @param oid      PostgreSQL's number for the type (23 for int4 ...): DB-API's type code, as psycopg2 gives it
 * @param typeName PostgreSQL's name for the type ({@code int4}, {@code text}, {@code _int4} for an array ...)
 * @param kind     what Python makes of a value: {@code ""} (it arrives as it is), or {@code decimal},
 *                 {@code date}, {@code time}, {@code datetime} (all from PostgreSQL's text), {@code uuid},
 *                 {@code json}, {@code interval} ({@code [days, seconds, microseconds]}); for an array,
 *                 that of its elements
 * @param array    whether the values are arrays (lists, nested by dimension)
 */
public record Column(String name, int oid, String typeName, String kind, boolean array, Integer internalSize, Integer precision, Integer scale,
        Boolean nullable) {
}
