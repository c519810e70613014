package io.covet.bench;

/**
 * What one load run measured against one URL.
 *
 * @param requests   responses received
 * @param seconds    length of the run
 * @param p50Ms      median latency
 * @param p99Ms      99th-percentile latency
 * @param errors     non-2xx responses plus socket errors (connect, read, write, timeout)
 */
record LoadResult(long requests, double seconds, double p50Ms, double p99Ms, long errors) {

    double requestsPerSecond() {
        return seconds > 0 ? requests / seconds : 0;
    }
}
