package io.covet.database;

/**
 * A parameter value whose type the plain values (null, Boolean, Long, BigInteger, Double, String,
 * byte[], List for an array) cannot say, in its text form as Python writes it: {@code numeric}
 * ({@code str(Decimal)}), {@code date}, {@code time}, {@code timetz}, {@code timestamp},
 * {@code timestamptz} (ISO 8601, {@code isoformat()}), {@code uuid}, {@code json} (a JSON document)
 * or {@code interval} ({@code "DAYS SECONDS MICROSECONDS"}).
 */
public record Typed(String kind, String text) {
}
