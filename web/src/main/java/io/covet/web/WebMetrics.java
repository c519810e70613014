package io.covet.web;

import io.covet.database.PoolStats;
import io.covet.runtime.Lane;
import io.covet.runtime.PerformanceManager;
import io.covet.runtime.RuntimeMetrics;
import io.covet.tasks.QueueMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * What {@code GET /metrics} shows, in Prometheus text through Micrometer: requests by route,
 * method and status with latency histograms; the lanes' and the pool's gauges; JVM memory, GC
 * and threads.
 */
final class WebMetrics implements AutoCloseable {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final PerformanceManager runtime;
    /** The runtime's metrics, taken once per scrape: each snapshot copies the lanes' latency histograms. */
    private volatile RuntimeMetrics now;
    /** Each database pool as the last scrape saw it, by its database (password hidden). */
    private final Map<String, PoolStats> databasePools = new ConcurrentHashMap<>();

    WebMetrics(PerformanceManager runtime) {
        this.runtime = runtime;
        this.now = runtime.metrics();
        for (Lane lane : now.lanes().keySet()) {
            String name = lane.name().toLowerCase(Locale.ROOT);
            laneGauge("covet.lane.queued", "tasks waiting in the lane", name, lane, QueueMetrics::queued);
            laneGauge("covet.lane.running", "tasks running in the lane (in flight, for PYTHON)", name, lane, QueueMetrics::running);
            laneGauge("covet.lane.concurrency", "tasks the lane runs at once", name, lane, QueueMetrics::capacity);
            laneCounter("covet.lane.completed", name, lane, QueueMetrics::completed);
            laneCounter("covet.lane.failed", name, lane, QueueMetrics::failed);
            laneCounter("covet.lane.timed.out", name, lane, QueueMetrics::timedOut);
            laneCounter("covet.lane.rejected", name, lane, QueueMetrics::rejected);
        }
        gauge("covet.interpreters.size", "interpreters the pool keeps", m -> m.interpreters().size());
        gauge("covet.interpreters.ready", "interpreters ready to serve", m -> m.interpreters().ready());
        gauge("covet.interpreters.busy", "interpreters with a task in flight", m -> m.interpreters().busy());
        gauge("covet.interpreters.in.flight", "tasks in flight in the interpreters (awaiting ones included)",
                m -> m.interpreters().inFlight());
        counter("covet.interpreters.recycled", "interpreters replaced (limits, timeouts, failures)", m -> m.interpreters().recycled());
        if (now.workers().isPresent()) {
            gauge("covet.cpython.workers.size", "CPython worker processes alive or starting", m -> m.workers().orElseThrow().size());
            gauge("covet.cpython.workers.busy", "CPython workers running a task", m -> m.workers().orElseThrow().busy());
            counter("covet.cpython.workers.crashed", "tasks whose CPython worker died under them", m -> m.workers().orElseThrow().crashed());
            counter("covet.cpython.workers.timed.out", "tasks past their deadline (their workers were killed)",
                    m -> m.workers().orElseThrow().timedOut());
            counter("covet.cpython.workers.started", "CPython workers started, replacements included",
                    m -> m.workers().orElseThrow().started());
        }
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        gc.bindTo(registry);
    }

    private void gauge(String metric, String help, ToDoubleFunction<RuntimeMetrics> f) {
        Gauge.builder(metric, this, m -> f.applyAsDouble(m.now)).description(help).register(registry);
    }

    private void counter(String metric, String help, ToDoubleFunction<RuntimeMetrics> f) {
        FunctionCounter.builder(metric, this, m -> f.applyAsDouble(m.now)).description(help).register(registry);
    }

    private void laneGauge(String metric, String help, String lane, Lane l, ToDoubleFunction<QueueMetrics> f) {
        Gauge.builder(metric, this, m -> f.applyAsDouble(m.now.lanes().get(l).tasks())).tag("lane", lane).description(help)
                .register(registry);
    }

    private void laneCounter(String metric, String lane, Lane l, ToDoubleFunction<QueueMetrics> f) {
        FunctionCounter.builder(metric, this, m -> f.applyAsDouble(m.now.lanes().get(l).tasks())).tag("lane", lane)
                .register(registry);
    }

    /** The server's connections: how many are open, refused over the cap, cut off by the guard. */
    void connections(ConnectionGuard guard) {
        Gauge.builder("covet.web.connections.open", guard, ConnectionGuard::openConnections)
                .description("connections the server holds (served and refused)").register(registry);
        FunctionCounter.builder("covet.web.connections.refused", guard, ConnectionGuard::refusedTotal)
                .description("connections over --max-connections (answered 503 or closed)").register(registry);
        FunctionCounter.builder("covet.web.connections.cut.off", guard, ConnectionGuard::cutOffTotal)
                .description("connections closed for idling past --idle-timeout or not reading their response")
                .register(registry);
    }

    /** Records one request; {@code route} is the route's pattern, or a fixed word for unmatched paths. */
    void request(String route, String method, int status, long nanos) {
        String key = route + ' ' + method + ' ' + status;
        Timer timer = timers.computeIfAbsent(key, k -> Timer.builder("http.server.requests")
                .description("HTTP requests by route, method and status")
                .tags("route", route, "method", method, "status", Integer.toString(status))
                .publishPercentileHistogram()
                .register(registry));
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The Prometheus text exposition of every meter. */
    String scrape() {
        now = runtime.metrics();
        for (PoolStats p : runtime.databasePools()) {
            if (databasePools.put(p.database(), p) == null) {
                databaseGauges(p.database());
            }
        }
        return registry.scrape();
    }

    /** A database pool's gauges, from the first scrape that sees it (pools open when Python first connects). */
    private void databaseGauges(String database) {
        poolGauge("covet.db.pool.size", "connections the pool may open", database, PoolStats::size);
        poolGauge("covet.db.pool.active", "connections lent to a transaction", database, PoolStats::active);
        poolGauge("covet.db.pool.idle", "connections open and free", database, PoolStats::idle);
        poolGauge("covet.db.pool.waiting", "callers waiting for a connection", database, PoolStats::waiting);
        FunctionCounter.builder("covet.db.pool.timeouts", this, m -> m.databasePools.get(database).timeouts()).tag("database", database)
                .description("borrows that gave up waiting for a free connection").register(registry);
    }

    private void poolGauge(String metric, String help, String database, ToDoubleFunction<PoolStats> f) {
        Gauge.builder(metric, this, m -> f.applyAsDouble(m.databasePools.get(database))).tag("database", database).description(help)
                .register(registry);
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
