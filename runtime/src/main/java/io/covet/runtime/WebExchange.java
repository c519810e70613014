package io.covet.runtime;

import io.covet.interpreters.HostError;
import io.covet.interpreters.InterpreterSession;
import io.covet.tasks.Deadline;
import io.covet.tasks.Task;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One request between the server and the app's handler while it is served: what the handler
 * answers, whole or in parts, and the parts of a request body that arrives while it runs.
 *
 * <h2>Design</h2>
 * <b>Two sides.</b> The server's thread (the request's virtual thread) asks {@link #next} what to
 * do, one {@link Step} at a time and in order: write the whole answer, or the start of a response
 * and then its parts as the handler makes them (a WSGI app's generator, an ASGI app's
 * {@code more_body}), or read the next part of the request body because the handler waits for it;
 * it reports what it read ({@link #bodyPart}) and a client that went away ({@link #clientGone}).
 * The handler's interpreter thread sends and receives through host functions
 * ({@code _covet_host.web_send} and {@code web_receive}, see {@link WebExchanges}). A handler that
 * answers in one piece (most) costs one step: its task's value.
 *
 * <p><b>Flow control.</b> Response parts not yet taken by the server are held up to
 * {@link #SEND_BUFFER} bytes; past that a send waits (a WSGI app's interpreter blocks, as a gunicorn
 * sync worker writing to a slow client does; an ASGI app awaits a future) until the server has
 * taken them. Request body parts are read only when the handler asks for the next one, so a large
 * upload is held back by TCP rather than in memory.
 *
 * <p><b>Time.</b> The request timeout bounds the time without progress: the handler's deadline at
 * first (the time to its answer's start), then, for each part sent or read, the timeout from that
 * part on ({@link #progress}), so a stream that keeps sending runs as long as its client reads. A
 * send that waits that long for room fails: the client is not reading.
 *
 * <p><b>Ends.</b> The handler's task always settles (its deadline sees to that); its outcome is
 * the last step: the answer, why there is none, or, once a response has started, whether it
 * ended as its parts said (the app sent {@code more=False}) or must be cut off.
 */
public final class WebExchange {

    /** Response bytes held for the server beyond which the handler's sends wait. */
    static final int SEND_BUFFER = 256 << 10;
    /** How much later than the stall limit the handler's own deadline falls: its sends fail first. */
    private static final Duration GRACE = Duration.ofSeconds(1);
    private static final byte[] EMPTY = new byte[0];

    /** What the server does next. */
    public sealed interface Step {
    }

    /** Write the handler's whole answer (it did not stream). */
    public record Answer(WebApp.Response response) implements Step {
    }

    /** No handler answered; the exception says why (as {@link WebApp#handle} throws it). */
    public record NoAnswer(RuntimeException why) implements Step {
    }

    /**
     * The response starts (its parts follow, then {@link End} or {@link Abort}).
     *
     * @param length the Content-Length the handler declared, or -1 (sent chunked)
     */
    public record Start(int status, List<WebApp.Header> headers, long length) implements Step {
    }

    /** The next part of the response's body. */
    public record Part(byte[] bytes) implements Step {
    }

    /** The response is complete. */
    public record End() implements Step {
    }

    /** The response cannot be completed (the handler failed or stalled mid-stream): cut the connection. */
    public record Abort(String why) implements Step {
    }

    /** The handler waits for the next part of the request body: read it and report it ({@link #bodyPart}). */
    public record ReadBody() implements Step {
    }

    /** In the queue of steps: the handler's task settled; {@link #next} turns it into the step its outcome calls for. */
    private static final Object SETTLED = new Object();

    final long id;
    private final WebExchanges table;
    private final boolean head;
    private final Duration stall;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition forServer = lock.newCondition();
    private final Condition forApp = lock.newCondition();
    private volatile Task<?> task;
    private volatile long lastProgress = System.nanoTime();
    /** The interpreter the handler runs in: the only one that may use this exchange (bound on first use). */
    private volatile int owner = -1;

    // Guarded by lock.
    private final ArrayDeque<Object> steps = new ArrayDeque<>();
    private long held;
    private boolean started;
    private boolean ended;
    private long declared = -1;
    private long sent;
    /** The response has no body on the wire (a HEAD's, a 204's or 304's): its parts are counted, not sent. */
    private boolean bodiless;
    private byte[] bodyPart;
    private boolean bodyDone;
    private boolean readAsked;
    private String bodyError;
    private String goneWhy;
    private CompletableFuture<Object> appWaiter;

    WebExchange(long id, WebExchanges table, boolean head, boolean bodyDone, Duration stall) {
        this.id = id;
        this.table = table;
        this.head = head;
        this.bodyDone = bodyDone;
        this.stall = stall;
    }

    void attach(Task<?> task) {
        this.task = task;
        task.whenSettled(() -> add(SETTLED));
    }

    // ---- the server's side -------------------------------------------------------------------

    /** What to do next, waiting until there is something. */
    public Step next() throws InterruptedException {
        while (true) {
            Object step;
            boolean wasStarted;
            boolean wasEnded;
            lock.lock();
            try {
                while ((step = steps.poll()) == null) {
                    forServer.await();
                }
                if (step instanceof Part p) {
                    held -= p.bytes().length;
                    if (held <= SEND_BUFFER) {
                        forApp.signalAll();
                        wakeApp();
                    }
                }
                wasStarted = started;
                wasEnded = ended;
            } finally {
                lock.unlock();
            }
            if (step != SETTLED) {
                return (Step) step;
            }
            Step outcome = outcome(wasStarted, wasEnded);
            if (outcome != null) {
                return outcome;
            }
        }
    }

    /** The step the settled task's outcome calls for; null when its response already ended. */
    private Step outcome(boolean wasStarted, boolean wasEnded) {
        Object value = null;
        RuntimeException failure = null;
        try {
            value = task.join();
        } catch (ExecutionException e) {
            failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (CancellationException e) {
            failure = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();   // cannot happen: the task is settled
            failure = new IllegalStateException(e);
        }
        if (!wasStarted) {
            return failure != null ? new NoAnswer(failure) : new Answer(WebApp.Response.fromPython(value, head));
        }
        if (wasEnded) {
            return null;
        }
        if (failure != null) {
            return new Abort("the handler was stopped mid-response: " + failure.getMessage());
        }
        // The handler module's failure, as a whole answer would carry it: its log is the traceback.
        return new Abort(value instanceof io.covet.interpreters.PyTuple t && t.items().size() > 4 && t.items().get(4) instanceof String log
                ? log.stripTrailing() : "the handler returned before its response was complete");
    }

    /**
     * Whether the next step is a part already waiting: the server flushes what it wrote only when
     * not (before anything that may wait, such as reading the request body, it must).
     */
    public boolean partWaiting() {
        lock.lock();
        try {
            return steps.peek() instanceof Part;
        } finally {
            lock.unlock();
        }
    }

    /** The next part of the request body, as {@link ReadBody} asked ({@code last}: the body ends with it). */
    public void bodyPart(byte[] part, boolean last) {
        lock.lock();
        try {
            readAsked = false;
            bodyPart = part.length > 0 ? part : null;
            bodyDone = last;
            forApp.signalAll();
            wakeApp();
        } finally {
            lock.unlock();
        }
        progress();
    }

    /** The request body could not be read on ({@code why}: too large, too slow, malformed); the handler's reads fail. */
    public void bodyFailed(String why) {
        lock.lock();
        try {
            readAsked = false;
            bodyError = why;
            forApp.signalAll();
            wakeApp();
        } finally {
            lock.unlock();
        }
    }

    /** Something was written to the client. */
    public void written() {
        progress();
    }

    /** The client is gone (a write failed): the handler's sends and waits fail from now on. */
    public void clientGone() {
        gone("the client disconnected");
    }

    /** The server is done with this request: later calls of the handler fail as if the client had gone. */
    public void close() {
        gone("the response is over (the client disconnected, or the server ended it)");
        table.remove(this);
    }

    private void gone(String why) {
        lock.lock();
        try {
            if (goneWhy == null) {
                goneWhy = why;
            }
            forApp.signalAll();
            wakeApp();
        } finally {
            lock.unlock();
        }
    }

    // ---- the handler's side (host functions, on its interpreter's thread) ----------------------

    /** Binds the exchange to the first interpreter that uses it; another one is refused. */
    void checkOwner(InterpreterSession s) {
        if (owner == -1) {
            synchronized (this) {
                if (owner == -1) {
                    owner = s.id();
                }
            }
        }
        if (owner != s.id()) {
            throw new HostError("PermissionError", "request " + id + " is served by another interpreter");
        }
    }

    /**
     * {@code web_receive}: the next part of the request body, {@code b''} once it has all been
     * read; when none has arrived yet, waits for it ({@code block}) or returns a future to await
     * before asking again.
     */
    Object receive(InterpreterSession s, boolean block) throws InterruptedException {
        long deadline = s.remaining().map(d -> System.nanoTime() + d.toNanos()).orElse(Long.MAX_VALUE);
        lock.lock();
        try {
            while (true) {
                if (bodyPart != null) {
                    byte[] part = bodyPart;
                    bodyPart = null;
                    return part;
                }
                if (bodyError != null) {
                    throw new HostError("OSError", bodyError);
                }
                if (bodyDone) {
                    return EMPTY;
                }
                if (goneWhy != null) {
                    throw disconnected();
                }
                if (!readAsked) {
                    readAsked = true;
                    addLocked(new ReadBody());
                }
                if (!block) {
                    return appWaiter();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new HostError("TimeoutError", "the request body did not arrive before the request's deadline");
                }
                forApp.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code web_send}: the response's start ({@code status} and {@code headers}, checked as a
     * whole answer's are; null status for a later part) and a part of its body; {@code more}
     * false ends it. Returns null once taken; past the buffer, waits for room ({@code block}) or
     * returns a future to await before sending more.
     */
    Object send(Object status, Object headers, byte[] body, boolean more, boolean block) throws InterruptedException {
        lock.lock();
        try {
            if (ended) {
                throw new HostError("RuntimeError", "the response is complete: nothing more can be sent");
            }
            if (goneWhy != null) {
                throw disconnected();
            }
            if (status != null) {
                if (started) {
                    throw new HostError("RuntimeError", "the response has already started");
                }
                List<WebApp.Header> checked = new ArrayList<>();
                int code;
                try {
                    code = WebApp.Response.checkStatus(status);
                    declared = WebApp.Response.checkHeaders(headers, checked);
                } catch (WebApp.Response.Refused e) {
                    throw new HostError("ValueError", "the response was refused: " + e.getMessage());
                }
                started = true;
                bodiless = head || code == 204 || code == 304 || code < 200;
                addLocked(new Start(code, List.copyOf(checked), declared));
            } else if (!started) {
                throw new HostError("RuntimeError", "a body part before the response's start");
            }
            if (body.length > 0) {
                if (declared >= 0 && sent + body.length > declared) {
                    throw new HostError("RuntimeError", "the response's body is longer than its Content-Length, " + declared);
                }
                sent += body.length;
                if (!bodiless) {
                    held += body.length;
                    addLocked(new Part(body));
                }
            }
            if (!more) {
                ended = true;
                addLocked(declared >= 0 && sent != declared && !bodiless
                        ? new Abort("the response ended after " + sent + " of the " + declared + " bytes its Content-Length declared")
                        : new End());
            }
            progress();
            if (held <= SEND_BUFFER) {
                return null;
            }
            if (!block) {
                return appWaiter();
            }
            while (held > SEND_BUFFER && goneWhy == null) {
                long left = lastProgress + stall.toNanos() - System.nanoTime();
                if (left <= 0) {
                    goneWhy = "the client did not read the response for " + stall.toSeconds() + " s";
                    addLocked(new Abort(goneWhy));
                    break;
                }
                forApp.awaitNanos(left);
            }
            if (goneWhy != null) {
                throw disconnected();
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    private HostError disconnected() {
        return new HostError("ClientDisconnected", goneWhy);
    }

    /** A future completed when the handler's wait is over (a body part came, room, or the client left). */
    private CompletableFuture<Object> appWaiter() {
        if (appWaiter == null || appWaiter.isDone()) {
            appWaiter = new CompletableFuture<>();
        }
        return appWaiter;
    }

    private void wakeApp() {
        if (appWaiter != null) {
            appWaiter.complete(null);
        }
    }

    private void add(Object step) {
        lock.lock();
        try {
            addLocked(step);
        } finally {
            lock.unlock();
        }
    }

    private void addLocked(Object step) {
        steps.add(step);
        forServer.signal();
    }

    /**
     * A part went through: the handler may run on for the stall limit from now (its deadline is
     * moved when that gains it at least half the grace, so not on every part).
     */
    private void progress() {
        long now = System.nanoTime();
        lastProgress = now;
        Task<?> t = task;
        if (t != null) {
            Optional<Duration> left = t.remaining();
            long wanted = stall.plus(GRACE).toNanos();
            if (left.isPresent() && wanted - left.get().toNanos() >= GRACE.toNanos() / 2) {
                t.extendDeadline(Deadline.at(now, stall.plus(GRACE)));
            }
        }
    }
}
