package io.covet.interpreters;

import static io.covet.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What Python code wrote to a file it never closed reaches the disk when its interpreter ends
 * normally, as CPython's finalization at exit makes it: on recycling and on shutdown.
 */
class UnclosedFilesTest {

    private static final SandboxPolicy WRITES = SandboxPolicy.strict().withFileWrites(true);

    @Test
    void aRecycledInterpreterFlushesTheFilesItsCodeLeftOpen(@TempDir Path dir) {
        Path file = dir.resolve("recycled.txt");
        try (InterpreterPool pool = InterpreterPool.start(PoolFixture.config().size(1).sandbox(WRITES)
                .maxTasksPerInterpreter(1).preload("pool_tasks").build())) {
            assertThat(pool.call("pool_tasks", "write_and_leave_open", file.toString(), "important data\n")).isEqualTo(15L);
            // The interpreter retires after its one task; what it wrote must not die with it.
            eventually(Duration.ofSeconds(60), "the data on disk", () -> {
                try {
                    return Files.readString(file).equals("important data\n");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
    }

    @Test
    void shuttingDownFlushesTheFilesCodeLeftOpen(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("shutdown.txt");
        try (InterpreterPool pool = InterpreterPool.start(PoolFixture.config().size(1).sandbox(WRITES).preload("pool_tasks").build())) {
            pool.call("pool_tasks", "write_and_leave_open", file.toString(), "important data\n");
            assertThat(Files.readString(file)).as("still buffered while the interpreter lives").isEmpty();
        }
        assertThat(Files.readString(file)).isEqualTo("important data\n");
    }
}
