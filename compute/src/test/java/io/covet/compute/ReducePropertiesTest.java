package io.covet.compute;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The ADR's sketch combined partial results with {@code |a, b| a}, dropping half of them. These
 * properties pin down that Covet's reduce equals the sequential fold, for any length, any split
 * and any thread count, including for combiners that are associative but not commutative.
 */
class ReducePropertiesTest {

    @Property(tries = 200)
    void reduceEqualsTheSequentialFoldForAnAssociativeOperation(
            @ForAll @Size(max = 3000) List<@IntRange(min = -1000, max = 1000) Integer> values,
            @ForAll @IntRange(min = 1, max = 500) int threshold,
            @ForAll @IntRange(min = 1, max = 4) int threads) {
        float[] x = new float[values.size()];
        long expected = 0;
        for (int i = 0; i < x.length; i++) {
            x[i] = values.get(i);
            expected += values.get(i);
        }
        try (ComputeEngine engine = ComputeEngine.builder().threads(threads).parallelThreshold(threshold).build()) {
            Long got = engine.reduce(x, 0L, (partial, v) -> partial + (long) v, Long::sum);
            assertThat(got).isEqualTo(expected);
        }
    }

    @Property(tries = 200)
    void reduceKeepsOrderForANonCommutativeCombiner(
            @ForAll @Size(max = 2000) List<@IntRange(min = 0, max = 9) Integer> digits,
            @ForAll @IntRange(min = 1, max = 300) int threshold) {
        double[] x = digits.stream().mapToDouble(Integer::doubleValue).toArray();
        StringBuilder expected = new StringBuilder();
        digits.forEach(expected::append);
        try (ComputeEngine engine = ComputeEngine.builder().threads(3).parallelThreshold(threshold).build()) {
            String got = engine.reduce(x, "", (partial, v) -> partial + (int) v, String::concat);
            assertThat(got).isEqualTo(expected.toString());
        }
    }

    @Property(tries = 100)
    void parallelFloatSumEqualsTheSequentialSumWithinTheBound(
            @ForAll @Size(max = 5000) List<@IntRange(min = -100_000, max = 100_000) Integer> values,
            @ForAll @IntRange(min = 1, max = 1000) int threshold) {
        float[] x = new float[values.size()];
        double exact = 0, abs = 0;
        for (int i = 0; i < x.length; i++) {
            x[i] = values.get(i) / 7f;
            exact += x[i];
            abs += Math.abs(x[i]);
        }
        double bound = 40 * Math.ulp(1f) / 2 * abs + Math.ulp((float) exact);
        try (ComputeEngine engine = ComputeEngine.builder().threads(2).parallelThreshold(threshold).build()) {
            assertThat(Math.abs(engine.sum(x) - exact)).isLessThanOrEqualTo(bound);
        }
    }
}
