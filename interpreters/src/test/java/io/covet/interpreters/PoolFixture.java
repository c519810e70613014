package io.covet.interpreters;

import java.nio.file.Path;
import java.time.Duration;

/** Small pools for tests: two interpreters, the default sandbox, a shared bytecode cache. */
final class PoolFixture {

    /** The tests' own Python modules (src/test/python). */
    static final Path PYTHON_DIR = Path.of("src/test/python").toAbsolutePath();

    private PoolFixture() {
    }

    static PoolConfig.Builder config() {
        return PoolConfig.builder()
                .size(2)
                .pythonPath(PYTHON_DIR)
                .bytecodeCache(Path.of("target/pyc").toAbsolutePath())
                .shutdownGrace(Duration.ofSeconds(5));
    }
}
