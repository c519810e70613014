package io.covet.web;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A request body that is exactly a JSON array of numbers (RFC 8259), parsed straight from its
 * bytes into doubles, for routes that take one as a {@code List[float]} or {@code covet.Array}.
 *
 * <p>Why not Jackson: its token stream and fast double parser took 44 ns a number, most of the
 * CPU of {@code POST /compute/sum} (JFR, 10,000 numbers such as {@code 249.75}); this takes ~20.
 * Digits are read eight at a time (SWAR: one 64-bit load finds where the run ends and converts it
 * with three multiplications); measured alone, a byte-at-a-time loop took the same ~20 ns, so what
 * bounds it is still unknown (BENCHMARKS.md).
 *
 * <p>Exactness: a number whose digits make a long of at most 2^53 and whose decimal exponent is
 * within ±22 (nearly every number a client writes) is that long times or divided by an exact
 * power of ten: a single IEEE operation, so correctly rounded (Clinger's fast path). Any other
 * number goes to {@link Double#parseDouble}, correctly rounded too. Same doubles either way, and
 * the same as Python's {@code float()} of what {@code json.loads} reads.
 *
 * <p>Anything else (another value, a syntax error, a number too large for a double) gives null,
 * and Python's own parser answers it as before, with its error message.
 */
final class JsonNumberArray {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** 10^0 .. 10^22: every one exact as a double. */
    private static final double[] POWERS_OF_TEN = new double[23];
    private static final long[] LONG_POWERS_OF_TEN = new long[9];
    /** Digits a long always holds (10^18 < 2^63); a number with more takes the slow path. */
    private static final int LONG_DIGITS = 18;
    private static final long EXACT_MANTISSA = 1L << 53;

    static {
        double p = 1;
        for (int i = 0; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = p;
            p *= 10;
        }
        long q = 1;
        for (int i = 0; i < LONG_POWERS_OF_TEN.length; i++) {
            LONG_POWERS_OF_TEN[i] = q;
            q *= 10;
        }
    }

    private JsonNumberArray() {
    }

    /** A number's digits so far: their value while they fit a long, and how many. */
    private static final class Digits {
        long value;
        int count;
    }

    /** The body's numbers, or null if it is not exactly a JSON array of finite numbers. */
    static double[] parse(byte[] in) {
        int pos = skipWhitespace(in, 0);
        if (pos == in.length || in[pos] != '[') {
            return null;
        }
        pos = skipWhitespace(in, pos + 1);
        if (pos < in.length && in[pos] == ']') {
            return skipWhitespace(in, pos + 1) == in.length ? new double[0] : null;
        }
        double[] out = new double[Math.max(16, in.length >> 3)];
        int n = 0;
        Digits digits = new Digits();
        while (true) {
            pos = skipWhitespace(in, pos);
            int start = pos;
            boolean negative = pos < in.length && in[pos] == '-';
            if (negative) {
                pos++;
            }
            digits.value = 0;
            digits.count = 0;
            if (pos < in.length && in[pos] == '0') {
                pos++;               // a leading zero stands alone in the integer part
            } else if (pos < in.length && in[pos] >= '1' && in[pos] <= '9') {
                pos = digitRun(in, pos, digits);
            } else {
                return null;
            }
            boolean integer = true;
            int fractionDigits = 0;
            if (pos < in.length && in[pos] == '.') {
                integer = false;
                int first = ++pos;
                pos = digitRun(in, pos, digits);
                fractionDigits = pos - first;
                if (fractionDigits == 0) {
                    return null;
                }
            }
            int exponent = 0;
            if (pos < in.length && (in[pos] == 'e' || in[pos] == 'E')) {
                integer = false;
                pos++;
                boolean negativeExponent = false;
                if (pos < in.length && (in[pos] == '+' || in[pos] == '-')) {
                    negativeExponent = in[pos] == '-';
                    pos++;
                }
                int first = pos;
                for (; pos < in.length && in[pos] >= '0' && in[pos] <= '9'; pos++) {
                    exponent = Math.min(exponent * 10 + (in[pos] - '0'), 100_000);   // capped: far past any double
                }
                if (pos == first) {
                    return null;
                }
                if (negativeExponent) {
                    exponent = -exponent;
                }
            }
            double v;
            int power = exponent - fractionDigits;
            if (integer && digits.value == 0) {
                v = 0.0;             // Python reads "-0" as the int 0, whose float is +0.0
            } else if (digits.count <= LONG_DIGITS && digits.value <= EXACT_MANTISSA && power >= -22 && power <= 22) {
                v = power >= 0 ? digits.value * POWERS_OF_TEN[power] : digits.value / POWERS_OF_TEN[-power];
                v = negative ? -v : v;
            } else {
                // Correctly rounded, as Python's float(); the grammar is checked, so this parses.
                v = Double.parseDouble(new String(in, start, pos - start, StandardCharsets.ISO_8859_1));
                if (Double.isInfinite(v)) {
                    return null;     // too large for a double: Python reports it
                }
            }
            if (n == out.length) {
                out = Arrays.copyOf(out, n * 2);
            }
            out[n++] = v;
            pos = skipWhitespace(in, pos);
            if (pos == in.length) {
                return null;
            }
            if (in[pos] == ']') {
                break;
            }
            if (in[pos++] != ',') {
                return null;
            }
        }
        return skipWhitespace(in, pos + 1) == in.length ? Arrays.copyOf(out, n) : null;
    }

    /**
     * The run of digits from {@code pos}: appended to {@code digits} (its value kept while it fits
     * a long) and its end returned. Eight bytes at a time where eight remain.
     */
    private static int digitRun(byte[] in, int pos, Digits digits) {
        while (pos + Long.BYTES <= in.length) {
            long x = (long) LONGS.get(in, pos) ^ 0x3030303030303030L;   // a digit's byte is now 0..9
            // A byte is a digit iff its high nibble is 0 and adding 6 keeps it so. A carry out of a
            // non-digit byte only spoils the bytes after it, and those are not read.
            long nonDigits = (x | (x + 0x0606060606060606L)) & 0xF0F0F0F0F0F0F0F0L;
            int run = Long.numberOfTrailingZeros(nonDigits) >>> 3;          // 8: all eight are digits
            if (run > 0) {
                append(digits, eightDigits(x << ((Long.BYTES - run) << 3)), run);
                pos += run;
            }
            if (run < Long.BYTES) {
                return pos;
            }
        }
        for (; pos < in.length && in[pos] >= '0' && in[pos] <= '9'; pos++) {
            append(digits, in[pos] - '0', 1);
        }
        return pos;
    }

    private static void append(Digits digits, long value, int count) {
        if (digits.count + count <= LONG_DIGITS) {
            digits.value = digits.value * LONG_POWERS_OF_TEN[count] + value;
        }
        digits.count += count;
    }

    /**
     * Eight digit values (0..9), the first in the lowest byte, as the number they write; leading
     * zero bytes are leading zeros. Pairs, then quadruples, then all eight, by multiply-and-shift.
     */
    private static long eightDigits(long x) {
        x = (x * 10 + (x >>> 8)) & 0x00FF00FF00FF00FFL;
        x = (x * 100 + (x >>> 16)) & 0x0000FFFF0000FFFFL;
        return (x * 10000 + (x >>> 32)) & 0xFFFFFFFFL;
    }

    private static int skipWhitespace(byte[] in, int pos) {
        while (pos < in.length && (in[pos] == ' ' || in[pos] == '\n' || in[pos] == '\r' || in[pos] == '\t')) {
            pos++;
        }
        return pos;
    }
}
