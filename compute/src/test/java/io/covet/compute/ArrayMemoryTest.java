package io.covet.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The memory behind NdArrays: who can read it, what the stale-directory sweep may delete, reuse. */
class ArrayMemoryTest {

    @Test
    void sharedArraysLiveInADirectoryOnlyThisUserCanEnter() throws IOException {
        assumeTrue(Files.isDirectory(Path.of("/dev/shm")), "no /dev/shm here");
        NdArray big = NdArray.zeros(DType.F64, ArrayMemory.SHARED_MIN_BYTES / 8);
        Path file = big.exportLocation().orElseThrow().file();
        Path dir = file.getParent();
        assertThat(dir.getParent()).isEqualTo(Path.of("/dev/shm"));
        assertThat(dir.getFileName().toString()).as("a random name, not a guessable one")
                .matches("covet-" + ProcessHandle.current().pid() + "-.+");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS)))
                .isEqualTo("rwx------");
    }

    @Test
    void theStaleSweepDeletesOnlyUnlockedDirectoriesOfThisUserAndFollowsNoLink(@TempDir Path root) throws IOException {
        Path stale = Files.createDirectory(root.resolve("covet-12345-old"));
        Files.createFile(stale.resolve(".lock"));
        Files.writeString(stale.resolve("a1"), "left over");
        Path victim = Files.createDirectory(root.resolve("precious"));
        Path kept = Files.writeString(victim.resolve("data.txt"), "must survive");
        Files.createFile(victim.resolve(".lock"));
        // A hostile link named like a stale directory, pointing at files the sweep must not touch.
        Path link = Files.createSymbolicLink(root.resolve("covet-12346-evil"), victim);
        Path alive = Files.createDirectory(root.resolve("covet-12348-running"));
        Files.writeString(alive.resolve("a1"), "in use");
        Path noLock = Files.createDirectory(root.resolve("covet-12347-nolock"));
        Files.createFile(alive.resolve(".lock"));
        // A running JVM's lock, held by another process (POSIX record locks, as FileChannel.lock takes).
        Process holder = new ProcessBuilder("/usr/bin/python3", "-c", "import fcntl, sys, time\n"
                + "f = open(sys.argv[1], 'w'); fcntl.lockf(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)",
                alive.resolve(".lock").toString()).redirectErrorStream(true).start();
        try {
            String first = new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream())).readLine();
            assertThat(first).as("the lock holder started").isEqualTo("locked");
            ArrayMemory.sweepStale(root, Files.getOwner(root), root.resolve("covet-1-mine"));
        } finally {
            holder.destroyForcibly();
        }
        assertThat(stale).as("a directory whose lock no one holds").doesNotExist();
        assertThat(kept).as("a link is never followed").hasContent("must survive");
        assertThat(link).as("nor deleted through").exists();
        assertThat(alive.resolve("a1")).as("a directory whose lock a process holds, whatever its PID (here one this namespace may not see)").exists();
        assertThat(noLock).as("a directory without a lock file is left alone").exists();
    }

    @Test
    void aBlockAnotherProcessMappedIsNeverReusedAndItsFileGoes() {
        assumeTrue(Files.isDirectory(Path.of("/dev/shm")), "no /dev/shm here");
        long elements = ArrayMemory.SHARED_MIN_BYTES / 8;
        NdArray exported = NdArray.zeros(DType.F64, elements);
        Path file = exported.exportLocation().orElseThrow().file();
        exported = null;
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (Files.exists(file)) {
            assertThat(System.nanoTime() - deadline).as("the exported array's file is deleted once it is unreachable").isNegative();
            System.gc();
            Thread.onSpinWait();
        }
        for (int i = 0; i < 20; i++) {
            System.gc();
            NdArray next = NdArray.zeros(DType.F64, elements);
            assertThat(next.exportLocation().orElseThrow().file()).as("a new array never gets that block").isNotEqualTo(file);
        }
    }

    @Test
    void aReusedBlockIsZeroedForANewArrayOfZeros() {
        assumeTrue(Files.isDirectory(Path.of("/dev/shm")), "no /dev/shm here");
        long elements = ArrayMemory.SHARED_MIN_BYTES / 8;
        long deadline = System.nanoTime() + 30_000_000_000L;
        try (ComputeEngine engine = ComputeEngine.builder().threads(1).build()) {
            boolean reused = false;
            while (!reused) {
                assertThat(System.nanoTime() - deadline).as("a freed block was reused within 30 s").isNegative();
                NdArray dirty = NdArray.zeros(DType.F64, elements);
                dirty.fill(7.0);
                dirty = null;   // unreachable: its block goes back to the pool after a collection
                System.gc();
                long before = ArrayMemory.reusedBlocks();
                NdArray fresh = NdArray.zeros(DType.F64, elements);
                reused = ArrayMemory.reusedBlocks() > before;
                assertThat(fresh.sum(engine)).as("a new array of zeros (on a reused block: %s)", reused).isEqualTo(0.0);
            }
        }
    }
}
