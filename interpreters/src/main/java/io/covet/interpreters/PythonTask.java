package io.covet.interpreters;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One unit of work for the pool: call a module-level function, or evaluate source.
 *
 * <p>Arguments and results cross the boundary by value; see {@link InterpreterPool} for the types.
 *
 * @param module   module to import (calls), null for source
 * @param function function name in {@code module} (calls), null for source
 * @param args     positional arguments
 * @param kwargs   keyword arguments (may be empty)
 * @param source   Python source to evaluate; the value of its last expression is the result
 * @param timeout  run-time limit for this task, overriding {@link PoolConfig#taskTimeout()}
 */
public record PythonTask(String module, String function, List<Object> args, Map<String, Object> kwargs,
                         String source, Optional<Duration> timeout) {

    /** The run limit of a task made with {@link #withoutTimeout()}: in effect, none. */
    static final Duration NO_LIMIT = Duration.ofDays(365L * 100);

    public PythonTask {
        boolean isCall = module != null || function != null;
        if (isCall == (source != null)) {
            throw new IllegalArgumentException("a task either calls module.function or evaluates source, not both or neither");
        }
        if (isCall) {
            requireIdentifier("module", module, true);
            requireIdentifier("function", function, false);
        }
        args = args == null ? List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(args));
        kwargs = kwargs == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(kwargs));
        Objects.requireNonNull(timeout, "timeout");
        timeout.ifPresent(t -> {
            if (t.isNegative() || t.isZero()) {
                throw new IllegalArgumentException("task timeout must be positive, got " + t);
            }
        });
    }

    private static void requireIdentifier(String what, String name, boolean dotted) {
        if (name == null || !(dotted ? DOTTED_NAME : NAME).matcher(name).matches()) {
            throw new IllegalArgumentException(what + ": '" + name + "' is not a Python " + (dotted ? "module" : "function") + " name");
        }
    }

    // Compiled once: every request makes a task (String.matches compiled these per call, a few % of a request's CPU).
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern DOTTED_NAME =
            Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");

    /** {@code module.function(*args)}. */
    public static PythonTask call(String module, String function, Object... args) {
        return new PythonTask(module, function, Arrays.asList(args), Map.of(), null, Optional.empty());
    }

    /** {@code module.function(*args, **kwargs)}. */
    public static PythonTask call(String module, String function, List<Object> args, Map<String, Object> kwargs) {
        return new PythonTask(module, function, args, kwargs, null, Optional.empty());
    }

    /** Evaluates {@code source}; the result is the value of its last expression (None if it ends in a statement). */
    public static PythonTask eval(String source) {
        return new PythonTask(null, null, List.of(), Map.of(), Objects.requireNonNull(source, "source"), Optional.empty());
    }

    public PythonTask withTimeout(Duration limit) {
        return new PythonTask(module, function, args, kwargs, source, Optional.of(limit));
    }

    /**
     * This task with no run limit at all, e.g. a whole script run by {@code covet exec}; it can
     * still be cancelled through its future.
     */
    public PythonTask withoutTimeout() {
        return new PythonTask(module, function, args, kwargs, source, Optional.of(NO_LIMIT));
    }

    boolean isCall() {
        return source == null;
    }

    /** A short name for messages: {@code mod.fn()} or {@code eval(<first line>)}. */
    String describe() {
        if (isCall()) {
            return module + "." + function + "()";
        }
        String first = source.strip().lines().findFirst().orElse("");
        return "eval(" + (first.length() > 40 ? first.substring(0, 40) + "..." : first) + ")";
    }
}
