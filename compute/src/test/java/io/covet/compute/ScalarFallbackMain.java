package io.covet.compute;

/** Run in a JVM without jdk.incubator.vector by ComputeEngineTest: prints what the engine reports. */
public final class ScalarFallbackMain {

    private ScalarFallbackMain() {
    }

    public static void main(String[] args) {
        try (ComputeEngine engine = ComputeEngine.create()) {
            Capabilities c = engine.capabilities();
            System.out.println("path=" + c.kernelPath() + " bits=" + c.vectorBitSize() + " sum=" + engine.sum(new float[]{1, 2, 3}));
        }
    }
}
