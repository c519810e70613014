package io.covet.compute;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class ComputeEngineTest {

    @Test
    void capabilitiesReportTheVectorPathWhenTheModuleIsPresentAndTheScalarPathWhenSimdIsOff() {
        // The tests run with --add-modules jdk.incubator.vector (see the parent pom).
        assertThat(ModuleLayer.boot().findModule("jdk.incubator.vector")).isPresent();
        try (ComputeEngine vector = ComputeEngine.builder().threads(3).build();
             ComputeEngine scalar = ComputeEngine.builder().simd(false).threads(1).build()) {
            Capabilities v = vector.capabilities();
            assertThat(v.kernelPath()).isEqualTo("vector");
            assertThat(v.vectorBitSize()).isEqualTo(jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize());
            assertThat(v.floatLanes()).isEqualTo(v.vectorBitSize() / 32);
            assertThat(v.threads()).isEqualTo(3);
            assertThat(v.accelerators()).isEmpty();
            Capabilities s = scalar.capabilities();
            assertThat(s.kernelPath()).isEqualTo("scalar");
            assertThat(s.vectorBitSize()).isZero();
            assertThat(s.summary()).contains("scalar kernels").contains("1 compute thread,");
        }
    }

    @Test
    void largeInputsRunOnNamedPoolThreadsAndSmallOnesOnTheCaller() {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        try (ComputeEngine engine = ComputeEngine.builder().threads(2).parallelThreshold(1000).build()) {
            engine.map(new float[20], v -> {  // below the caller-function threshold (1000 / 32)
                threads.add(Thread.currentThread().getName());
                return v;
            });
            assertThat(threads).containsExactly(Thread.currentThread().getName());
            threads.clear();
            engine.map(new float[1_000_000], v -> {
                threads.add(Thread.currentThread().getName());
                return v;
            });
            assertThat(threads).isNotEmpty().allMatch(name -> name.startsWith("covet-compute-")
                    || name.equals(Thread.currentThread().getName()));
            assertThat(threads).anyMatch(name -> name.startsWith("covet-compute-"));
        }
    }

    @Test
    void aConfinedSegmentIsProcessedOnTheCallingThread() {
        try (ComputeEngine engine = ComputeEngine.builder().threads(2).parallelThreshold(16).build();
             Arena arena = Arena.ofConfined()) {
            MemorySegment x = arena.allocate(4L * 100_000, 4);
            x.fill((byte) 0);
            x.setAtIndex(ScalarKernels.F32, 99_999, 5f);
            assertThat(engine.sum(x, DType.F32)).isEqualTo(5.0);
            engine.apply(UnaryOp.EXP, x, x, DType.F32);
            assertThat(engine.max(x, DType.F32)).isEqualTo((double) (float) Math.exp(5));
        }
    }

    @Test
    void closeStopsEveryPoolThread() throws InterruptedException {
        ComputeEngine engine = ComputeEngine.builder().threads(2).parallelThreshold(16).build();
        engine.sum(new float[1_000_000]);
        engine.close();
        io.covet.testing.Eventually.eventually(java.time.Duration.ofSeconds(5), "no covet-compute thread alive after close",
                () -> !poolThreadsAlive());
    }

    private static boolean poolThreadsAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().startsWith("covet-compute-"));
    }

    @Test
    void heapSegmentSlicesTakeTheRightElementsOnVectorLanesAndTails() {
        try (ComputeEngine engine = ComputeEngine.create()) {
            float[] x = new float[1000];
            java.util.Arrays.fill(x, 100);
            for (int i = 1; i <= 101; i++) {
                x[i] = i;
            }
            MemorySegment middle = MemorySegment.ofArray(x).asSlice(4, 101 * 4);        // x[1..101]
            assertThat(engine.sum(middle, DType.F32)).isEqualTo(101 * 102 / 2.0);
            assertThat(engine.max(middle, DType.F32)).isEqualTo(101.0);
            assertThat(engine.min(middle.asReadOnly(), DType.F32)).isEqualTo(1.0);
            MemorySegment misaligned = MemorySegment.ofArray(new byte[4 * 50 + 1]).asSlice(1);
            assertThat(engine.sum(misaligned, DType.F32)).isZero();
        }
    }

    @Test
    void aClosedEngineRefusesWorkOfAnySize() {
        ComputeEngine engine = ComputeEngine.create();
        engine.close();
        engine.close();   // idempotent
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> engine.sum(new float[3]))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> engine.matmul(new float[4], 2, 2, new float[4], 2, 2))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void withoutTheVectorModuleTheEngineSaysItRunsTheScalarPath() throws Exception {
        // A JVM started without --add-modules jdk.incubator.vector, running ScalarFallbackMain.
        String javaBinary = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(javaBinary, "-cp", System.getProperty("java.class.path"),
                "io.covet.compute.ScalarFallbackMain").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).contains("scalar kernels (jdk.incubator.vector is not in the JVM")
                .contains("path=scalar bits=0").contains("sum=6.0");
    }
}
