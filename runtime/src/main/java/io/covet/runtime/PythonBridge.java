package io.covet.runtime;

import io.covet.compute.ComputeEngine;
import io.covet.compute.NdArray;
import io.covet.compute.UnaryOp;
import io.covet.database.DbException;
import io.covet.interpreters.HostError;
import io.covet.interpreters.HostFunction;
import io.covet.interpreters.InterpreterSession;
import io.covet.interpreters.PythonException;
import io.covet.interpreters.PyTuple;
import io.covet.interpreters.PythonTask;
import io.covet.tasks.ClosedException;
import io.covet.tasks.Deadline;
import io.covet.tasks.DeadlineExceededException;
import io.covet.tasks.OverloadedException;
import io.covet.tasks.Task;
import io.covet.tasks.TaskAbortedException;
import io.covet.workers.WorkerCall;
import io.covet.workers.WorkerCrashedException;
import io.covet.workers.WorkerStartException;
import io.covet.workers.WorkerTaskException;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The Java side of the Python {@code covet} package: the functions of {@code _covet_host} that
 * {@code covet/_runtime.py} wraps. Work Python starts (a compute kernel, a chunk in another
 * interpreter, an HTTP request) becomes a scheduler task; Python holds it as a numbered handle
 * ({@code covet.Future}) and later waits for it and takes its outcome. Each interpreter has its
 * own handles; a task that settles wakes the interpreter that started it ({@link
 * InterpreterSession#wake}), so a waiting interpreter, or its event loop, blocks until one of its own
 * tasks completes: no polling.
 */
final class PythonBridge {

    /**
     * What Python waits on by number: a task it started (its lane and the scheduler's task), or a
     * signal of the web exchange it serves (a body part arrived, room to send): lane and task null.
     */
    private record Handle(Lane lane, Task<?> task, CompletableFuture<Object> signal) {

        boolean isDone() {
            return task != null ? task.isDone() : signal.isDone();
        }

        /** The outcome, waiting up to {@code nanos} (negative: as long as it takes). */
        Object join(long nanos) throws InterruptedException, ExecutionException, TimeoutException {
            if (task != null) {
                return nanos < 0 ? task.join() : task.join(Duration.ofNanos(nanos));
            }
            return nanos < 0 ? signal.get() : signal.get(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    /** One interpreter's handles. */
    private static final class Session {
        final ReentrantLock lock = new ReentrantLock();
        final Map<Long, Handle> handles = new HashMap<>();
    }

    private final PerformanceManager runtime;
    private final Map<InterpreterSession, Session> sessions = Collections.synchronizedMap(new WeakHashMap<>());
    private final AtomicLong ids = new AtomicLong();
    private final ArrayGateway arrays;

    PythonBridge(PerformanceManager runtime) {
        this.runtime = runtime;
        this.arrays = new ArrayGateway(runtime::compute);
    }

    Map<String, HostFunction> functions() {
        Map<String, HostFunction> f = new LinkedHashMap<>();
        f.put("config", (s, a) -> config());
        f.put("configure", (s, a) -> {
            runtime.reconfigure(map(a, 0));
            return config();
        });
        f.put("setting", (s, a) -> {
            Object value = runtime.config().settings().get(string(a, 0));
            if (value == null) {
                throw new HostError("KeyError", "no setting '" + a.get(0) + "'");
            }
            return value;
        });
        f.put("compute", this::compute);
        f.put("array", arrays::call);
        f.put("submit", this::submit);
        f.put("submit_process", this::submitProcess);
        f.put("http", this::http);
        f.put("socket_connect", (s, a) -> runtime.sockets().connect(s, string(a, 0), number(a, 1), seconds(a, 2)));
        f.put("socket_send", (s, a) -> {
            runtime.sockets().send(s, number(a, 0), bytes(a, 1), seconds(a, 2));
            return null;
        });
        f.put("socket_recv", (s, a) -> runtime.sockets().recv(s, number(a, 0), (int) Math.min(number(a, 1), Integer.MAX_VALUE),
                seconds(a, 2)));
        f.put("socket_readable", (s, a) -> runtime.sockets().readable(s, number(a, 0), seconds(a, 1)));
        f.put("socket_shutdown", (s, a) -> {
            runtime.sockets().shutdown(s, number(a, 0), (int) number(a, 1));
            return null;
        });
        f.put("socket_addresses", (s, a) -> runtime.sockets().addresses(s, number(a, 0)));
        f.put("socket_close", (s, a) -> {
            runtime.sockets().close(s, number(a, 0));
            return null;
        });
        f.put("web_receive", (s, a) -> {
            Object part = runtime.exchanges().get(s, number(a, 0)).receive(s, Boolean.TRUE.equals(a.get(1)));
            return part instanceof CompletableFuture<?> signal ? register(s, cast(signal)) : part;
        });
        f.put("web_send", (s, a) -> {
            Object waited = runtime.exchanges().get(s, number(a, 0)).send(a.get(1), a.get(2), bytes(a, 3),
                    Boolean.TRUE.equals(a.get(4)), Boolean.TRUE.equals(a.get(5)));
            return waited instanceof CompletableFuture<?> signal ? register(s, cast(signal)) : null;
        });
        f.putAll(runtime.databases().functions());
        f.put("db_submit", (s, a) -> {
            String op = string(a, 0);
            try {
                Callable<Object> work = runtime.databases().submit(s, op, a.subList(1, a.size()));
                return register(s, Lane.IO, runtime.scheduler().io(work, deadline(s), "covet.db " + op));
            } catch (DbException | SecurityException e) {
                throw DatabaseGateway.failure(e);
            }
        });
        f.put("wait", this::await);
        f.put("take", this::take);
        f.put("withdraw", (s, a) -> withdraw(s, number(a, 0)));
        f.put("cancel", (s, a) -> cancel(s, number(a, 0)));
        f.put("forget", (s, a) -> forget(session(s), number(a, 0)));
        f.put("wake", (s, a) -> {
            s.wake();
            return null;
        });
        f.put("metrics", (s, a) -> runtime.metricsAsMap());
        f.put("main_script", (s, a) -> runtime.mainScript());
        f.put("interpreter_id", (s, a) -> s.id());
        f.put("remaining", (s, a) -> s.remaining().map(d -> d.toNanos() / 1e9).orElse(null));
        f.replaceAll((name, fn) -> (s, a) -> {
            try {
                return fn.apply(s, a);
            } catch (OverloadedException e) {
                throw new HostError("OverloadedError", e.getMessage());
            } catch (LaneUnavailableException e) {
                throw new HostError("LaneUnavailableError", e.getMessage());
            } catch (IndexOutOfBoundsException e) {
                throw new HostError("TypeError", "_covet_host." + name + ": missing argument");
            }
        });
        return f;
    }

    private Map<String, Object> config() {
        Map<String, Object> out = new LinkedHashMap<>(runtime.config().settings());
        out.put("simd", runtime.compute().capabilities().kernelPath());
        out.put("cpython_workers", runtime.config().cpythonWorkers());
        return out;
    }

    // ---- starting work ----------------------------------------------------------------------

    /** {@code compute(op, ...)}: a compute-engine kernel on the CPU lane; arguments are checked here, at the call. */
    private Object compute(InterpreterSession s, List<Object> a) {
        String op = string(a, 0);
        if (!runtime.config().enableCompute()) {
            return null;
        }
        ComputeEngine engine = runtime.compute();
        java.util.concurrent.Callable<Object> work = switch (op) {
            case "sum" -> {
                Object x = a.get(1);
                yield switch (x) {
                    case double[] d -> () -> engine.sum(d);
                    case float[] fl -> () -> (double) engine.sum(fl);
                    case ArrayGateway.ArrayHandle h -> () -> h.array().sum(engine);
                    default -> throw new HostError("TypeError", "sum_array needs float data, got " + typeName(x));
                };
            }
            case "transform" -> {
                Object x = a.get(1);
                UnaryOp unary = UnaryOp.parse(string(a, 2));
                yield switch (x) {
                    case double[] d -> () -> engine.apply(unary, d);
                    case float[] fl -> () -> engine.apply(unary, fl);
                    case ArrayGateway.ArrayHandle h -> () -> ArrayGateway.toPython(h.array().unary(unary, engine));
                    default -> throw new HostError("TypeError", "transform_array needs float data, got " + typeName(x));
                };
            }
            case "matmul" -> {
                Object x = a.get(1);
                Object y = a.get(2);
                if (x instanceof ArrayGateway.ArrayHandle ha && y instanceof ArrayGateway.ArrayHandle hb) {
                    yield () -> {
                        Object product = ha.array().matmul(hb.array(), engine);
                        return product instanceof io.covet.compute.NdArray n ? ArrayGateway.toPython(n) : product;
                    };
                }
                int ar = (int) number(a, 3);
                int ac = (int) number(a, 4);
                int br = (int) number(a, 5);
                int bc = (int) number(a, 6);
                if (ac != br) {
                    throw new HostError("ValueError", "matrix_multiply: shapes (" + ar + ", " + ac + ") and (" + br + ", " + bc
                            + ") are incompatible: a has " + ac + " columns but b has " + br + " rows");
                }
                if (x instanceof double[] da && y instanceof double[] db) {
                    yield () -> engine.matmul(da, ar, ac, db, br, bc);
                }
                if (x instanceof float[] fa && y instanceof float[] fb) {
                    yield () -> engine.matmul(fa, ar, ac, fb, br, bc);
                }
                throw new HostError("TypeError", "matrix_multiply needs two float arrays of the same type, got "
                        + typeName(x) + " and " + typeName(y));
            }
            default -> throw new IllegalArgumentException("unknown compute operation '" + op + "'");
        };
        return register(s, Lane.CPU, runtime.scheduler().cpu(work, deadline(s), "perf." + op));
    }

    /**
     * {@code submit(lane, kind, module, qualname, pickled_function, encoding, data)}:
     * {@code covet._runtime.run_remote(...)} with the other arguments, in another interpreter, queued
     * in the interpreter pool. Lane "python" is CPU-bound work; "io" ({@code @perf.io_intensive},
     * {@code run_in_executor}) is code that mostly waits: it queues the same way (Python runs only in
     * interpreters), and what it awaits overlaps on the receiving interpreter's event loop. Returns
     * None when sub-interpreters are disabled: the caller then runs the work itself.
     */
    private Object submit(InterpreterSession s, List<Object> a) {
        String lane = string(a, 0);
        if (!lane.equals("python") && !lane.equals("io")) {
            throw new IllegalArgumentException("unknown lane '" + lane + "'; lanes: python, io");
        }
        List<Object> args = a.subList(1, a.size());
        if (!runtime.config().enableSubInterpreters()) {
            return null;
        }
        PythonTask task = PythonTask.call("covet._runtime", "run_remote", args.toArray());
        return register(s, Lane.PYTHON, runtime.scheduler().python(task, deadline(s)));
    }

    /**
     * {@code submit_process(description, kind, module, qualname, pickled_function, encoding, *data)}:
     * {@code covet._runtime.run_remote(kind, module, qualname, pickled_function, ...)} in a CPython
     * worker through the PROCESS lane. Encoding "a": data are the call's plain arguments, one by
     * one; "p": data is one pickled bytes; "r": that and the covet.Arrays it references, which the
     * worker maps from shared memory (small ones, not in shared memory, go as their bytes). The call is pickled here, in Java (faster than GraalPy's
     * pickle), and the worker's answer, {@code (code, payload)}, is unpickled here too.
     */
    private Object submitProcess(InterpreterSession s, List<Object> a) {
        String encoding = string(a, 5);
        List<NdArray> arrays = new ArrayList<>();
        Object data = switch (encoding) {
            case "a" -> new Object[] {a.subList(6, a.size()).stream().map(PythonBridge::forWorker).toArray(), null};
            case "p" -> a.get(6);
            case "r" -> {
                if (!(a.get(6) instanceof PyTuple(List<Object> parts)) || parts.size() != 2 || !(parts.get(1) instanceof List<?> handles)) {
                    throw new HostError("TypeError", "submit_process: encoding 'r' takes (pickled, [array handles])");
                }
                List<Object> refs = new ArrayList<>(handles.size());
                for (Object h : handles) {
                    NdArray array = ArrayGateway.array(h, "an array sent to a CPython worker");
                    arrays.add(array);
                    refs.add(ArrayGateway.forWorker(array));
                }
                yield new Object[] {parts.get(0), refs};
            }
            default -> throw new HostError("ValueError", "submit_process: unknown encoding '" + encoding + "'");
        };
        List<Object> args = new ArrayList<>(6);
        for (Object arg : a.subList(1, 5)) {
            args.add(forWorker(arg));
        }
        args.add(encoding.equals("a") ? "v" : encoding);
        args.add(data);
        WorkerCall call = WorkerCall.of("covet._runtime", "run_remote", args, Map.of()).describedAs(string(a, 0));
        Task<?> task = runtime.scheduler().process(call, deadline(s));
        if (!arrays.isEmpty()) {
            // The worker maps the arrays' memory by file name: it must not be freed (and reused) before the call ends.
            task.whenSettled(() -> java.lang.ref.Reference.reachabilityFence(arrays));
        }
        return register(s, Lane.PROCESS, task);
    }

    /** Python tuples (PyTuple here) as Object[], which the worker's pickle makes tuples again. */
    private static Object forWorker(Object value) {
        return switch (value) {
            case null -> null;
            case io.covet.interpreters.PyTuple t -> t.items().stream().map(PythonBridge::forWorker).toArray();
            case List<?> l -> l.stream().map(PythonBridge::forWorker).collect(java.util.stream.Collectors.toCollection(ArrayList::new));
            case Map<?, ?> m -> {
                Map<Object, Object> out = new LinkedHashMap<>();
                m.forEach((k, v) -> out.put(forWorker(k), forWorker(v)));
                yield out;
            }
            default -> value;
        };
    }

    /** {@code http(method, url, headers, body, timeout_seconds)}: a request on the IO lane. */
    private Object http(InterpreterSession s, List<Object> a) {
        Object headers = a.get(2) == null ? Map.of() : a.get(2);
        if (!(headers instanceof Map<?, ?> h)) {
            throw new HostError("TypeError", "headers must be a dict, got " + typeName(headers));
        }
        Object body = a.get(3);
        if (body != null && !(body instanceof byte[])) {
            throw new HostError("TypeError", "body must be bytes, got " + typeName(body));
        }
        Duration timeout = Duration.ofNanos((long) (((Number) a.get(4)).doubleValue() * 1e9));
        HttpRequest request = runtime.http().prepare(string(a, 0), string(a, 1), h, (byte[]) body, timeout);
        return register(s, Lane.IO, runtime.scheduler().io(() -> runtime.http().send(request), deadline(s),
                request.method() + " " + request.uri()));
    }

    private long register(InterpreterSession s, Lane lane, Task<?> task) {
        long id = register(s, new Handle(lane, task, null));
        task.whenSettled(s::wake);
        return id;
    }

    /** A handle for a web exchange's signal, which wakes the interpreter as it completes. */
    private long register(InterpreterSession s, CompletableFuture<Object> signal) {
        long id = register(s, new Handle(null, null, signal));
        signal.whenComplete((v, e) -> s.wake());
        return id;
    }

    private long register(InterpreterSession s, Handle h) {
        long id = ids.incrementAndGet();
        Session session = session(s);
        session.lock.lock();
        try {
            session.handles.put(id, h);
        } finally {
            session.lock.unlock();
        }
        return id;
    }

    // ---- waiting and taking outcomes ---------------------------------------------------------

    /**
     * {@code wait(handles, timeout_seconds[, wakeable])}: blocks until at least one of
     * {@code handles} is done or the timeout passes (None: no timeout), and, for the event loop
     * ({@code wakeable} true), until {@code wake()} is called; returns the done ones.
     */
    private Object await(InterpreterSession s, List<Object> a) throws InterruptedException {
        List<?> wanted = (List<?>) a.get(0);
        Object timeout = a.get(1);
        boolean wakeable = a.size() > 2 && Boolean.TRUE.equals(a.get(2));
        long deadline = timeout == null ? Long.MAX_VALUE : saturatedDeadline(((Number) timeout).doubleValue());
        Session session = session(s);
        boolean woken = false;
        while (true) {
            List<Object> done = new ArrayList<>();
            session.lock.lock();
            try {
                for (Object w : wanted) {
                    Handle h = session.handles.get(((Number) w).longValue());
                    if (h == null || h.isDone()) {
                        done.add(w);
                    }
                }
            } finally {
                session.lock.unlock();
            }
            long left = deadline - System.nanoTime();
            // Woken, the event loop looks at its own futures again (call_soon_threadsafe, or a task of
            // this interpreter settled); other waiters wait on for theirs.
            if (!done.isEmpty() || left <= 0 || (woken && wakeable)) {
                return done;
            }
            woken = s.await(deadline == Long.MAX_VALUE ? null : Duration.ofNanos(left));
        }
    }

    /**
     * {@code take(handle, timeout_seconds)}: waits up to the timeout (None: as long as it takes)
     * for the task, then forgets it and returns its value or raises its error. Not done in time:
     * raises {@code CovetNotReady} and keeps the handle.
     */
    private Object take(InterpreterSession s, List<Object> a) throws InterruptedException {
        long id = number(a, 0);
        Object timeout = a.size() > 1 ? a.get(1) : null;
        Session session = session(s);
        Handle h;
        session.lock.lock();
        try {
            h = session.handles.get(id);
        } finally {
            session.lock.unlock();
        }
        if (h == null) {
            throw new HostError("KeyError", "no task with handle " + id + " (already taken, or started by another interpreter)");
        }
        Object value;
        try {
            value = h.join(timeout == null ? -1
                    : Math.min(Long.MAX_VALUE / 2, (long) (Math.max(0, ((Number) timeout).doubleValue()) * 1e9)));
        } catch (TimeoutException e) {
            throw new HostError("CovetNotReady", "the result was not ready within " + timeout + " s");
        } catch (ExecutionException e) {
            forget(session, id);
            throw failure(e.getCause());
        } catch (CancellationException e) {
            forget(session, id);
            throw new HostError("CancelledError", "the task was cancelled");
        }
        forget(session, id);
        return h.lane == Lane.PROCESS ? fromWorker(value) : value;
    }

    /**
     * A worker's {@code (code, payload)} for Python: a plain value (code 0) as itself, since a
     * container costs more to convert at the boundary than the rest of the call; otherwise the
     * pair as a tuple (never a code-0 payload, which is a scalar, bytes or a float array).
     */
    private static Object fromWorker(Object outcome) {
        if (outcome instanceof Object[] pair && pair.length == 2 && pair[0] instanceof Number code) {
            return code.intValue() == 0 ? pair[1] : io.covet.interpreters.PyTuple.of(pair[0], pair[1]);
        }
        throw new HostError("RuntimeError", "unexpected answer from a CPython worker: " + typeName(outcome));
    }

    /** nanoTime() + seconds, capped so that a huge timeout never wraps round into the past. */
    private static long saturatedDeadline(double seconds) {
        double nanos = Math.max(0, seconds) * 1e9;
        long now = System.nanoTime();
        return nanos >= Long.MAX_VALUE - now - 1 ? Long.MAX_VALUE - 1 : now + (long) nanos;
    }

    private static boolean forget(Session session, long id) {
        session.lock.lock();
        try {
            return session.handles.remove(id) != null;
        } finally {
            session.lock.unlock();
        }
    }

    private static final java.util.Set<String> NOT_RAISED_AS_IS = java.util.Set.of("SystemExit", "KeyboardInterrupt", "GeneratorExit");

    /** A task's failure as the Python exception Python code should see. */
    static HostError failure(Throwable t) {
        Throwable e = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        return switch (e) {
            case PythonException p -> raisedAgain(p.pythonType(), p.pythonMessage(), p.pythonTraceback());
            case HostError h -> h;
            case WorkerTaskException p -> raisedAgain(p.pythonType(), p.pythonMessage(), p.pythonTraceback());
            case WorkerCrashedException x -> new HostError("WorkerCrashedError", x.getMessage());
            case WorkerStartException x -> new HostError("RuntimeError", x.getMessage());
            case DeadlineExceededException x -> new HostError("TimeoutError", x.getMessage());
            case OverloadedException x -> new HostError("OverloadedError", x.getMessage());
            case LaneUnavailableException x -> new HostError("LaneUnavailableError", x.getMessage());
            case ClosedException x -> new HostError("LaneUnavailableError", x.getMessage());
            case TaskAbortedException x -> new HostError("RuntimeError", x.getMessage());
            case CancellationException x -> new HostError("CancelledError", "the task was cancelled");
            case DbException x -> DatabaseGateway.failure(x);
            case SecurityException x -> DatabaseGateway.failure(x);
            case IllegalArgumentException x -> new HostError("ValueError", x.getMessage());
            case ArithmeticException x -> new HostError("ArithmeticError", x.getMessage());
            default -> new HostError("RuntimeError", String.valueOf(e));
        };
    }

    /** A Python exception raised elsewhere (another interpreter, a CPython worker), to raise in the waiter. */
    private static HostError raisedAgain(String type, String message, String traceback) {
        // A dotted (non-built-in) type cannot be rebuilt here; SystemExit and the like must not
        // exit or interrupt the interpreter that waited for someone else's task.
        return new HostError(type.contains(".") || NOT_RAISED_AS_IS.contains(type) ? "RuntimeError" : type,
                message + (traceback.isEmpty() ? "" : "\n" + traceback));
    }

    /** Takes back a task that has not started, so the caller can run it; the handle is then forgotten. */
    private boolean withdraw(InterpreterSession s, long id) {
        Handle h = handle(s, id);
        if (h != null && h.task != null && runtime.scheduler().withdraw(h.lane, h.task)) {
            forget(session(s), id);
            return true;
        }
        return false;
    }

    /** Cancels a task that has not started (a running one is left to finish); forgets it if cancelled. */
    private boolean cancel(InterpreterSession s, long id) {
        return withdraw(s, id);
    }

    private Handle handle(InterpreterSession s, long id) {
        Session session = session(s);
        session.lock.lock();
        try {
            return session.handles.get(id);
        } finally {
            session.lock.unlock();
        }
    }

    private Session session(InterpreterSession s) {
        synchronized (sessions) {
            return sessions.computeIfAbsent(s, k -> new Session());
        }
    }

    private static Deadline deadline(InterpreterSession s) {
        return Deadline.of(s.remaining());
    }

    // ---- arguments -----------------------------------------------------------------------------

    private static String string(List<Object> a, int i) {
        if (a.size() <= i || !(a.get(i) instanceof String str)) {
            throw new HostError("TypeError", "argument " + i + " must be a str, got " + (a.size() <= i ? "nothing" : typeName(a.get(i))));
        }
        return str;
    }

    private static long number(List<Object> a, int i) {
        if (a.size() <= i || !(a.get(i) instanceof Number n) || a.get(i) instanceof Double) {
            throw new HostError("TypeError", "argument " + i + " must be an int, got " + (a.size() <= i ? "nothing" : typeName(a.get(i))));
        }
        return n.longValue();
    }

    /** A timeout in seconds, or null for none. */
    private static Double seconds(List<Object> a, int i) {
        if (a.size() <= i || a.get(i) == null) {
            return null;
        }
        if (!(a.get(i) instanceof Number n)) {
            throw new HostError("TypeError", "argument " + i + " must be a number of seconds or None, got " + typeName(a.get(i)));
        }
        return n.doubleValue();
    }

    private static byte[] bytes(List<Object> a, int i) {
        if (a.size() <= i || !(a.get(i) instanceof byte[] b)) {
            throw new HostError("TypeError", "argument " + i + " must be bytes, got " + (a.size() <= i ? "nothing" : typeName(a.get(i))));
        }
        return b;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(List<Object> a, int i) {
        if (a.size() <= i || !(a.get(i) instanceof Map<?, ?> m)) {
            throw new HostError("TypeError", "argument " + i + " must be a dict");
        }
        return (Map<String, Object>) m;
    }

    @SuppressWarnings("unchecked")
    private static CompletableFuture<Object> cast(CompletableFuture<?> f) {
        return (CompletableFuture<Object>) f;
    }

    private static String typeName(Object x) {
        return switch (x) {
            case null -> "None";
            case List<?> l -> "list";
            case Map<?, ?> m -> "dict";
            case String str -> "str";
            case byte[] b -> "bytes";
            case Number n -> "number";
            default -> x.getClass().getSimpleName();
        };
    }

}
