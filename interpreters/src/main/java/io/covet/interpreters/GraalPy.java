package io.covet.interpreters;

import java.util.logging.Logger;
import org.graalvm.polyglot.Engine;

/**
 * The shared polyglot {@link Engine} and what it runs on. GraalPy JIT-compiles Python only when
 * the JVM was started with the Graal compiler as an upgraded module and the polyglot jars on the
 * module path (the {@code covet} launcher and the test set-up do this); otherwise Truffle falls back
 * to an interpreter about 10x slower than CPython, and Covet says so loudly.
 */
public final class GraalPy {

    private static final Logger LOG = Logger.getLogger(GraalPy.class.getName());
    /** Truffle's name for its fallback runtime (no JIT). */
    private static final String FALLBACK = "Interpreted";

    private GraalPy() {
    }

    /** A new engine for one pool; warns once per engine if it cannot JIT-compile. */
    static Engine newEngine() {
        Engine engine = Engine.newBuilder("python")
                // Covet prints its own warning (below) with the fix; Truffle's would repeat it per engine.
                .option("engine.WarnInterpreterOnly", "false")
                .build();
        if (!isJit(engine)) {
            LOG.warning(() -> "*** GraalPy is running WITHOUT its JIT compiler (runtime: " + engine.getImplementationName()
                    + "): Python code will run about 10x slower than CPython. Start the JVM with the Graal compiler "
                    + "on --upgrade-module-path and the polyglot jars on --module-path, as ./covet does. ***");
        }
        return engine;
    }

    /** Whether {@code patchelf}, which GraalPy's {@code python.IsolateNativeModules} runs, is on the PATH. */
    static boolean canIsolateNativeModules() {
        String path = System.getenv("PATH");
        return path != null && java.util.Arrays.stream(path.split(java.io.File.pathSeparator))
                .anyMatch(dir -> java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, "patchelf")));
    }

    static boolean isJit(Engine engine) {
        return !FALLBACK.equals(engine.getImplementationName());
    }

    /** The GraalPy release Covet was built against (the engine itself says "Development Build" when run from Maven jars). */
    private static String graalVersion(Engine engine) {
        java.util.Properties p = new java.util.Properties();
        try (java.io.InputStream in = GraalPy.class.getResourceAsStream("graalpy.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (java.io.IOException e) {
            // fall through to the engine's own word
        }
        return p.getProperty("graalpy.version", engine.getVersion());
    }

    /** One line for {@code covet --version}: GraalPy's version and whether the JIT is on. */
    public static String describeRuntime() {
        try (Engine engine = Engine.newBuilder("python").option("engine.WarnInterpreterOnly", "false").build()) {
            String python = engine.getLanguages().get("python").getVersion();
            return "GraalPy " + graalVersion(engine) + " (Python " + python + "), "
                    + (isJit(engine) ? "JIT on (" + engine.getImplementationName() + ")"
                                     : "JIT OFF: fallback interpreter, ~10x slower than CPython");
        }
    }
}
