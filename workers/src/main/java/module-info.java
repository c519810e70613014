/** A pool of CPython worker processes ({@link io.covet.workers.WorkerPool}). */
module io.covet.workers {
    requires transitive io.covet.tasks;
    requires pickle;
    requires java.logging;

    exports io.covet.workers;
}
