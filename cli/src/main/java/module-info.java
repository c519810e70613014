/** The {@code covet} command: it sets up the whole runtime, so it reads every layer. */
module io.covet.cli {
    requires io.covet.bench;
    requires io.covet.compute;
    requires io.covet.interpreters;
    requires io.covet.runtime;
    requires io.covet.web;
    requires io.covet.workers;
    requires com.fasterxml.jackson.databind;
    requires info.picocli;
    requires jmh.core;
    requires java.logging;
    requires java.management;
    requires jdk.unsupported;

    // picocli reads the commands' annotated fields reflectively.
    opens io.covet.cli to info.picocli;
}
