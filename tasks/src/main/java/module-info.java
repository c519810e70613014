/**
 * Admission shared by every executor: a bounded FIFO queue, one deadline and one state machine
 * per task, one set of metrics ({@link io.covet.tasks.TaskQueue}); the threads they share.
 */
module io.covet.tasks {
    requires java.logging;
    requires HdrHistogram;

    exports io.covet.tasks;
}
