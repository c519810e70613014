package io.covet.interpreters;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * json in a Covet interpreter (covet_json.py over the standard module) answers as the machine's
 * CPython does, on generated documents: valid ones written every way JSON allows (white space,
 * escapes, characters outside the BMP, big and odd numbers) and broken ones (a character deleted,
 * inserted, replaced, or the end cut off), so both the fast path and its hand-over to the standard
 * code are checked, errors with their line and column included. json_cases.py says what is
 * compared for each document.
 */
class JsonTest {

    private static InterpreterPool pool;

    @BeforeContainer
    static void startPool() {
        pool = InterpreterPool.start(PoolFixture.config().size(1).build());
    }

    @AfterContainer
    static void closePool() {
        pool.close();
    }

    @Property(tries = 20)
    void loadsAndDumpsAnswerAsCpythonDoes(@ForAll("documents") List<String> documents) throws Exception {
        List<String> expected = cpython(documents);
        List<?> actual = (List<?>) pool.call("json_cases", "run", documents);
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            String document = i < documents.size() ? documents.get(i)
                    : "(json_cases.py's document or value " + (i - documents.size()) + ")";
            assertThat(actual.get(i)).as("outcomes for %s (CPython's, then Covet's)", document).isEqualTo(expected.get(i));
        }
    }

    @Provide
    Arbitrary<List<String>> documents() {
        return Arbitraries.randomValue(random -> {
            List<String> documents = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                String document = space(random) + new Writer(random).value(0) + space(random);
                documents.add(random.nextInt(10) < 3 ? broken(random, document) : document);
            }
            return documents;
        });
    }

    /** What json_cases.py run by the machine's CPython answers: one block per document, then per value. */
    private static List<String> cpython(List<String> documents) throws Exception {
        Process cpython = new ProcessBuilder("/usr/bin/python3", PoolFixture.PYTHON_DIR.resolve("json_cases.py").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        StringBuilder input = new StringBuilder();
        for (String document : documents) {
            input.append(document.codePointCount(0, document.length())).append('\n').append(document);
        }
        try (var stdin = cpython.getOutputStream()) {
            stdin.write(input.toString().getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(cpython.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(cpython.waitFor()).as("the machine's CPython ran json_cases.py").isZero();
        return Arrays.stream(out.split("\n=====\n", -1)).filter(block -> !block.isEmpty()).toList();
    }

    /** The document with one thing wrong (or, by chance, still right: both sides must agree anyway). */
    private static String broken(Random random, String document) {
        String[] inserts = {"{", "}", "[", "]", ",", ":", "\"", "\\", " ", "0", "-", "e", ".", "+", "x", "\u0001", "\n", "\u00e9",
            "\uD83D\uDE00"};
        int at = random.nextInt(document.length() + 1);
        if (at > 0 && at < document.length() && Character.isLowSurrogate(document.charAt(at))) {
            at--;   // never split a pair: documents stay valid UTF-16
        }
        boolean pair = at < document.length() && Character.isHighSurrogate(document.charAt(at));
        int end = Math.min(document.length(), at + (pair ? 2 : 1));
        String insert = inserts[random.nextInt(inserts.length)];
        return switch (random.nextInt(4)) {
            case 0 -> document.substring(0, at) + document.substring(end);
            case 1 -> document.substring(0, at) + insert + document.substring(at);
            case 2 -> document.substring(0, at) + insert + document.substring(end);
            default -> document.substring(0, at);
        };
    }

    private static String space(Random random) {
        StringBuilder space = new StringBuilder();
        for (int n = random.nextInt(4) == 0 ? 1 + random.nextInt(3) : 0; n > 0; n--) {
            space.append(" \t\n\r".charAt(random.nextInt(4)));
        }
        return space.toString();
    }

    /** A random JSON value, written in one of the many ways JSON allows. */
    private record Writer(Random random) {

        String value(int depth) {
            int kind = random.nextInt(depth >= 4 ? 5 : 7);
            return switch (kind) {
                case 0, 1 -> string();
                case 2 -> integer();
                case 3 -> number();
                case 4 -> List.of("true", "false", "null", "NaN", "Infinity", "-Infinity")
                        .get(random.nextInt(random.nextInt(8) == 0 ? 6 : 3));   // sometimes Python's constants
                case 5 -> array(depth);
                default -> object(depth);
            };
        }

        private String array(int depth) {
            StringBuilder out = new StringBuilder("[").append(space(random));
            for (int i = 0, n = random.nextInt(5); i < n; i++) {
                if (i > 0) {
                    out.append(space(random)).append(',').append(space(random));
                }
                out.append(value(depth + 1));
            }
            return out.append(space(random)).append(']').toString();
        }

        private String object(int depth) {
            StringBuilder out = new StringBuilder("{").append(space(random));
            String lastKey = "\"k\"";
            for (int i = 0, n = random.nextInt(5); i < n; i++) {
                if (i > 0) {
                    out.append(space(random)).append(',').append(space(random));
                }
                String key = random.nextInt(6) == 0 ? lastKey : string();   // sometimes a key twice: the last value wins
                lastKey = key;
                out.append(key).append(space(random)).append(':').append(space(random)).append(value(depth + 1));
            }
            return out.append(space(random)).append('}').toString();
        }

        private String integer() {
            StringBuilder out = new StringBuilder(random.nextBoolean() ? "-" : "");
            int digits = random.nextInt(8) == 0 ? 20 + random.nextInt(30) : 1 + random.nextInt(6);
            out.append(digits == 1 ? random.nextInt(10) : 1 + random.nextInt(9));
            for (int i = 1; i < digits; i++) {
                out.append(random.nextInt(10));
            }
            return out.toString();
        }

        private String number() {
            StringBuilder out = new StringBuilder(integer());
            boolean fraction = random.nextBoolean();
            if (fraction) {
                out.append('.');
                for (int i = 0, n = 1 + random.nextInt(18); i < n; i++) {
                    out.append(random.nextInt(10));
                }
            }
            if (!fraction || random.nextBoolean()) {
                out.append(random.nextBoolean() ? 'e' : 'E').append(List.of("", "+", "-").get(random.nextInt(3)))
                        .append(random.nextInt(random.nextInt(10) == 0 ? 500 : 30));
            }
            return out.toString();
        }

        private String string() {
            StringBuilder out = new StringBuilder("\"");
            for (int i = 0, n = random.nextInt(random.nextInt(10) == 0 ? 40 : 10); i < n; i++) {
                appendCharacter(out);
            }
            return out.append('"').toString();
        }

        private void appendCharacter(StringBuilder out) {
            int pick = random.nextInt(100);
            if (pick < 6) {   // a surrogate written as an escape: a pair, or one alone
                int high = 0xD800 + random.nextInt(0x400);
                escape(out, random.nextBoolean() ? high : 0xDC00 + random.nextInt(0x400));
                if (random.nextBoolean()) {
                    escape(out, 0xDC00 + random.nextInt(0x400));
                }
                return;
            }
            int c;
            if (pick < 50) {
                c = "abcxyzABC019 _-.~".charAt(random.nextInt(17));
            } else if (pick < 60) {
                c = "\"\\/".charAt(random.nextInt(3));
            } else if (pick < 68) {
                c = random.nextInt(0x20);
            } else if (pick < 76) {
                c = 0x7F + random.nextInt(0x81);
            } else if (pick < 88) {
                c = random.nextBoolean() ? 0x100 + random.nextInt(0xD800 - 0x100) : 0xE000 + random.nextInt(0x1FFE);
            } else {
                c = 0x10000 + random.nextInt(0x100000);
            }
            boolean mustEscape = c == '"' || c == '\\' || c < 0x20;
            if (!mustEscape && random.nextInt(10) < 7) {
                out.appendCodePoint(c);
            } else if (c < 0x20 && random.nextInt(20) == 0) {
                out.appendCodePoint(c);   // raw: a strict decoder refuses it
            } else {
                int shortEscape = "\"\\/\b\f\n\r\t".indexOf(c);
                if (shortEscape >= 0 && random.nextBoolean()) {
                    out.append('\\').append("\"\\/bfnrt".charAt(shortEscape));
                } else if (c > 0xFFFF) {
                    escape(out, Character.highSurrogate(c));
                    escape(out, Character.lowSurrogate(c));
                } else {
                    escape(out, c);
                }
            }
        }

        private void escape(StringBuilder out, int unit) {
            String hex = String.format("%04x", unit);
            out.append("\\u").append(random.nextBoolean() ? hex : hex.toUpperCase());
        }
    }
}
