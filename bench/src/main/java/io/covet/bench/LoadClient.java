package io.covet.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * The load client {@code covet bench http} runs in a child JVM when wrk is not installed: CONN
 * virtual threads each send a request, wait for its answer and send the next (closed loop), for
 * MILLIS. A body on stdin is POSTed as JSON. Prints "requests seconds p50_ms p99_ms errors".
 */
public final class LoadClient {

    private LoadClient() {
    }

    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        int connections = Integer.parseInt(args[1]);
        long millis = Long.parseLong(args[2]);
        String body = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = body.isEmpty() ? HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build()
                : HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        ConcurrentHistogram micros = new ConcurrentHistogram(3);
        LongAdder errors = new LongAdder();
        long start = System.nanoTime();
        long end = start + millis * 1_000_000;
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < connections; c++) {
                threads.submit(() -> {
                    while (System.nanoTime() < end) {
                        long t0 = System.nanoTime();
                        try {
                            HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                            if (r.statusCode() / 100 != 2) {
                                errors.increment();
                            }
                        } catch (IOException e) {
                            errors.increment();
                        } catch (InterruptedException e) {
                            return;
                        }
                        micros.recordValue((System.nanoTime() - t0) / 1000);
                    }
                });
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.println(micros.getTotalCount() + " " + seconds + " " + micros.getValueAtPercentile(50) / 1000.0 + " "
                + micros.getValueAtPercentile(99) / 1000.0 + " " + errors.sum());
    }
}
