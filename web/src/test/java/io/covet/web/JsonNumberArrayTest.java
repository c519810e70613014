package io.covet.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * {@link JsonNumberArray} against Jackson's strict JSON parser and the JDK's {@code parseDouble}
 * (both correctly rounded): the same doubles for every array of numbers, and null for every body
 * that is not exactly one (Python's parser then answers it).
 */
class JsonNumberArrayTest {

    private static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @Property(tries = 3000)
    void anArrayOfNumbersParsesToTheSameDoublesAsTheJdk(@ForAll("numberLists") List<String> numbers,
                                                        @ForAll("whitespace") String ws) {
        String body = ws + "[" + ws + String.join(ws + "," + ws, numbers) + ws + "]" + ws;
        double[] parsed = JsonNumberArray.parse(bytes(body));
        double[] expected = numbers.stream().mapToDouble(JsonNumberArrayTest::pythonFloat).toArray();
        if (java.util.Arrays.stream(expected).allMatch(Double::isFinite)) {
            assertThat(parsed).as(body).isNotNull().hasSize(expected.length);
            for (int i = 0; i < expected.length; i++) {
                assertThat(Double.doubleToRawLongBits(parsed[i])).as("%s: element %d (%s)", body, i, numbers.get(i))
                        .isEqualTo(Double.doubleToRawLongBits(expected[i]));
            }
        } else {
            assertThat(parsed).as("not finite: Python reports it").isNull();
        }
    }

    @Property(tries = 5000)
    void aBodyThatIsNotExactlyAnArrayOfFiniteNumbersGivesNull(@ForAll("mangledBodies") String body) {
        double[] parsed = JsonNumberArray.parse(bytes(body));
        double[] expected = strictArrayOfFiniteNumbers(body);
        if (expected == null) {
            assertThat(parsed).as(body).isNull();
        } else {
            assertThat(parsed).as(body).isNotNull().hasSize(expected.length);
            for (int i = 0; i < expected.length; i++) {
                assertThat(Double.doubleToRawLongBits(parsed[i])).as(body).isEqualTo(Double.doubleToRawLongBits(expected[i]));
            }
        }
    }

    @Test
    void aLargeBodyGrowsTheArrayAndKeepsEveryNumber() {
        java.util.Random random = new java.util.Random(7);
        List<String> numbers = new java.util.ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            numbers.add(switch (i % 4) {
                case 0 -> String.valueOf(random.nextInt(1000));
                case 1 -> String.format(java.util.Locale.ROOT, "%.2f", random.nextDouble() * 1000);
                case 2 -> Double.toString(random.nextGaussian() * 1e-5);
                default -> Double.toString(random.nextDouble());
            });
        }
        double[] parsed = JsonNumberArray.parse(bytes("[" + String.join(",", numbers) + "]"));
        assertThat(parsed).containsExactly(numbers.stream().mapToDouble(JsonNumberArrayTest::pythonFloat).toArray());
    }

    @Test
    void examples() {
        assertThat(JsonNumberArray.parse(bytes(" [1, 2.5, -3e2, 4] "))).containsExactly(1, 2.5, -300, 4);
        assertThat(JsonNumberArray.parse(bytes("[]"))).isEmpty();
        assertThat(JsonNumberArray.parse(bytes("[0.1, 0.2, 1e22, 1e23, 123456789012345678]")))
                .containsExactly(0.1, 0.2, 1e22, 1e23, 123456789012345678.0);
        assertThat(Double.doubleToRawLongBits(JsonNumberArray.parse(bytes("[-0]"))[0])).as("the int 0, as in Python").isZero();
        assertThat(JsonNumberArray.parse(bytes("[-0.0]"))[0]).isNegative().isZero();
        assertThat(JsonNumberArray.parse(bytes("[1e-400]"))).containsExactly(0.0);
        assertThat(JsonNumberArray.parse(bytes("[9007199254740992, 9007199254740993, 0.0000000000000000000001, "
                + "1000000000000000000000000, 12345678.12345678, 1e-99999999999, 0e000000000000000005]")))
                .as("2^53 and past it, long zero runs, capped exponents")
                .containsExactly(9007199254740992.0, 9007199254740993.0, 1e-22, 1e24, 12345678.12345678, 0, 0);
        for (String notOne : List.of("[1, \"two\"]", "[1, [2]]", "{\"data\": [1]}", "[1, 2", "[1] [2]", "[1e400]", "[01]",
                "[1.]", "[.5]", "[+1]", "[1,]", "[,]", "[NaN]", "[Infinity]", "[-]", "[1e]", "[1e+]", "[- 1]", "",
                "\ufeff[1]", "[1\f]", "[0x10]", "[1_000]",
                "[12345678\u00ca]", "[1234567\u00ff9]", "[1e99999999999]")) {
            assertThat(JsonNumberArray.parse(bytes(notOne))).as(notOne).isNull();
        }
    }

    /** What Python's {@code float(json.loads(number))} gives: an int literal "-0" is +0.0. */
    private static double pythonFloat(String number) {
        double v = Double.parseDouble(number);
        boolean integer = number.chars().noneMatch(c -> c == '.' || c == 'e' || c == 'E');
        return integer && v == 0 ? 0.0 : v;
    }

    private static double[] strictArrayOfFiniteNumbers(String body) {
        JsonNode tree;
        try {
            tree = STRICT.readTree(body);
        } catch (Exception e) {
            return null;
        }
        if (tree == null || !tree.isArray()) {
            return null;
        }
        double[] out = new double[tree.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode n = tree.get(i);
            if (!n.isNumber() || !Double.isFinite(n.doubleValue())) {
                return null;
            }
            // Jackson's doubles are the JDK's (correctly rounded); its ints are exact, then rounded.
            out[i] = n.isIntegralNumber() ? n.bigIntegerValue().doubleValue() : Double.parseDouble(n.asText());
        }
        return out;
    }

    @Provide
    Arbitrary<List<String>> numberLists() {
        return number().list().ofMaxSize(40);
    }

    @Provide
    Arbitrary<String> whitespace() {
        return Arbitraries.of("", "", " ", "\n", "\t \r\n ");
    }

    @Provide
    Arbitrary<String> mangledBodies() {
        Arbitrary<String> valid = number().list().ofMaxSize(6).map(l -> "[" + String.join(",", l) + "]");
        Arbitrary<String> edit = Arbitraries.of("[", "]", ",", ".", "-", "+", "e", "E", "0", "1", "9", " ", "\"", "{", "}",
                "a", "\t", "\f", "N", ":", "\u00ca", "\u00ff", "/");
        return Combinators.combine(valid, edit, Arbitraries.integers().between(0, 1000), Arbitraries.integers().between(0, 2))
                .as((body, c, where, how) -> {
                    int at = where % (body.length() + 1);
                    return switch (how) {
                        case 0 -> body.substring(0, at) + c + body.substring(at);                       // insert
                        case 1 -> at < body.length() ? body.substring(0, at) + body.substring(at + 1) : body;   // delete
                        default -> at < body.length() ? body.substring(0, at) + c + body.substring(at + 1) : body + c;
                    };
                });
    }

    /** Numbers per RFC 8259's grammar, weighted towards what the fast path and its edges see. */
    private static Arbitrary<String> number() {
        Arbitrary<String> sign = Arbitraries.of("", "", "-");
        // Digit runs of every length around the eight read at once, zero runs, and 2^53's edge.
        Arbitrary<String> digits = Arbitraries.oneOf(
                Arbitraries.strings().withChars("0123456789").ofMinLength(0).ofMaxLength(24),
                Arbitraries.strings().withChars("0").ofMinLength(1).ofMaxLength(30),
                Arbitraries.strings().withChars("09").ofMinLength(7).ofMaxLength(17));
        Arbitrary<String> integer = Arbitraries.oneOf(
                Arbitraries.of("0", "9007199254740991", "9007199254740992", "9007199254740993", "18014398509481985"),
                digits.flatMap(rest -> Arbitraries.integers().between(1, 9).map(d -> d + rest)));
        Arbitrary<String> fraction = Arbitraries.oneOf(Arbitraries.just(""),
                digits.filter(d -> !d.isEmpty()).map(d -> "." + d));
        Arbitrary<String> exponent = Arbitraries.oneOf(Arbitraries.just(""), Arbitraries.just(""),
                Combinators.combine(Arbitraries.of("e", "E"), Arbitraries.of("", "+", "-"),
                        Arbitraries.oneOf(Arbitraries.integers().between(0, 400).map(String::valueOf),
                                Arbitraries.strings().withChars("0123456789").ofMinLength(1).ofMaxLength(12)),
                        Arbitraries.of("", "", "00")).as((e, s, d, zeros) -> e + s + zeros + d));
        return Combinators.combine(sign, integer, fraction, exponent).as((s, i, f, e) -> s + i + f + e);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
