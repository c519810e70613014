package io.covet.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HttpSuiteTest {

    /** The quick options: 4-s rounds, at least 3, settled within 60 s. */
    private static final HttpSuite.Options OPTIONS = HttpSuite.Options.quick(Path.of("app.py"), Set.of(HttpSuite.App.FLASK),
            HttpSuite.Options.DEBIAN_PACKAGES, 2, null, null);

    private static final String WRK = """
            Running 5s test @ http://127.0.0.1:8000/fib/20
              2 threads and 16 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency     4.10ms    1.02ms  20.00ms   90.00%
                Req/Sec     1.95k   300.00     2.50k    70.00%
              Latency Distribution
                 50%  850.00us
                 75%    2.40ms
                 90%    3.00ms
                 99%    1.20s
              19500 requests in 5.00s, 3.50MB read
              Socket errors: connect 0, read 2, write 0, timeout 3
              Non-2xx or 3xx responses: 4
            Requests/sec:   3900.00
            Transfer/sec:      0.70MB
            """;

    @Test
    void wrkOutputGivesRequestsPercentilesInMillisecondsAndEveryKindOfError() throws Exception {
        LoadResult r = LoadGenerator.Wrk.parse(WRK);
        assertThat(r.requests()).isEqualTo(19500);
        assertThat(r.seconds()).isEqualTo(5.0);
        assertThat(r.requestsPerSecond()).isEqualTo(3900.0);
        assertThat(r.p50Ms()).isCloseTo(0.85, within(1e-9));
        assertThat(r.p99Ms()).isEqualTo(1200.0);
        assertThat(r.errors()).as("socket errors plus non-2xx").isEqualTo(9);
    }

    @Test
    void wrkOutputWithoutErrorLinesHasNoErrors() throws Exception {
        String clean = WRK.replaceAll("(?m)^.*(Socket errors|Non-2xx).*\\n", "");
        assertThat(LoadGenerator.Wrk.parse(clean).errors()).isZero();
    }

    @Test
    void recordsCompareNInterpretersWithBothPeersWithOneInterpreterAndWithTheSleepLimit() {
        Map<String, LoadResult> one = new java.util.HashMap<>();
        Map<String, LoadResult> many = new java.util.HashMap<>();
        Map<String, LoadResult> gunicorn = new java.util.HashMap<>();
        Map<String, LoadResult> uvicorn = new java.util.HashMap<>();
        for (HttpSuite.Case c : HttpSuite.CASES) {
            many.put(c.name(), new LoadResult(1500, 1, 1, 2, 0));
            if (c.wsgi()) {
                gunicorn.put(c.name(), new LoadResult(750, 1, 1, 4, 0));
            }
            if (c.single()) {
                one.put(c.name(), new LoadResult(1000, 1, 1, 2, 0));
            }
            if (c.asgi()) {
                uvicorn.put(c.name(), new LoadResult(500, 1, 1, 3, 0));
            }
        }
        many.put("cpu_fib20", new LoadResult(190, 1, 8, 16, 1));
        one.put("cpu_fib20", new LoadResult(100, 1, 10, 20, 0));
        gunicorn.put("cpu_fib20", new LoadResult(95, 1, 30, 60, 0));
        many.put("async_sleep_c200", new LoadResult(3600, 1, 52, 60, 0));
        List<BenchRecord> records = HttpSuite.records(2, HttpSuite.CASES, one, many,
                new HttpSuite.Results("gunicorn 20.1.0 (2 sync workers, CPython)", gunicorn),
                new HttpSuite.Results("uvicorn 0.17.6 (2 workers)", uvicorn),
                new HttpSuite.Saturation(6000, 0, 50, 52), Duration.ofSeconds(60));
        BenchRecord fibN = find(records, "cpu_fib20_rps", 2);
        assertThat(fibN.covet()).isEqualTo(190.0);
        assertThat(fibN.ratio()).isCloseTo(2.0, within(1e-9));
        assertThat(find(records, "cpu_fib20_scaling", 2).covet()).isCloseTo(1.9, within(1e-9));
        assertThat(find(records, "cpu_fib20_errors", 2).covet()).isEqualTo(1.0);
        assertThat(find(records, "hello_json_c1024_rps", 2).ratio()).isCloseTo(2.0, within(1e-9));
        assertThat(find(records, "hello_json_c1024_rps_vs_uvicorn", 2).ratio()).isCloseTo(3.0, within(1e-9));
        assertThat(records).noneMatch(r -> r.caseName().equals("cpu_fib20_rps_vs_uvicorn"));
        assertThat(records).noneMatch(r -> r.caseName().equals("hello_json_c256_scaling"));
        BenchRecord flask = find(records, "flask_fib20_rps", 2);
        assertThat(flask.peer()).startsWith("gunicorn");
        assertThat(flask.ratio()).isCloseTo(2.0, within(1e-9));
        BenchRecord starlette = find(records, "starlette_fib20_rps", 2);
        assertThat(starlette.peer()).startsWith("uvicorn");
        assertThat(starlette.ratio()).isCloseTo(3.0, within(1e-9));
        assertThat(records).noneMatch(r -> r.caseName().startsWith("starlette_") && r.caseName().endsWith("_vs_uvicorn"));
        BenchRecord ceiling = find(records, "async_sleep_c200_of_ceiling", 2);
        assertThat(ceiling.peerValue()).isEqualTo(4000.0);
        assertThat(ceiling.ratio()).isCloseTo(0.9, within(1e-9));
        BenchRecord heap = find(records, "heap_after_gc", 2);
        assertThat(heap.covet()).isEqualTo(52.0);
        assertThat(heap.peerValue()).isEqualTo(50.0);
        assertThat(records).allSatisfy(r -> assertThat(r.suite()).isEqualTo("http"));
    }

    @Test
    void withoutPeersTheRecordsStandAlone() {
        Map<String, LoadResult> many = new java.util.HashMap<>();
        HttpSuite.CASES.forEach(c -> many.put(c.name(), new LoadResult(100, 1, 1, 2, 0)));
        List<BenchRecord> records = HttpSuite.records(1, HttpSuite.CASES, many, many, null, null, new HttpSuite.Saturation(10, 0, 1, 1),
                Duration.ofSeconds(60));
        assertThat(find(records, "hello_json_rps", 1).peerValue()).isNull();
        assertThat(records).noneMatch(r -> r.caseName().endsWith("_scaling"));
    }

    @Test
    void withoutTheExampleAppThereAreOnlyItsCasesAndNoSaturationRecords() {
        List<HttpSuite.Case> flask = HttpSuite.CASES.stream().filter(c -> c.app() == HttpSuite.App.FLASK).toList();
        Map<String, LoadResult> many = new java.util.HashMap<>();
        flask.forEach(c -> many.put(c.name(), new LoadResult(100, 1, 1, 2, 0)));
        List<BenchRecord> records = HttpSuite.records(2, flask, Map.of(), many, null, null, null, Duration.ofSeconds(60));
        assertThat(records).isNotEmpty().allSatisfy(r -> assertThat(r.caseName()).startsWith("flask_"));
    }

    @Test
    void aCovetCaseIsMeasuredOnlyOnceTheJitCompilerHasBeenIdleForAWholeRound() throws Exception {
        AtomicLong compiled = new AtomicLong();
        AtomicInteger rounds = new AtomicInteger();
        // Steady throughput from the start, the compiler busy (half a core) for the first 6 rounds.
        HttpSuite.CaseLoad load = d -> {
            if (rounds.incrementAndGet() <= 6) {
                compiled.addAndGet(d.toNanos() / 2);
            }
            return new LoadResult(1000 * d.toSeconds(), d.toSeconds(), 1, 2, 0);
        };
        HttpSuite.Warmed warmed = HttpSuite.warmThenMeasure(load, OPTIONS, compiled::get);

        assertThat(warmed.settled()).isTrue();
        assertThat(warmed.warmupSeconds()).as("6 busy rounds and 1 idle one, of 4 s each").isEqualTo(28);
        assertThat(rounds.get()).as("the warm-up rounds, then the measurement").isEqualTo(8);
    }

    @Test
    void aCompilerThatNeverSettlesStopsTheWarmUpAtTheLimitAndIsReported() throws Exception {
        AtomicLong compiled = new AtomicLong();
        HttpSuite.CaseLoad load = d -> {
            compiled.addAndGet(d.toNanos());
            return new LoadResult(1000 * d.toSeconds(), d.toSeconds(), 1, 2, 0);
        };
        HttpSuite.Warmed warmed = HttpSuite.warmThenMeasure(load, OPTIONS, compiled::get);

        assertThat(warmed.settled()).isFalse();
        assertThat(warmed.warmupSeconds()).isEqualTo(OPTIONS.settleLimit().toSeconds());
        assertThat(HttpSuite.warmupRecords(2, Map.of("flask_hello", warmed)))
                .singleElement().satisfies(r -> {
                    assertThat(r.caseName()).isEqualTo("flask_hello_jit_unsettled_after");
                    assertThat(r.covet()).isEqualTo(60);
                });
    }

    @Test
    void aPeerHasNoCompilerToWaitForAndStopsWhenTwoRoundsAgree() throws Exception {
        AtomicInteger rounds = new AtomicInteger();
        HttpSuite.CaseLoad load = d -> {
            rounds.incrementAndGet();
            return new LoadResult(1000 * d.toSeconds(), d.toSeconds(), 1, 2, 0);
        };
        HttpSuite.Warmed warmed = HttpSuite.warmThenMeasure(load, OPTIONS, null);

        assertThat(warmed.settled()).isTrue();
        assertThat(rounds.get()).as("minRounds warm-up rounds, then the measurement").isEqualTo(OPTIONS.minRounds() + 1);
    }

    private static BenchRecord find(List<BenchRecord> records, String name, int threads) {
        return records.stream().filter(r -> r.caseName().equals(name) && r.threads() == threads).findFirst().orElseThrow();
    }
}
