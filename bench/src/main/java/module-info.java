/** The side-by-side suites behind {@code covet bench} and the JMH kernel benchmarks. */
module io.covet.bench {
    requires io.covet.compute;
    requires io.covet.interpreters;
    requires io.covet.runtime;
    requires io.covet.web;
    requires io.covet.workers;
    requires com.fasterxml.jackson.databind;
    requires HdrHistogram;
    requires jmh.core;
    requires java.logging;
    requires java.management;
    requires java.net.http;

    // The suites, for the CLI. JMH's runner finds the kernel benchmarks (io.covet.bench.jmh) on the class path.
    exports io.covet.bench;
}
