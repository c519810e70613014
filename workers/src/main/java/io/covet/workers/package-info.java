/**
 * A pool of real CPython worker processes ({@link io.covet.workers.WorkerPool}), for Python code
 * that needs CPython itself (C extensions such as numpy). Each worker is a {@code python3} process
 * running the worker script shipped in this package; the pool talks to it in length-prefixed frames
 * over its stdin and stdout, with pickled payloads, one task at a time.
 *
 * <p>Threading rules: callers on any thread, virtual threads included, submit {@link
 * io.covet.workers.WorkerCall}s and wait on futures. Each worker has two platform threads of its own
 * ({@code covet-worker-N-out}, reading its frames, and {@code covet-worker-N-err}, its stderr); one
 * timer thread fires task timeouts and start retries. Frames are written by the thread that hands a
 * task over, under the worker's own lock.
 */
package io.covet.workers;
