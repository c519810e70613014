package io.covet.interpreters;

import java.util.List;

/**
 * A Java function that Python code in the pool may call, as an attribute of the module
 * {@code _covet_host} ({@link PoolConfig.Builder#hostFunction}). It runs on the calling
 * interpreter's own thread; arguments and result cross by value, as task arguments do.
 *
 * <p>To raise a particular Python exception, throw {@link HostError}. Other exceptions reach Python
 * as {@code RuntimeError} (an {@link IllegalArgumentException} as {@code ValueError}, an
 * {@link InterruptedException} as {@code KeyboardInterrupt}) with the exception's message.
 */
@FunctionalInterface
public interface HostFunction {

    Object apply(InterpreterSession session, List<Object> args) throws Exception;
}
