/**
 * A pool of isolated GraalPy interpreters ({@link io.covet.interpreters.InterpreterPool}): N
 * contexts, each with its own GIL, sharing one JIT-compiling engine, so N Python tasks run at once.
 *
 * <p>Threading rules: each interpreter is entered only by its own platform thread
 * ({@code covet-py-N}); callers on any thread, virtual threads included, submit tasks and wait on
 * futures. No polyglot {@code Value} crosses the package boundary: arguments and results are
 * converted by value. See {@code docs/ARCHITECTURE.md} for how the JVM must be started for the JIT.
 */
package io.covet.interpreters;
