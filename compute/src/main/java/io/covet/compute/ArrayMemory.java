package io.covet.compute;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * The memory behind {@link NdArray}s: off the Java heap, 64-byte aligned, and freed when nothing
 * references it any more (no explicit free, so no use after free: a view or a running kernel keeps
 * it alive by holding it).
 *
 * <p>Two kinds, by size:
 * <ul>
 * <li>below {@link #SHARED_MIN_BYTES}: anonymous memory from an automatic {@link Arena}, which the
 *     JDK counts against {@code -XX:MaxDirectMemorySize} and frees on GC (a full budget triggers a
 *     GC before it fails), so dropping a million small arrays leaks nothing;
 * <li>from {@link #SHARED_MIN_BYTES} up: a block of its own arena, counted against
 *     {@link #largeArrayLimit()} (a full budget: GC, then wait, then {@link OutOfMemoryError}).
 *     Where {@code /dev/shm} has room, the block is a file in {@code /dev/shm/covet-PID-RANDOM/}
 *     (this user's only: 0700) mapped into the JVM, so a CPython worker maps the same bytes instead
 *     of receiving a copy; else anonymous memory. A freed block goes back to a pool, by size class,
 *     for the next array of that class: first-touch page faults cost more than the work on fresh
 *     memory (80 MB: ~90 ms of faults, ~7 ms to write it again, on the 2-vCPU machine of
 *     BENCHMARKS.md), so a loop of operations on large arrays reuses warm blocks. Since blocks come
 *     back only when the collector finds arrays unreachable, an allocation that finds the pool empty
 *     while much is outstanding asks for a collection first. A block leaving the pool is unmapped
 *     and its file deleted at once; the directory goes when the JVM exits, and directories of JVMs
 *     that died are swept at the first shared allocation.
 * </ul>
 * Small arrays stay anonymous: a file costs system calls (create, size, map, unlink: tens of
 * microseconds) where a small copy to a worker costs less.
 */
public final class ArrayMemory {

    /** Arrays of at least this many bytes live in shared memory (where {@code /dev/shm} exists). */
    public static final long SHARED_MIN_BYTES = 1 << 20;
    /** How long an allocation waits for the collector to free large arrays' memory before it fails. */
    private static final long RESERVE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);
    /**
     * Bytes of large arrays in use past which an allocation that finds no pooled block asks for a
     * collection. A full collection costs ~100 ms on the 2-vCPU machine, and first-touch faults
     * ~50-90 ms per 80 MB: 1 GB spreads one collection over a dozen 80-MB temporaries, which then
     * reuse warm blocks (see BENCHMARKS.md, "covet.Array").
     */
    private static final long COLLECT_AFTER_BYTES = 1L << 30;
    /** Without blocks coming back, at most one collection request per this long. */
    private static final long COLLECT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** A file in each JVM's directory, locked while it runs: what tells a live directory from a stale one. */
    private static final String LOCK_FILE = ".lock";
    /** How long an allocation waits for a block to come back after asking for a collection. */
    private static final long REUSE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private static final System.Logger LOG = System.getLogger(ArrayMemory.class.getName());
    private static final Cleaner CLEANER = Cleaner.create(r -> {
        Thread t = new Thread(r, "covet-array-cleaner");
        t.setDaemon(true);
        return t;
    });
    private static final Path SHM = Path.of("/dev/shm");
    private static final String DIR_PREFIX = "covet-";
    private static final java.util.regex.Pattern STALE_NAME = java.util.regex.Pattern.compile("covet-\\d{1,18}-.*");
    private static final boolean HAS_SHM = Files.isDirectory(SHM);
    private static final AtomicLong LIVE_ARRAYS = new AtomicLong();
    private static final AtomicLong FILE_NAMES = new AtomicLong();

    // Blocks: all guarded by LOCK.
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final Condition RETURNED = LOCK.newCondition();
    private static final Map<Long, ArrayDeque<Block>> POOL = new HashMap<>();
    private static long blockBytes;       // every block in existence: in use and pooled
    private static long pooledBytes;
    private static long reusedBlocks;
    private static long returnedSinceCollect;
    private static long lastCollect = System.nanoTime();
    private static long largeArrayLimit = Math.max(SHARED_MIN_BYTES, Math.min(Runtime.getRuntime().maxMemory(), 1L << 40));
    private static FileChannel dirLock;   // held locked while this JVM runs: its directory is alive
    private static volatile Path sharedDir;

    private final MemorySegment segment;
    private final Block block;

    private ArrayMemory(MemorySegment segment, Block block) {
        this.segment = segment;
        this.block = block;
    }

    /** {@code bytes} of memory, zeroed when {@code zeroed} (else garbage: the caller overwrites all of it). */
    static ArrayMemory allocate(long bytes, boolean zeroed) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative size: " + bytes);
        }
        ArrayMemory memory;
        if (bytes >= SHARED_MIN_BYTES) {
            Block block = takeBlock(bytes);
            MemorySegment segment = block.mapping.asSlice(0, bytes);
            try {
                if (zeroed && block.used) {
                    segment.fill((byte) 0);
                }
            } catch (RuntimeException | Error e) {
                giveBack(block);   // e.g. a fault touching a full tmpfs: the block is not lost
                throw e;
            }
            block.used = true;
            memory = new ArrayMemory(segment, block);
        } else {
            memory = new ArrayMemory(anonymous(bytes), null);
        }
        LIVE_ARRAYS.incrementAndGet();
        CLEANER.register(memory, new Release(memory.block));
        return memory;
    }

    private static MemorySegment anonymous(long bytes) {
        try {
            return Arena.ofAuto().allocate(Math.max(bytes, 1), 64).asSlice(0, bytes);
        } catch (OutOfMemoryError e) {
            throw new OutOfMemoryError("cannot allocate an array of " + bytes + " bytes off the Java heap ("
                    + e.getMessage() + "); raise -XX:MaxDirectMemorySize or free arrays");
        }
    }

    /** A block of {@code bytes}' size class: from the pool, else new (within the limit). */
    private static Block takeBlock(long bytes) {
        long limit = largeArrayLimit();
        long size = bytes > Long.MAX_VALUE / 4 ? Long.MAX_VALUE : sizeClass(bytes);
        if (size > limit) {
            throw new OutOfMemoryError("cannot allocate an array of " + bytes + " bytes: more than the " + limit
                    + " bytes allowed for large arrays");
        }
        try {
            Block block = takePooled(size, 0);
            if (block == null && mayCollect()) {
                // Much is out and nothing of this size came back: arrays dropped since the last
                // collection are still counted. Ask for one, and give their blocks a moment.
                System.gc();
                block = takePooled(size, REUSE_WAIT_NANOS);
            }
            if (block != null) {
                return block;
            }
            reserve(size);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for array memory", e);
        }
        try {
            return newBlock(size);
        } catch (RuntimeException | Error e) {
            LOCK.lock();
            try {
                blockBytes -= size;
            } finally {
                LOCK.unlock();
            }
            throw e;
        }
    }

    /** A pooled block of {@code size}, waiting up to {@code nanos} for one to come back. */
    private static Block takePooled(long size, long nanos) throws InterruptedException {
        LOCK.lock();
        try {
            Block block;
            while ((block = pooled(size)) == null && nanos > 0) {
                nanos = RETURNED.awaitNanos(nanos);
            }
            if (block != null) {
                reusedBlocks++;
            }
            return block;
        } finally {
            LOCK.unlock();
        }
    }

    /**
     * Whether to ask for a collection: much is out, and the last request gave blocks back or is
     * a second old (a program that keeps its arrays must not pay a collection per allocation).
     */
    private static boolean mayCollect() {
        LOCK.lock();
        try {
            long now = System.nanoTime();
            if (blockBytes - pooledBytes <= Math.min(largeArrayLimit / 8, COLLECT_AFTER_BYTES)
                    || returnedSinceCollect == 0 && now - lastCollect < COLLECT_INTERVAL_NANOS) {
                return false;
            }
            lastCollect = now;
            returnedSinceCollect = 0;
            return true;
        } finally {
            LOCK.unlock();
        }
    }

    /** Sizes of blocks: 1, 1.5, 2, 3, 4, 6 ... MB, so a block is at most 1.5x what it holds. */
    static long sizeClass(long bytes) {
        long power = Long.highestOneBit(Math.max(bytes, SHARED_MIN_BYTES));
        if (bytes == power) {
            return power;
        }
        long threeHalves = power + power / 2;
        return bytes <= threeHalves ? threeHalves : power * 2;
    }

    private static Block pooled(long size) {
        ArrayDeque<Block> free = POOL.get(size);
        Block block = free == null ? null : free.pollFirst();
        if (block != null) {
            pooledBytes -= size;
        }
        return block;
    }

    /** Counts a new block against the limit: evicts pooled blocks, then collects and waits, then fails. */
    private static void reserve(long size) throws InterruptedException {
        LOCK.lock();
        try {
            evict(blockBytes + size - largeArrayLimit);
            if (blockBytes + size <= largeArrayLimit) {
                blockBytes += size;
                return;
            }
        } finally {
            LOCK.unlock();
        }
        System.gc();   // outside the lock: the cleaner needs it to give blocks back
        LOCK.lock();
        try {
            long wait = RESERVE_WAIT_NANOS;
            while (blockBytes + size > largeArrayLimit && wait > 0) {
                wait = RETURNED.awaitNanos(wait);
                evict(blockBytes + size - largeArrayLimit);
            }
            if (blockBytes + size > largeArrayLimit) {
                throw new OutOfMemoryError("cannot allocate an array of " + size + " bytes: arrays in use hold "
                        + blockBytes + " of the " + largeArrayLimit + " bytes allowed for large arrays");
            }
            blockBytes += size;
        } finally {
            LOCK.unlock();
        }
    }

    /** Drops pooled blocks, largest first, until {@code bytes} are freed or the pool is empty. */
    private static void evict(long bytes) {
        List<Long> sizes = new ArrayList<>(POOL.keySet());
        sizes.sort(Comparator.reverseOrder());
        for (long size : sizes) {
            ArrayDeque<Block> free = POOL.get(size);
            while (bytes > 0 && !free.isEmpty()) {
                Block block = free.pollLast();
                pooledBytes -= size;
                blockBytes -= size;
                bytes -= size;
                block.drop();
            }
        }
    }

    /**
     * A new block: in shared memory while {@code /dev/shm} has room for it and a quarter of its
     * size to spare (a full tmpfs would fault on first touch), else anonymous memory that a
     * worker receives as a copy. Either way it has an arena of its own, closed when the block
     * leaves the pool, so its memory is given back at once.
     */
    private static Block newBlock(long size) {
        Arena arena = Arena.ofShared();
        try {
            Block shared = sharedBlock(size, arena);
            return shared != null ? shared : new Block(arena.allocate(size, 64), null, size, arena);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** A block in a shared-memory file, or null (no room, or the file system failed: logged). */
    private static Block sharedBlock(long size, Arena arena) {
        if (!HAS_SHM) {
            return null;
        }
        Path file = null;
        try {
            java.nio.file.FileStore store = Files.getFileStore(SHM);
            if (store.getUsableSpace() - size < store.getTotalSpace() / 4) {
                return null;
            }
            file = directory().resolve("a" + FILE_NAMES.incrementAndGet());
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                channel.write(ByteBuffer.allocate(1), size - 1);   // the file's size; its pages come on first touch
                // The mapping outlives the channel; the block's arena unmaps it.
                return new Block(channel.map(FileChannel.MapMode.READ_WRITE, 0, size, arena), file, size, arena);
            }
        } catch (IOException | RuntimeException e) {
            deleteQuietly(file);
            LOG.log(System.Logger.Level.WARNING, "a large array goes to anonymous memory (a CPython worker gets a copy): "
                    + SHM + " failed: " + e);
            synchronized (ArrayMemory.class) {
                if (sharedDir != null && !Files.isDirectory(sharedDir, LinkOption.NOFOLLOW_LINKS)) {
                    sharedDir = null;   // removed under us: make a new one next time
                }
            }
            return null;
        }
    }

    /** The allocated bytes, exactly the size asked for. */
    MemorySegment segment() {
        return segment;
    }

    /**
     * The shared-memory file holding these bytes (from its start), if they are shared, for another
     * process to map: from now on the block is never reused for another array.
     */
    public Optional<Path> exportFile() {
        if (block == null || block.file == null) {
            return Optional.empty();
        }
        block.exported = true;
        return Optional.of(block.file);
    }

    /** Arrays allocated and not yet freed, in this JVM. */
    public static long liveArrays() {
        return LIVE_ARRAYS.get();
    }

    /** Bytes of large-array blocks, in use or pooled for reuse. */
    public static long blockBytes() {
        LOCK.lock();
        try {
            return blockBytes;
        } finally {
            LOCK.unlock();
        }
    }

    /** Times a large array took a pooled block instead of new memory. */
    public static long reusedBlocks() {
        LOCK.lock();
        try {
            return reusedBlocks;
        } finally {
            LOCK.unlock();
        }
    }

    /**
     * The most bytes the blocks of large arrays may hold at once, pooled ones included (default:
     * the JVM's maximum heap, as for {@code -XX:MaxDirectMemorySize}).
     */
    public static long largeArrayLimit() {
        LOCK.lock();
        try {
            return largeArrayLimit;
        } finally {
            LOCK.unlock();
        }
    }

    /** Sets {@link #largeArrayLimit()}, dropping pooled blocks beyond it; for configuration and tests. */
    public static void setLargeArrayLimit(long bytes) {
        if (bytes < SHARED_MIN_BYTES) {
            throw new IllegalArgumentException("the limit for large arrays must be at least " + SHARED_MIN_BYTES + " bytes, got " + bytes);
        }
        LOCK.lock();
        try {
            largeArrayLimit = bytes;
            evict(blockBytes - bytes);
        } finally {
            LOCK.unlock();
        }
    }

    /**
     * Takes a block back: into the pool while the pool holds less than a quarter of the limit,
     * else dropped; a block a worker has mapped is always dropped (the worker may still hold its
     * mapping: its pages must not become another array's).
     */
    private static void giveBack(Block block) {
        LOCK.lock();
        try {
            if (!block.exported && pooledBytes + block.size <= largeArrayLimit / 4 && blockBytes <= largeArrayLimit) {
                POOL.computeIfAbsent(block.size, k -> new ArrayDeque<>()).addFirst(block);
                pooledBytes += block.size;
            } else {
                blockBytes -= block.size;
                block.drop();
            }
            returnedSinceCollect++;
            RETURNED.signalAll();
        } finally {
            LOCK.unlock();
        }
    }

    /**
     * This JVM's directory under {@code /dev/shm}, made (and stale ones swept) on first use: a new
     * directory with a random name, readable by this user only (0700), so no other user can read
     * arrays or plant files in it.
     */
    private static Path directory() throws IOException {
        Path dir = sharedDir;
        if (dir != null) {
            return dir;
        }
        synchronized (ArrayMemory.class) {
            if (sharedDir == null) {
                // Made under a name the sweep ignores, locked, then renamed: no sweeper ever sees it unlocked.
                String name = DIR_PREFIX + ProcessHandle.current().pid() + "-";
                Path hidden = Files.createTempDirectory(SHM, "." + name,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                if (dirLock != null) {
                    dirLock.close();
                }
                dirLock = FileChannel.open(hidden.resolve(LOCK_FILE), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                dirLock.lock();   // released by the kernel when this process ends, however it ends
                Path made = SHM.resolve(hidden.getFileName().toString().substring(1));
                Files.move(hidden, made, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                sweepStale(SHM, Files.getOwner(made, LinkOption.NOFOLLOW_LINKS), made);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(made), "covet-array-shm-cleanup"));
                sharedDir = made;
            }
            return sharedDir;
        }
    }

    /**
     * Deletes the directories of Covet JVMs that are no longer running (killed before their hook
     * ran): real directories (not links) owned by {@code me} (the owner of this JVM's own
     * directory, {@code own}, which it skips), named {@code covet-PID-...}, whose
     * lock file no process holds. The lock, not the PID, decides: JVMs in other PID namespaces
     * (containers sharing {@code /dev/shm}) may have any PID.
     */
    static void sweepStale(Path root, UserPrincipal me, Path own) {
        try (Stream<Path> dirs = Files.list(root)) {
            dirs.filter(d -> STALE_NAME.matcher(d.getFileName().toString()).matches() && !d.equals(own))
                    .filter(d -> Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS) && ownedBy(d, me) && abandoned(d))
                    .forEach(ArrayMemory::deleteTree);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not sweep stale shared-memory directories", e);
        }
    }

    /** Whether no process holds the directory's lock file (one without a lock file is left alone). */
    private static boolean abandoned(Path dir) {
        try (FileChannel lock = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            return lock.tryLock() != null;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean ownedBy(Path path, UserPrincipal user) {
        try {
            return Files.getOwner(path, LinkOption.NOFOLLOW_LINKS).equals(user);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Deletes the files directly in {@code dir} (a link is deleted, not followed), then {@code dir}. */
    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(ArrayMemory::deleteQuietly);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not list " + dir, e);
        }
        deleteQuietly(dir);
    }

    private static void deleteQuietly(Path path) {
        if (path == null) {
            return;
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not delete " + path, e);
        }
    }

    /** A large array's memory: a mapping (of {@code file} when shared) of {@code size} bytes, in an arena of its own. */
    private static final class Block {
        final MemorySegment mapping;
        final Path file;
        final long size;
        final Arena arena;
        boolean used;   // written by an array before: zero it for the next one that needs zeros
        volatile boolean exported;   // mapped by another process: never pooled

        Block(MemorySegment mapping, Path file, long size, Arena arena) {
            this.mapping = mapping;
            this.file = file;
            this.size = size;
            this.arena = arena;
        }

        /** Out of use for good (no array holds it): unmapped or freed now, its file deleted. */
        void drop() {
            deleteQuietly(file);
            try {
                arena.close();
            } catch (RuntimeException e) {
                // Still in use after all (a segment outlived its array): the collector frees it later.
                LOG.log(System.Logger.Level.WARNING, "an array block was still in use when dropped", e);
            }
        }
    }

    /** Runs once an array's memory is unreachable: the count, and its block back to the pool. */
    private record Release(Block block) implements Runnable {
        @Override
        public void run() {
            LIVE_ARRAYS.decrementAndGet();
            if (block != null) {
                giveBack(block);
            }
        }
    }
}
