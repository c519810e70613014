package io.covet.compute;

import java.lang.System.Logger.Level;

/**
 * Chooses the kernel implementation once per JVM, as Lucene's {@code VectorizationProvider}
 * does: the vector kernels when {@code jdk.incubator.vector} is in the boot layer and the CPU's
 * preferred vectors are at least 128 bits wide, the scalar kernels otherwise. One log line says
 * which path and width is in use.
 */
final class KernelSelector {

    private static final System.Logger LOG = System.getLogger("io.covet.compute");
    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    static final Kernels SCALAR = new ScalarKernels();

    private KernelSelector() {
    }

    /** The best kernels this JVM can run; computed once, on first use. */
    static Kernels best() {
        return Holder.BEST;
    }

    private static final class Holder {
        static final Kernels BEST = choose();
    }

    private static Kernels choose() {
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            LOG.log(Level.WARNING, "Covet compute: scalar kernels ({0} is not in the JVM; start it with "
                    + "--add-modules {0} for SIMD)", VECTOR_MODULE);
            return SCALAR;
        }
        Kernels vector;
        try {
            // Loaded reflectively so that this class links even where the module is absent.
            vector = (Kernels) Class.forName("io.covet.compute.VectorKernels").getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            LOG.log(Level.WARNING, "Covet compute: scalar kernels (vector kernels failed to load: " + e + ")");
            return SCALAR;
        }
        if (vector.vectorBitSize() < 128) {
            LOG.log(Level.WARNING, "Covet compute: scalar kernels (preferred vectors are only "
                    + vector.vectorBitSize() + " bits)");
            return SCALAR;
        }
        LOG.log(Level.INFO, "Covet compute: vector kernels, {0}-bit ({1} floats, {2} doubles per vector)",
                vector.vectorBitSize(), vector.floatLanes(), vector.doubleLanes());
        return vector;
    }
}
