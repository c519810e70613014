package io.covet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildProcessTest {

    @Test
    void aChildFillingStderrBeforeWritingStdoutFinishesWithBothCollected() throws Exception {
        // 1 MB to stderr is many pipe buffers: it only finishes if stderr is read while stdout is still open.
        ChildProcess.Finished run = ChildProcess.run(List.of("sh", "-c", "head -c 1000000 /dev/zero | tr '\\0' x >&2; cat"),
                "the input", Set.of(), Map.of(), 60, TimeUnit.SECONDS);
        assertThat(run).as("the child hung and was killed").isNotNull();
        assertThat(run.exitCode()).isZero();
        assertThat(run.stdout()).isEqualTo("the input");
        assertThat(run.stderr()).hasSize(1_000_000).matches("x+");
    }

    @Test
    void aChildThatOutlivesItsTimeoutIsKilledAndReportedAsNull() throws Exception {
        assertThat(ChildProcess.run(List.of("sleep", "60"), null, Set.of(), Map.of(), 1, TimeUnit.SECONDS)).isNull();
    }

    @Test
    void aChildThatNeverReadsALargeInputStillTimesOut() throws Exception {
        String megabyte = "x".repeat(1_000_000);
        long start = System.nanoTime();
        assertThat(ChildProcess.run(List.of("sleep", "60"), megabyte, Set.of(), Map.of(), 1, TimeUnit.SECONDS)).isNull();
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(30);
    }

    @Test
    void aTimeoutAlsoKillsWhatTheChildStarted(@TempDir Path dir) throws Exception {
        // sh waits on a background sleep that holds the pipes; both must go for the call to return.
        Path pidFile = dir.resolve("pid");
        long start = System.nanoTime();
        assertThat(ChildProcess.run(List.of("sh", "-c", "sleep 60 & echo $! > " + pidFile + "; wait"), null, Set.of(), Map.of(),
                1, TimeUnit.SECONDS)).isNull();
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(30);
        long grandchild = Long.parseLong(Files.readString(pidFile).strip());
        io.covet.testing.Eventually.eventually(java.time.Duration.ofSeconds(10), "the grandchild killed",
                () -> !ProcessHandle.of(grandchild).map(ProcessHandle::isAlive).orElse(false));
        assertThat(ProcessHandle.of(grandchild).map(ProcessHandle::isAlive).orElse(false)).as("the background sleep survived").isFalse();
    }

    @Test
    void unsetVariablesAreRemovedAndAddedOnesSet() throws Exception {
        ChildProcess.Finished run = ChildProcess.run(List.of("sh", "-c", "echo \"${HOME:-unset} $COVET_TEST_VALUE\""), null,
                Set.of("HOME"), Map.of("COVET_TEST_VALUE", "added"), 60, TimeUnit.SECONDS);
        assertThat(run.stdout().strip()).isEqualTo("unset added");
    }
}
