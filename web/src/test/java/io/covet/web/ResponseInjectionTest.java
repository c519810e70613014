package io.covet.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.covet.runtime.PerformanceConfig;
import io.covet.runtime.PerformanceManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client tries to make a handler write what it sends into the response's head: a line break in
 * a header value, a header name or the media type (a second header, e.g. {@code Set-Cookie}, or a
 * second response), a wrong {@code Content-Length}, a hop-by-hop header, a status out of range.
 * Read off the wire with a raw socket: what reaches the client is the server's 500, nothing more.
 */
class ResponseInjectionTest {

    static PerformanceManager runtime;
    static CovetServer server;

    @BeforeAll
    static void start() {
        runtime = PerformanceManager.start(PerformanceConfig.builder()
                .pythonInterpreters(1).cpuThreads(1).ioThreads(4).pythonPath(List.of(WebServerTest.APPS)).build());
        server = CovetServer.start(runtime, WebConfig.of(WebServerTest.APPS.resolve("injection_app.py")).withPort(0)
                .withRequestTimeout(Duration.ofSeconds(30)).withAccessLog(false));
    }

    @AfterAll
    static void stop() {
        server.stop(Duration.ofSeconds(5));
        runtime.close();
    }

    /**
     * The raw response to {@code GET target}, as Latin-1 text (head and body), read up to its
     * Content-Length (Helidon answers "Connection: close" but leaves closing to the client), and
     * then whatever else arrives within 200 ms: a second, smuggled response would.
     */
    static String rawGet(int port, String target) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder raw = new StringBuilder();
            while (raw.indexOf("\r\n\r\n") < 0) {
                int b = in.read();
                if (b < 0) {
                    return raw.toString();
                }
                raw.append((char) b);
            }
            java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(raw);
            if (length.find()) {
                raw.append(new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.ISO_8859_1));
            }
            s.setSoTimeout(200);
            try {
                byte[] more = new byte[4096];
                for (int n; (n = in.read(more)) > 0; ) {
                    raw.append(new String(more, 0, n, StandardCharsets.ISO_8859_1));
                }
            } catch (java.net.SocketTimeoutException nothingMore) {
                // the expected end: one response, nothing after it
            }
            return raw.toString();
        }
    }

    static List<String> headLines(String raw) {
        int end = raw.indexOf("\r\n\r\n");
        return Arrays.asList((end < 0 ? raw : raw.substring(0, end)).split("\r\n", -1));
    }

    private static void assertRefused(String target) throws IOException {
        String raw = rawGet(server.port(), target);
        List<String> head = headLines(raw);
        assertThat(head.get(0)).as("%s answered:%n%s", target, raw).isEqualTo("HTTP/1.1 500 Internal Server Error");
        assertThat(head).as(raw).noneMatch(l -> l.toLowerCase().startsWith("set-cookie") || l.toLowerCase().startsWith("x-injected")
                || l.toLowerCase().startsWith("x-reason") || l.toLowerCase().startsWith("location"));
        assertThat(raw).as("one response only").containsOnlyOnce("HTTP/1.1 ");
        assertThat(raw).contains("the handler's response was invalid; see the server log");
    }

    @Test
    void aLineBreakInAHeaderValueAddsNoHeader() throws IOException {
        assertRefused("/header?name=Location&value=/home%0d%0aSet-Cookie:%20session=evil");
        assertRefused("/header?name=Location&value=/home%0aSet-Cookie:%20session=evil");
        assertRefused("/header?name=Location&value=/home%0dSet-Cookie:%20session=evil");
        assertRefused("/header?name=Location&value=/home%00x");
        assertRefused("/error?reason=x%0d%0aSet-Cookie:%20session=evil");
    }

    @Test
    void aLineBreakInTheMediaTypeOrAHeaderNameAddsNoHeader() throws IOException {
        assertRefused("/after?media_type=text/html%0d%0aSet-Cookie:%20session=evil");
        assertRefused("/header?name=X-A:%20b%0d%0aSet-Cookie&value=v");
        assertRefused("/header?name=X%20Injected&value=v");
    }

    @Test
    void aSecondResponseCannotBeSmuggledIntoTheBody() throws IOException {
        assertRefused("/header?name=Content-Length&value=0");
        assertRefused("/header?name=Content-Length&value=500");
        assertRefused("/header?name=Transfer-Encoding&value=chunked");
        assertRefused("/after?status=1000");
        assertRefused("/after?status=42");
    }

    @Test
    void wellFormedValuesPassUnchanged() throws IOException {
        String raw = rawGet(server.port(), "/header?name=X-Value&value=a%09b%20c");
        assertThat(headLines(raw).get(0)).isEqualTo("HTTP/1.1 200 OK");
        assertThat(headLines(raw)).contains("X-Value: a\tb c");
        assertThat(headLines(rawGet(server.port(), "/header?name=Content-Length&value=5")).get(0)).isEqualTo("HTTP/1.1 200 OK");
    }
}
