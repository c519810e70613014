package io.covet.web;

import io.covet.interpreters.InterpreterPool;
import io.covet.workers.WorkerPool;
import io.covet.runtime.Lane;
import io.covet.runtime.LaneMetrics;
import io.covet.runtime.Scheduler;
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
import java.util.Optional;
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
    private final Scheduler scheduler;
    /** The lanes' metrics, taken once per scrape: each snapshot copies the lane's latency histograms. */
    private volatile Map<Lane, LaneMetrics> lanes;

    WebMetrics(Scheduler scheduler, InterpreterPool pool, Optional<WorkerPool> workers) {
        this.scheduler = scheduler;
        this.lanes = scheduler.metrics();
        for (Lane lane : Lane.values()) {
            if (!scheduler.configured(lane)) {
                continue;
            }
            String name = lane.name().toLowerCase(Locale.ROOT);
            laneGauge("covet.lane.queued", "tasks waiting in the lane", name, lane, LaneMetrics::queued);
            laneGauge("covet.lane.running", "tasks running in the lane", name, lane, LaneMetrics::running);
            laneGauge("covet.lane.concurrency", "the lane's concurrency limit", name, lane, LaneMetrics::concurrency);
            laneCounter("covet.lane.completed", name, lane, LaneMetrics::completed);
            laneCounter("covet.lane.failed", name, lane, LaneMetrics::failed);
            laneCounter("covet.lane.timed.out", name, lane, LaneMetrics::timedOut);
            laneCounter("covet.lane.rejected", name, lane, LaneMetrics::rejected);
        }
        Gauge.builder("covet.interpreters.size", pool, InterpreterPool::size).description("interpreters the pool keeps").register(registry);
        Gauge.builder("covet.interpreters.ready", pool, InterpreterPool::ready).description("interpreters ready to serve").register(registry);
        Gauge.builder("covet.interpreters.busy", pool, InterpreterPool::busy).description("interpreters running a task").register(registry);
        FunctionCounter.builder("covet.interpreters.recycled", pool, p -> p.metrics().recycled())
                .description("interpreters replaced (limits, timeouts, failures)").register(registry);
        workers.ifPresent(w -> {
            Gauge.builder("covet.cpython.workers.size", w, p -> p.metrics().size()).description("CPython worker processes alive or starting").register(registry);
            Gauge.builder("covet.cpython.workers.busy", w, p -> p.metrics().busy()).description("CPython workers running a task").register(registry);
            FunctionCounter.builder("covet.cpython.workers.crashed", w, p -> p.metrics().crashed())
                    .description("tasks whose CPython worker died under them").register(registry);
            FunctionCounter.builder("covet.cpython.workers.timed.out", w, p -> p.metrics().timedOut())
                    .description("tasks past their timeout (their workers were killed)").register(registry);
            FunctionCounter.builder("covet.cpython.workers.started", w, p -> p.metrics().started())
                    .description("CPython workers started, replacements included").register(registry);
        });
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        gc.bindTo(registry);
    }

    private void laneGauge(String metric, String help, String lane, Lane l, ToDoubleFunction<LaneMetrics> f) {
        Gauge.builder(metric, this, m -> f.applyAsDouble(m.lanes.get(l))).tag("lane", lane).description(help).register(registry);
    }

    private void laneCounter(String metric, String lane, Lane l, ToDoubleFunction<LaneMetrics> f) {
        FunctionCounter.builder(metric, this, m -> f.applyAsDouble(m.lanes.get(l))).tag("lane", lane).register(registry);
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
        lanes = scheduler.metrics();
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
