package io.covet.runtime;

import io.covet.interpreters.HostError;
import io.covet.interpreters.InterpreterSession;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The requests being served, by the number their handler knows them by ({@link WebExchange}):
 * what {@code _covet_host.web_send} and {@code web_receive} reach, each only from the interpreter
 * that serves the request (the first to use its number, which is random).
 */
final class WebExchanges {

    private final Map<Long, WebExchange> open = new ConcurrentHashMap<>();
    /**
     * Numbers no interpreter can guess: an exchange belongs to the first interpreter that uses it
     * (its handler's), so another must not be able to name it first.
     */
    private final java.security.SecureRandom ids = new java.security.SecureRandom();

    /**
     * A new exchange; its handler's task is attached once queued ({@link WebExchange#attach}).
     *
     * @param head     the request is a HEAD: the response's parts are counted, not sent
     * @param bodyDone the handler is given the whole request body: there is nothing more to read
     * @param stall    the request timeout: the longest a streamed response or body may go without progress
     */
    WebExchange open(boolean head, boolean bodyDone, Duration stall) {
        while (true) {
            WebExchange x = new WebExchange(ids.nextLong() & Long.MAX_VALUE, this, head, bodyDone, stall);
            if (open.putIfAbsent(x.id, x) == null) {
                return x;
            }
        }
    }

    void remove(WebExchange x) {
        open.remove(x.id, x);
    }

    /** The exchange {@code id}, if {@code s} serves it. */
    WebExchange get(InterpreterSession s, long id) {
        WebExchange x = open.get(id);
        if (x == null) {
            throw new HostError("ClientDisconnected", "request " + id + " is over (the client disconnected, or the server ended it)");
        }
        x.checkOwner(s);
        return x;
    }
}
