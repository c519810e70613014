package io.covet.compute;

import java.util.List;

/**
 * What a {@link ComputeEngine} really uses.
 *
 * @param kernelPath      {@code "vector"} (SIMD through {@code jdk.incubator.vector}) or {@code "scalar"}
 * @param vectorBitSize   bits per SIMD register in use; 0 on the scalar path
 * @param floatLanes      floats per vector (1 on the scalar path)
 * @param doubleLanes     doubles per vector (1 on the scalar path)
 * @param threads         parallelism of the engine's ForkJoinPool
 * @param accelerators    devices (GPUs and the like) the engine offloads to; Covet has no such
 *                        backend yet, so this is empty rather than a guess at what the machine has
 */
public record Capabilities(String kernelPath, int vectorBitSize, int floatLanes, int doubleLanes, int threads,
                           List<String> accelerators) {

    public Capabilities {
        accelerators = List.copyOf(accelerators);
    }

    /** One line for logs and {@code covet --version}. */
    public String summary() {
        String simd = vectorBitSize == 0 ? "scalar kernels (no SIMD)"
                : "SIMD " + vectorBitSize + "-bit (" + floatLanes + " x f32, " + doubleLanes + " x f64)";
        return simd + ", " + threads + " compute thread" + (threads == 1 ? "" : "s") + ", accelerators: "
                + (accelerators.isEmpty() ? "none" : String.join(", ", accelerators));
    }
}
