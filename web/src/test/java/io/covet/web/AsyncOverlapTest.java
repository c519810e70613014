package io.covet.web;

import static io.covet.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.covet.runtime.PerformanceConfig;
import io.covet.runtime.PerformanceManager;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Handlers that await overlap on their interpreter's event loop: many are in flight at once on two
 * interpreters, sync handlers are served meanwhile, and a timeout stops one handler, not the loop.
 * The awaited thing is a gate: a request to this test's own HTTP server, answered when the test
 * opens it, so overlap is shown by how many wait at once, not by timing.
 */
class AsyncOverlapTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration LONG = Duration.ofSeconds(60);

    private static HttpServer gateServer;
    private static final AtomicInteger atGate = new AtomicInteger();
    private static volatile CountDownLatch gate = new CountDownLatch(1);
    private static PerformanceManager runtime;
    private static CovetServer server;
    private static String base;
    private static String gateUrl;

    @BeforeAll
    static void start() throws Exception {
        gateServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        gateServer.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        gateServer.createContext("/gate", ex -> {
            atGate.incrementAndGet();
            try {
                gate.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            atGate.decrementAndGet();
            byte[] body = "open".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        gateServer.start();
        gateUrl = "http://127.0.0.1:" + gateServer.getAddress().getPort() + "/gate";
        runtime = PerformanceManager.start(PerformanceConfig.builder()
                .pythonInterpreters(2).cpuThreads(2).ioThreads(64).queueLimit(256)
                .pythonPath(List.of(WebServerTest.APPS)).allowedHosts(Set.of("127.0.0.1"))
                .build());
        server = CovetServer.start(runtime, WebConfig.of(WebServerTest.APPS.resolve("async_app.py")).withPort(0)
                .withRequestTimeout(Duration.ofSeconds(4)).withAccessLog(false));
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        gate.countDown();
        if (server != null) {
            server.stop(Duration.ofSeconds(5));
        }
        if (runtime != null) {
            runtime.shutdown(Duration.ofSeconds(10));
        }
        if (gateServer != null) {
            gateServer.stop(0);
        }
    }

    private static CompletableFuture<HttpResponse<String>> getAsync(String path) {
        return CLIENT.sendAsync(HttpRequest.newBuilder(URI.create(base + path)).timeout(LONG).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return getAsync(path).get(60, TimeUnit.SECONDS);
    }

    private static String waitPath() {
        return "/wait?gate=" + java.net.URLEncoder.encode(gateUrl, StandardCharsets.UTF_8);
    }

    @Test
    void fortyAwaitingHandlersAreInFlightOnTwoInterpretersAndSyncHandlersAnswerMeanwhile() throws Exception {
        gate = new CountDownLatch(1);
        List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            waiting.add(getAsync(waitPath()));
        }
        // One at a time per interpreter, at most two could reach the gate before it opens.
        eventually(LONG, "40 handlers waiting at the gate at once", () -> atGate.get() == 40);
        HttpResponse<String> sync = get("/sync");
        assertThat(sync.statusCode()).as("a sync handler while every handler awaits").isEqualTo(200);
        assertThat(runtime.interpreterGauges().inFlight()).isEqualTo(40);
        gate.countDown();
        Set<Long> interpreters = new HashSet<>();
        for (CompletableFuture<HttpResponse<String>> f : waiting) {
            HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.get("gate").asInt()).isEqualTo(200);
            interpreters.add(body.get("interpreter").asLong());
        }
        assertThat(interpreters).as("both interpreters served them").hasSize(2);
    }

    @Test
    void anAwaitingHandlerPastTheTimeoutIs504WhileTheOthersOnItsInterpreterGoOn() throws Exception {
        gate = new CountDownLatch(1);
        long recycled = runtime.interpreterGauges().recycled();
        List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            waiting.add(getAsync(waitPath()));
        }
        eventually(LONG, "6 handlers at the gate", () -> atGate.get() == 6);
        // Both interpreters have handlers at the gate, so the late one shares its loop with some.
        CompletableFuture<HttpResponse<String>> late = getAsync("/sleepy?ms=30000");
        eventually(LONG, "the late handler in flight too", () -> runtime.interpreterGauges().inFlight() == 7);
        gate.countDown();
        for (CompletableFuture<HttpResponse<String>> f : waiting) {
            assertThat(f.get(60, TimeUnit.SECONDS).statusCode()).as("the handlers that shared its loop").isEqualTo(200);
        }
        HttpResponse<String> timedOut = late.get(60, TimeUnit.SECONDS);
        assertThat(timedOut.statusCode()).isEqualTo(504);
        assertThat(JSON.readTree(timedOut.body()).get("message").asText())
                .isEqualTo("the handler ran past the request timeout of 4 s; it was stopped");
        assertThat(get("/sleepy?ms=1").statusCode()).isEqualTo(200);
        assertThat(runtime.interpreterGauges().recycled()).as("no interpreter was replaced").isEqualTo(recycled);
    }

    @Test
    void anAsyncHandlerThatNeverAwaitsIs504AndItsInterpreterIsReplaced() throws Exception {
        long recycled = runtime.interpreterGauges().recycled();
        HttpResponse<String> spin = get("/spin");
        assertThat(spin.statusCode()).isEqualTo(504);
        eventually(LONG, "the spinning interpreter replaced and both serving",
                () -> runtime.interpreterGauges().recycled() == recycled + 1 && runtime.interpreterGauges().ready() == 2);
        assertThat(get("/sleepy?ms=1").statusCode()).isEqualTo(200);
    }
}
