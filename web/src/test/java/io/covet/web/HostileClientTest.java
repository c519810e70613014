package io.covet.web;

import static io.covet.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.covet.runtime.Lane;
import io.covet.runtime.PerformanceConfig;
import io.covet.runtime.PerformanceManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Clients that try to make the server spend before it has admitted their request: uploads
 * announced but never sent, to a server whose queue is full or in numbers whose bodies would not
 * fit the heap, each answered 503 at once without the server reading (or waiting for) the body;
 * an upload dripped a byte at a time, which must not hold its connection past the request
 * timeout; chunked bodies without end or with absurd chunk sizes; connections past the cap, and
 * connections that send nothing or drip their request head, which must not hold the server.
 */
class HostileClientTest {

    private static final long MAX_BODY = 16L << 20;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    static PerformanceManager runtime;
    static CovetServer server;
    static WebConfig config;

    @BeforeAll
    static void start() {
        runtime = PerformanceManager.start(PerformanceConfig.builder()
                .pythonInterpreters(2).cpuThreads(2).ioThreads(4).queueLimit(64).pythonPath(List.of(WebServerTest.APPS)).build());
        config = WebConfig.of(WebServerTest.APPS.resolve("web_app.py")).withPort(0)
                .withMaxBody(MAX_BODY).withRequestTimeout(REQUEST_TIMEOUT).withAccessLog(false);
        server = CovetServer.start(runtime, config);
    }

    @AfterAll
    static void stop() {
        server.stop(Duration.ofSeconds(5));
        runtime.close();
    }

