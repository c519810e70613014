/**
 * Covet's runtime: lanes and scheduler, {@link io.covet.runtime.PerformanceManager}, the bridge
 * behind the Python {@code covet} package, and {@link io.covet.runtime.WebApp}, all a web server
 * needs. The pools stay behind it: a module that needs their own types (a benchmark, a tool)
 * requires them itself, so the web layer cannot reach past the runtime.
 */
module io.covet.runtime {
    requires transitive io.covet.tasks;
    requires io.covet.compute;
    requires io.covet.interpreters;
    requires io.covet.workers;
    requires transitive io.covet.database;   // PerformanceConfig names DatabaseUrl
    requires java.logging;
    requires java.management;   // the JIT compiler threads' CPU time (JitCompiler)
    requires java.net.http;

    exports io.covet.runtime;
}
