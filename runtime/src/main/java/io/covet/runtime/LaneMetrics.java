package io.covet.runtime;

import io.covet.tasks.QueueMetrics;

/**
 * One lane's queue: its state now and its counters since the runtime started. For PYTHON and
 * PROCESS this is the interpreter pool's and the worker pool's own queue (each task queues once).
 */
public record LaneMetrics(Lane lane, QueueMetrics tasks) {
}