    /** A socket that has sent a POST's head announcing {@code length} bytes, and none of them. */
    private static Socket announceUpload(long length) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port());
        s.getOutputStream().write(("POST /raw HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                + length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        return s;
    }

    /** The response head that arrives within {@code wait}, or null if none does. */
    private static String headWithin(Socket s, Duration wait) throws IOException {
        s.setSoTimeout((int) wait.toMillis());
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        try {
            while (head.indexOf("\r\n\r\n") < 0) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.append((char) b);
            }
        } catch (SocketTimeoutException e) {
            return head.isEmpty() ? null : head.toString();
        }
        return head.toString();
    }

    @Test
    void uploadsBeyondTheBodyBudgetAre503BeforeTheirBodiesAreRead() throws IOException {
        List<Socket> waiting = new ArrayList<>();
        try {
            String refused = null;
            // Each upload that is let in holds MAX_BODY of the budget while its body does not come.
            int most = (int) (config.bodyBudget() / MAX_BODY) + 4;
            // Quickly: uploads let in are cut off at the request timeout, which returns their share.
            for (int i = 0; i < most && refused == null; i++) {
                Socket s = announceUpload(MAX_BODY);
                waiting.add(s);
                refused = headWithin(s, Duration.ofMillis(300));
            }
            assertThat(refused).as("an upload past the budget is answered at once").isNotNull()
                    .startsWith("HTTP/1.1 503").containsIgnoringCase("retry-after: 1");
            assertThat(waiting.size() - 1).as("uploads let in: as many as fit the budget")
                    .isEqualTo((int) (config.bodyBudget() / MAX_BODY));
        } finally {
            for (Socket s : waiting) {
                s.close();
            }
        }
        // The budget comes back when those uploads end.
        eventually(Duration.ofSeconds(30), "uploads accepted again", () -> {
            try (Socket s = announceUpload(MAX_BODY)) {
                return headWithin(s, Duration.ofSeconds(2)) == null;
            } catch (IOException e) {
                return false;
            }
        });
    }

    @Test
    void aFullQueueRefusesAnUploadBeforeReadingIt() throws Exception {
        runtime.scheduler().setQueueLimit(0);
        HttpClient client = HttpClient.newHttpClient();
        List<CompletableFuture<HttpResponse<String>>> busy = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                busy.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/sleep?ms=2000")).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            eventually(Duration.ofSeconds(30), "both interpreters busy",
                    () -> runtime.scheduler().metrics(Lane.PYTHON).tasks().running() >= 2);
            try (Socket s = announceUpload(1 << 20)) {
                String head = headWithin(s, Duration.ofSeconds(10));
                assertThat(head).as("answered without the body being sent").isNotNull().startsWith("HTTP/1.1 503")
                        .containsIgnoringCase("connection: close");
            }
            for (CompletableFuture<HttpResponse<String>> f : busy) {
                assertThat(f.get().statusCode()).isEqualTo(200);
            }
        } finally {
            runtime.scheduler().setQueueLimit(64);
        }
    }

    @Test
    void aBodyDrippedSlowerThanTheRequestTimeoutIsCutOff() throws Exception {
        try (Socket s = announceUpload(1000)) {
            s.setSoTimeout(200);
            long t0 = System.nanoTime();
            boolean closed = false;
            // A byte every 200 ms: each read on the server's side is quick, the whole body is not.
            while (!closed && System.nanoTime() - t0 < REQUEST_TIMEOUT.multipliedBy(3).toNanos()) {
                try {
                    s.getOutputStream().write('1');
                    s.getOutputStream().flush();
                    closed = s.getInputStream().read() < 0;
                } catch (SocketTimeoutException stillOpen) {
                    // the server is still reading
                } catch (IOException reset) {
                    closed = true;
                }
            }
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(closed).as("the connection was closed by the server").isTrue();
            assertThat(took).isGreaterThanOrEqualTo(REQUEST_TIMEOUT.minusMillis(500));
        }
        // Its share of the body budget came back: uploads are accepted.
        assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/raw"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("[1]")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

    @Test
    void aFloodOfHeadersIsRefusedWithoutAnInterpreter() throws Exception {
        long handled = runtime.scheduler().metrics(Lane.PYTHON).tasks().completed();
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            StringBuilder head = new StringBuilder("GET /items/1 HTTP/1.1\r\nHost: localhost\r\n");
            for (int i = 0; i < 20_000; i++) {
                head.append("X-Flood-").append(i).append(": ").append("v".repeat(20)).append("\r\n");
            }
            try {
                s.getOutputStream().write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            } catch (IOException closedWhileSending) {
                // refused before it was all sent: as good
            }
            String answer = headWithin(s, Duration.ofSeconds(10));
            assertThat(answer == null || answer.startsWith("HTTP/1.1 4")).as("refused as a client error: %s", answer).isTrue();
        } catch (IOException reset) {
            // the server closed the connection: refused
        }
        assertThat(runtime.scheduler().metrics(Lane.PYTHON).tasks().completed()).as("no handler ran").isEqualTo(handled);
        assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/items/1")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).as("the server still serves").isEqualTo(200);
    }

    /** A socket that has sent a chunked POST's head. */
    private static Socket announceChunked() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port());
        s.getOutputStream().write(("POST /raw HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        return s;
    }

    private static int getStatus(int port, String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void aChunkedBodyWithoutEndIsRefusedAtTheBodyLimit() throws Exception {
        long sent = 0;
        String answer = null;
        try (Socket s = announceChunked()) {
            byte[] chunk = ("10000\r\n" + "1".repeat(0x10000) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
            s.setSoTimeout(1);
            // Chunks until the server answers or hangs up; it must do so near the limit, not read on.
            try {
                while (sent < 4 * MAX_BODY && answer == null) {
                    s.getOutputStream().write(chunk);
                    sent += 0x10000;
                    if (sent > MAX_BODY) {
                        answer = headWithin(s, Duration.ofMillis(5));
                    }
                }
            } catch (IOException closedWhileSending) {
                // hung up on mid-stream: refused
            }
            if (answer == null) {
                answer = headWithin(s, Duration.ofSeconds(10));
            }
        } catch (IOException reset) {
            // the server hung up: refused
        }
        assertThat(sent).as("the server stopped reading near --max-body").isLessThan(2 * MAX_BODY);
        assertThat(answer == null || answer.isEmpty() || answer.startsWith("HTTP/1.1 413")).as("refused as too large: %s", answer).isTrue();
        assertThat(getStatus(server.port(), "/items/1")).as("the server still serves").isEqualTo(200);
    }

    @Test
    void absurdChunkSizesAndEndlessChunkExtensionsAreClientErrors() throws Exception {
        long handled = runtime.scheduler().metrics(Lane.PYTHON).tasks().completed();
        // Refused at once, or (a size Helidon takes for a huge chunk) held no longer than a slow upload.
        List<String> bombs = List.of(
                "FFFFFFFFFFFFFFFFFFFFFFFF\r\n",                       // overflows a long
                "-1\r\n",                                            // negative
                "1;" + "x".repeat(1 << 20) + "\r\n1\r\n0\r\n\r\n");     // a 1 MiB chunk extension
        for (String bomb : bombs) {
            String answer;
            try (Socket s = announceChunked()) {
                try {
                    s.getOutputStream().write(bomb.getBytes(StandardCharsets.ISO_8859_1));
                } catch (IOException closedWhileSending) {
                    // refused before it was all sent
                }
                answer = headWithin(s, REQUEST_TIMEOUT.plusSeconds(5));
            } catch (IOException reset) {
                answer = "";
            }
            assertThat(answer).as("answered or closed in time").isNotNull();
            assertThat(answer.isEmpty() || answer.startsWith("HTTP/1.1 4"))
                    .as("%s... refused as a client error: %s", bomb.substring(0, Math.min(30, bomb.length())), answer).isTrue();
        }
        assertThat(runtime.scheduler().metrics(Lane.PYTHON).tasks().completed()).as("no handler ran").isEqualTo(handled);
        assertThat(getStatus(server.port(), "/items/1")).as("the server still serves").isEqualTo(200);
    }

    /** True once the server has closed {@code s} (read returns end of stream, or the connection resets). */
    private static boolean closedByServer(Socket s) {
        return closedWithin(s, 1);
    }

    /** Whether the server closes {@code s} within {@code millis}. */
    private static boolean closedWithin(Socket s, int millis) {
        try {
            s.setSoTimeout(millis);
            return s.getInputStream().read() < 0;
        } catch (SocketTimeoutException open) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Test
    void connectionsPastTheCapAre503AndDoNotStopTheServer() throws Exception {
        int cap = 20;
        try (CovetServer capped = CovetServer.start(runtime, config.withMaxConnections(cap))) {
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < cap; i++) {
                    held.add(new Socket(InetAddress.getLoopbackAddress(), capped.port()));
                }
                // The cap is full of connections that send nothing: the next one is told why it is refused.
                Socket over = new Socket(InetAddress.getLoopbackAddress(), capped.port());
                held.add(over);
                over.getOutputStream().write("GET /items/1 HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                assertThat(headWithin(over, Duration.ofSeconds(10))).startsWith("HTTP/1.1 503")
                        .containsIgnoringCase("retry-after: 1").containsIgnoringCase("connection: close");
                // Many more: held for a 503 up to a few, the rest closed as they come; none hangs.
                for (int i = 0; i < 200; i++) {
                    held.add(new Socket(InetAddress.getLoopbackAddress(), capped.port()));
                }
                eventually(Duration.ofSeconds(10), "connections far past the cap closed by the server",
                        () -> held.stream().filter(HostileClientTest::closedByServer).count() >= 150);
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
            // Their slots come back as they close.
            eventually(Duration.ofSeconds(10), "served again", () -> {
                try {
                    return getStatus(capped.port(), "/items/1") == 200;
                } catch (IOException e) {
                    return false;
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    @Test
    void connectionsWithNoRequestRunningAreClosedAtTheIdleTimeout() throws Exception {
        Duration idle = Duration.ofSeconds(1);
        try (CovetServer guarded = CovetServer.start(runtime, config.withIdleTimeout(idle).withKeepAlive(idle))) {
            int port = guarded.port();
            try (Socket silent = new Socket(InetAddress.getLoopbackAddress(), port);
                 Socket dripping = new Socket(InetAddress.getLoopbackAddress(), port);
                 Socket keptAlive = new Socket(InetAddress.getLoopbackAddress(), port)) {
                keptAlive.getOutputStream().write("GET /items/1 HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                assertThat(headWithin(keptAlive, Duration.ofSeconds(10))).startsWith("HTTP/1.1 200");
                // A request that runs past the idle timeout is not idle: it gets its answer.
                CompletableFuture<HttpResponse<String>> slow = HttpClient.newHttpClient().sendAsync(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sleep?ms=2500")).build(),
                        HttpResponse.BodyHandlers.ofString());
                dripping.getOutputStream().write("GET /items/1 HTTP/1.1\r\nHost: localhost\r\n".getBytes(StandardCharsets.ISO_8859_1));
                long t0 = System.nanoTime();
                // A header byte every 100 ms: the head never ends, yet bytes keep coming.
                while (!closedWithin(dripping, 100) && System.nanoTime() - t0 < idle.multipliedBy(10).toNanos()) {
                    try {
                        dripping.getOutputStream().write('x');
                    } catch (IOException reset) {
                        break;
                    }
                }
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("the dripped head was cut off")
                        .isLessThan(idle.multipliedBy(5));
                eventually(idle.multipliedBy(5), "the silent and the kept-alive connections closed",
                        () -> closedByServer(silent) && closedByServer(keptAlive));
                assertThat(slow.get().statusCode()).isEqualTo(200);
            }
        }
    }

    @Test
    void aConnectionKeptAliveAfterItsAnswerIsClosedAtTheKeepAliveTimeoutAndANewOneKeepsTheIdleTimeout() throws Exception {
        Duration keepAlive = Duration.ofSeconds(1);
        try (CovetServer guarded = CovetServer.start(runtime, config.withIdleTimeout(Duration.ofSeconds(60)).withKeepAlive(keepAlive))) {
            int port = guarded.port();
            try (Socket silent = new Socket(InetAddress.getLoopbackAddress(), port);
                 Socket keptAlive = new Socket(InetAddress.getLoopbackAddress(), port)) {
                keptAlive.getOutputStream().write("GET /items/1 HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                assertThat(headWithin(keptAlive, Duration.ofSeconds(10))).startsWith("HTTP/1.1 200");
                eventually(keepAlive.multipliedBy(5), "the kept-alive connection closed", () -> closedByServer(keptAlive));
                assertThat(closedWithin(silent, 100)).as("a connection yet to send a request idles under --idle-timeout").isFalse();
            }
        }
    }

    @Test
    void aBodyShorterThanItsContentLengthEndsItsRequestNotTheServer() throws Exception {
        try (Socket s = announceUpload(100)) {
            s.getOutputStream().write("[1, 2".getBytes(StandardCharsets.ISO_8859_1));
            s.shutdownOutput();  // the lie: 5 bytes of 100, then nothing more
            String answer = headWithin(s, REQUEST_TIMEOUT.plusSeconds(10));
            assertThat(answer == null || !answer.startsWith("HTTP/1.1 2")).as("not answered as a success: %s", answer).isTrue();
        }
        assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/raw"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("[1]")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).as("the server still serves").isEqualTo(200);
    }
}
