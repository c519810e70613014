package io.covet.cli;

import io.covet.tasks.TaskThreads;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code covet run --reload}: watches directory trees for Python source files ({@code *.py}) that
 * are created, changed or deleted, and runs an action once they have been quiet for
 * {@link #QUIET_MILLIS} (an editor's save, a {@code git checkout}: one reload, not one per file).
 * The action runs on the watcher's own thread, one at a time; changes made while it runs lead to
 * one more run after it. Directories a project does not edit by hand are not watched: hidden ones,
 * {@code __pycache__}, {@code node_modules}, installed packages and virtualenvs ({@code venv},
 * {@code env}, or a {@code pyvenv.cfg} inside).
 */
final class SourceWatcher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SourceWatcher.class.getName());
    /** How long changes must stop before the action runs. */
    static final long QUIET_MILLIS = 300;

    private final WatchService watcher;
    private final Map<WatchKey, Path> dirs = new HashMap<>();
    private final Runnable action;
    private final Thread thread;

    private SourceWatcher(WatchService watcher, Runnable action) {
        this.watcher = watcher;
        this.action = action;
        this.thread = Thread.ofPlatform().daemon(true).name("covet-reload").uncaughtExceptionHandler(TaskThreads.REPORT)
                .unstarted(this::run);
    }

    /**
     * Watches {@code roots} (each a directory, with the directories below it) and runs
     * {@code action} after changes to Python files there.
     *
     * @throws IllegalArgumentException if a root cannot be watched (not a directory, too many
     *                                  directories for the system's inotify limit)
     */
    static SourceWatcher start(List<Path> roots, Runnable action) {
        WatchService service;
        try {
            service = FileSystems.getDefault().newWatchService();
        } catch (IOException e) {
            throw new IllegalArgumentException("--reload: can't watch files: " + e.getMessage(), e);
        }
        SourceWatcher w = new SourceWatcher(service, action);
        try {
            for (Path root : roots) {
                w.registerTree(root.toAbsolutePath().normalize());
            }
        } catch (IOException e) {
            w.close();
            throw new IllegalArgumentException("--reload: can't watch " + e.getMessage()
                    + " (on Linux, raising fs.inotify.max_user_watches may help)", e);
        }
        w.thread.start();
        return w;
    }

    private void registerTree(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(root) && skipped(dir)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                dirs.put(dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE), dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;   // unreadable: nothing there to reload
            }
        });
    }

    /** Directories nobody edits sources in: hidden ones, caches, installed packages, virtualenvs (also one being made). */
    private static boolean skipped(Path dir) {
        String name = dir.getFileName().toString();
        return name.startsWith(".") || SKIPPED.contains(name) || Files.exists(dir.resolve("pyvenv.cfg"));
    }

    private static final java.util.Set<String> SKIPPED = java.util.Set.of("__pycache__", "node_modules", "site-packages",
            "dist-packages", "venv", "env");

    /** A Python source file, not an editor's hidden lock or swap file. */
    static boolean isSource(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".py") && !name.startsWith(".");
    }

    private void run() {
        try {
            while (true) {
                if (!waitForChange(Long.MAX_VALUE)) {
                    continue;
                }
                // Quiet for QUIET_MILLIS: editors write a file in several steps, checkouts many files.
                while (waitForChange(QUIET_MILLIS)) {
                    // more changes: wait again
                }
                try {
                    action.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.SEVERE, "--reload: reloading failed", e);
                }
            }
        } catch (ClosedWatchServiceException | InterruptedException e) {
            // closed: the server is stopping
        }
    }

    /** Waits up to {@code millis} for events; true if one concerned a Python source (new directories get watched). */
    private boolean waitForChange(long millis) throws InterruptedException {
        WatchKey key = millis == Long.MAX_VALUE ? watcher.take() : watcher.poll(millis, TimeUnit.MILLISECONDS);
        if (key == null) {
            return false;
        }
        boolean source = false;
        Path dir = dirs.get(key);
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                source = true;   // events were lost: reload to be safe
                continue;
            }
            if (dir == null) {
                continue;
            }
            Path path = dir.resolve((Path) event.context());
            if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE && Files.isDirectory(path) && !skipped(path)) {
                try {
                    registerTree(path);
                } catch (IOException e) {
                    LOG.warning("--reload: can't watch the new directory " + path + ": " + e.getMessage());
                }
                source = true;   // it may have arrived with sources in it (a move, a checkout)
            } else if (isSource(path)) {
                source = true;
            }
        }
        if (!key.reset()) {
            dirs.remove(key);   // its directory is gone
        }
        return source;
    }

    @Override
    public void close() {
        try {
            watcher.close();
        } catch (IOException e) {
            LOG.fine(() -> "closing the file watcher: " + e);
        }
        thread.interrupt();
    }
}
