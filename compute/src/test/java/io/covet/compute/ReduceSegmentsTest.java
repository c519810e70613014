package io.covet.compute;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class ReduceSegmentsTest {

    @Test
    void segmentReductionsFoldInIndexOrderForBothElementTypes() {
        Engines.onEach(Engines.bothPaths(3, 8), engine -> {
            try (Arena arena = Arena.ofShared()) {
                for (int n : Engines.AWKWARD_SIZES) {
                    float[] digits = new float[n];
                    StringBuilder expected = new StringBuilder();
                    for (int i = 0; i < n; i++) {
                        digits[i] = i % 10;
                        expected.append(i % 10);
                    }
                    MemorySegment f32 = ReductionTest.nativeCopy(arena, digits);
                    MemorySegment f64 = ReductionTest.nativeCopy(arena, ReductionTest.widen(digits));
                    assertThat(engine.reduceF32(f32, "", (s, v) -> s + (int) v, String::concat)).isEqualTo(expected.toString());
                    assertThat(engine.reduceF64(f64, "", (s, v) -> s + (int) v, String::concat)).isEqualTo(expected.toString());
                }
            }
            return null;
        });
    }
}
