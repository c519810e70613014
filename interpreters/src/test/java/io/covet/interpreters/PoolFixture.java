package io.covet.interpreters;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Small pools for tests: two interpreters, the default sandbox, no bytecode cache (the tests start
 * many short pools, and the cache's compiler would compete for the 2 cores with tests that time
 * deadlines; SandboxEscapeTest gives its pool a cache of its own).
 */
final class PoolFixture {

    /** The tests' own Python modules (src/test/python). */
    static final Path PYTHON_DIR = Path.of("src/test/python").toAbsolutePath();

    private PoolFixture() {
    }

    static PoolConfig.Builder config() {
        return PoolConfig.builder()
                .size(2)
                .pythonPath(PYTHON_DIR)
                .bytecodeCache(null)
                .shutdownGrace(Duration.ofSeconds(5));
    }
}
