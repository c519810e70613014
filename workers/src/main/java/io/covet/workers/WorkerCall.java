package io.covet.workers;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One function call for a CPython worker: {@code module.function(*args, **kwargs)}, as pickled bytes.
 *
 * <p>{@link #of} pickles Java values and the future's value is the result unpickled into Java: None
 * is {@code null}; bool {@code Boolean}; int {@code Integer}, {@code Long} or {@code BigInteger};
 * float {@code Double}; str {@code String}; bytes and bytearray {@code byte[]}; list {@code
 * ArrayList}; tuple {@code Object[]}; dict {@code HashMap}; set {@code HashSet}; {@code
 * array.array('d')} {@code double[]}. Going in, the same in reverse: {@code byte[]} is bytes,
 * {@code double[]}, {@code float[]}, {@code int[]} and {@code long[]} are {@code array.array}s
 * (moved in bulk), {@code Object[]} is a tuple, any other {@code Collection} a list.
 *
 * @param payload     the pickled {@code (module, qualname, args, kwargs)}
 * @param timeout     longest the call may run (empty: the pool's task timeout); past it the worker is killed
 * @param description what the call is, for errors and logs (e.g. {@code "stats.mean()"})
 */
public record WorkerCall(byte[] payload, Optional<Duration> timeout, String description) {

    public WorkerCall {
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(description, "description");
        timeout.ifPresent(t -> {
            if (t.isNegative() || t.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, got " + t);
            }
        });
    }

    /** {@code module.function(*args)} with Java values (see the class comment for how they map). */
    public static WorkerCall of(String module, String function, Object... args) {
        return of(module, function, Arrays.asList(args), Map.of());
    }

    /** {@code module.function(*args, **kwargs)} with Java values. */
    public static WorkerCall of(String module, String function, List<?> args, Map<String, ?> kwargs) {
        requireName("module", module);
        requireName("function", function);
        Object[] positional = new Object[args.size()];
        for (int i = 0; i < positional.length; i++) {
            positional[i] = Pickles.prepare(args.get(i), "argument " + i + " of " + module + "." + function + "()");
        }
        Map<String, Object> named = new java.util.LinkedHashMap<>();
        kwargs.forEach((k, v) -> named.put(k, Pickles.prepare(v, "argument '" + k + "' of " + module + "." + function + "()")));
        byte[] payload = Pickles.dumps(new Object[] {module, function, positional, named});
        return new WorkerCall(payload, Optional.empty(), module + "." + function + "()");
    }

    /** The same call, named {@code description} in errors and logs. */
    public WorkerCall describedAs(String description) {
        return new WorkerCall(payload, timeout, description);
    }

    public WorkerCall withTimeout(Duration limit) {
        return new WorkerCall(payload, Optional.of(limit), description);
    }

    private static void requireName(String what, String name) {
        if (name == null || !name.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*")) {
            throw new IllegalArgumentException(what + " must be a dotted Python name, got " + (name == null ? "null" : "'" + name + "'"));
        }
    }
}
