package io.covet.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.covet.runtime.AppTarget;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An ASGI app's header bytes, both ways: the response's (given as bytes and checked by the
 * server) can add no header and smuggle no response; the request's reach the scope as bytes, names
 * lower-cased.
 */
class AsgiHeadersTest {

    static ServedApp served;

    @BeforeAll
    static void start() {
        served = ServedApp.start(AppTarget.file(WebServerTest.APPS.resolve("asgi_headers_app.py")), Duration.ofSeconds(30),
                WebServerTest.APPS);
    }

    @AfterAll
    static void stop() {
        served.close();
    }

    private static void assertRefused(String target) throws Exception {
        String raw = ResponseInjectionTest.rawGet(served.port(), target);
        List<String> head = ResponseInjectionTest.headLines(raw);
        assertThat(head.get(0)).as("%s answered:%n%s", target, raw).isEqualTo("HTTP/1.1 500 Internal Server Error");
        assertThat(head).as(raw).noneMatch(l -> l.toLowerCase().startsWith("set-cookie") || l.toLowerCase().startsWith("x-injected"));
        assertThat(raw).as("one response only").containsOnlyOnce("HTTP/1.1 ");
    }

    @Test
    void headerBytesWithALineBreakOrAFramingHeaderAreRefused() throws Exception {
        assertRefused("/header?name=Location&value=/home%0d%0aSet-Cookie:%20session=evil");
        assertRefused("/header?name=Location&value=/home%0aX-Injected:%201");
        assertRefused("/header?name=Location&value=/home%00x");
        assertRefused("/header?name=X-A:%20b%0d%0aSet-Cookie&value=v");
        assertRefused("/header?name=X%20Injected&value=v");
        assertRefused("/header?name=Content-Length&value=500");
        assertRefused("/header?name=Transfer-Encoding&value=chunked");
    }

    @Test
    void wellFormedHeaderBytesPassUnchanged() throws Exception {
        String raw = ResponseInjectionTest.rawGet(served.port(), "/header?name=X-Value&value=a%09b%20c");
        assertThat(ResponseInjectionTest.headLines(raw).get(0)).isEqualTo("HTTP/1.1 200 OK");
        assertThat(ResponseInjectionTest.headLines(raw)).contains("X-Value: a\tb c");
    }

    @Test
    void theScopeHoldsTheRequestsHeaderBytesNamesLowerCased() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), served.port())) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /headers/a%20b?x=1&y=%C3%A9 HTTP/1.1\r\nHost: example.test:8080\r\n").getBytes(StandardCharsets.ISO_8859_1));
            // Bytes beyond ASCII: Helidon reads each as U+FFFD; the request is served all the same.
            out.write("X-Name: caf\u00e9 au lait\r\n".getBytes(StandardCharsets.UTF_8));
            out.write("X-Raw: caf\u00e9\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            String raw = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(raw).startsWith("HTTP/1.1 200 OK");
            JsonNode pairs = new com.fasterxml.jackson.databind.ObjectMapper().readTree(raw.substring(raw.indexOf("\r\n\r\n") + 4));
            List<String> seen = new ArrayList<>();
            pairs.forEach(p -> seen.add(p.get(0).asText() + "=" + p.get(1).asText()));
            assertThat(seen).contains("host=example.test:8080", "x-name=caf\ufffd\ufffd au lait", "x-raw=caf\ufffd",
                    "raw_path=/headers/a%20b",
                    "query=x=1&y=%C3%A9", "server=example.test");
        }
    }
}
