package io.covet.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A small runtime for tests: two interpreters, two IO and CPU slots, the tests' Python modules on the path. */
final class RuntimeFixture {

    static final Path PYTHON_DIR = Path.of("src/test/python").toAbsolutePath();

    private RuntimeFixture() {
    }

    static PerformanceConfig.Builder config() {
        return PerformanceConfig.builder()
                .pythonInterpreters(2)
                .cpuThreads(2)
                .ioThreads(4)
                .taskTimeout(Duration.ofSeconds(60))
                .pythonPath(List.of(PYTHON_DIR));
    }
}
