package io.covet.runtime;

/** The scheduler's lanes: each kind of work waits in its own queue, under its own limit. */
public enum Lane {
    /** Blocking IO on virtual threads (HTTP requests, file and socket waits). */
    IO,
    /** Short non-blocking Java work on the compute engine's ForkJoinPool. */
    CPU,
    /** Python code in the interpreter pool, one GIL per interpreter. */
    PYTHON,
    /** Python code in CPython worker processes (for C extensions), when the runtime has them. */
    PROCESS
}
