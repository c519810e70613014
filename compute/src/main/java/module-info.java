/** SIMD + ForkJoin kernels on float/double arrays and memory segments ({@link io.covet.compute.ComputeEngine}). */
module io.covet.compute {
    // Present at run time only when the JVM is started with --add-modules jdk.incubator.vector;
    // otherwise the scalar kernels run.
    requires static jdk.incubator.vector;

    exports io.covet.compute;
}
