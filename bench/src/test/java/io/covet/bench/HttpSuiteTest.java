package io.covet.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpSuiteTest {

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
    void recordsCompareNInterpretersWithGunicornAndWithOneInterpreter() {
        Map<String, LoadResult> one = Map.of("hello_json", new LoadResult(1000, 1, 1, 2, 0),
                "cpu_fib20", new LoadResult(100, 1, 10, 20, 0), "compute_sum", new LoadResult(500, 1, 2, 4, 0));
        Map<String, LoadResult> many = Map.of("hello_json", new LoadResult(1500, 1, 1, 2, 0),
                "cpu_fib20", new LoadResult(190, 1, 8, 16, 1), "compute_sum", new LoadResult(800, 1, 2, 4, 0));
        Map<String, LoadResult> peer = Map.of("hello_json", new LoadResult(3000, 1, 1, 2, 0),
                "cpu_fib20", new LoadResult(95, 1, 30, 60, 0), "compute_sum", new LoadResult(400, 1, 5, 9, 0));
        List<BenchRecord> records = HttpSuite.records(2, one, many, peer, "gunicorn 20.1.0 (2 sync workers, CPython)",
                new HttpSuite.Saturation(6000, 0, 50, 52), Duration.ofSeconds(60));
        BenchRecord fibN = records.stream().filter(r -> r.caseName().equals("cpu_fib20_rps") && r.threads() == 2).findFirst().orElseThrow();
        assertThat(fibN.covet()).isEqualTo(190.0);
        assertThat(fibN.ratio()).isCloseTo(2.0, within(1e-9));
        BenchRecord scaling = records.stream().filter(r -> r.caseName().equals("cpu_fib20_scaling")).findFirst().orElseThrow();
        assertThat(scaling.covet()).isCloseTo(1.9, within(1e-9));
        BenchRecord errors = records.stream().filter(r -> r.caseName().equals("cpu_fib20_errors")).findFirst().orElseThrow();
        assertThat(errors.covet()).isEqualTo(1.0);
        BenchRecord heap = records.stream().filter(r -> r.caseName().equals("heap_after_gc")).findFirst().orElseThrow();
        assertThat(heap.covet()).isEqualTo(52.0);
        assertThat(heap.peerValue()).isEqualTo(50.0);
        assertThat(records).allSatisfy(r -> assertThat(r.suite()).isEqualTo("http"));
    }
}
