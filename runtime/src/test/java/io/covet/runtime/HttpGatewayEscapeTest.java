package io.covet.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.covet.interpreters.HostError;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tries to reach, through {@code covet.http}'s gateway, what its allowed list does not allow: a
 * redirect to another address, another port of an allowed host, a body large enough to fill the
 * heap. {@code allowed} is the only server the gateway may reach; {@code forbidden} counts every
 * request that gets to it.
 */
class HttpGatewayEscapeTest {

    static HttpServer allowed;
    static HttpServer forbidden;
    static final AtomicInteger forbiddenHits = new AtomicInteger();
    static final ExecutorService io = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeAll
    static void start() throws IOException {
        forbidden = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        forbidden.createContext("/", ex -> {
            forbiddenHits.incrementAndGet();
            reply(ex, 200, "secret");
        });
        forbidden.start();
        allowed = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        allowed.createContext("/away", ex -> redirect(ex, 302, "http://127.0.0.1:" + forbidden.getAddress().getPort() + "/"));
        allowed.createContext("/away-307", ex -> redirect(ex, 307, "http://localhost:" + forbidden.getAddress().getPort() + "/"));
        allowed.createContext("/here", ex -> redirect(ex, 303, "/ok"));
        allowed.createContext("/loop", ex -> redirect(ex, 302, "/loop"));
        allowed.createContext("/ok", ex -> reply(ex, 200, ex.getRequestMethod() + " ok"));
        allowed.createContext("/big", ex -> {
            // Chunked and endless enough: no Content-Length to refuse it by.
            ex.sendResponseHeaders(200, 0);
            byte[] chunk = new byte[64 * 1024];
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < 64; i++) {
                    out.write(chunk);
                }
            } catch (IOException closedByTheClient) {
                // expected once the gateway gives up
            }
        });
        allowed.start();
    }

    @AfterAll
    static void stop() {
        allowed.stop(0);
        forbidden.stop(0);
        io.close();
    }

    private static void redirect(HttpExchange ex, int status, String location) throws IOException {
        ex.getResponseHeaders().set("Location", location);
        ex.sendResponseHeaders(status, -1);
        ex.close();
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    private static String allowedAddress() {
        return "127.0.0.1:" + allowed.getAddress().getPort();
    }

    private static Map<String, Object> get(HttpGateway gateway, String path) throws InterruptedException {
        return gateway.send(gateway.prepare("GET", "http://" + allowedAddress() + path, Map.of(), null, Duration.ofSeconds(10)));
    }

    @Test
    void aRedirectToAnAddressNotAllowedIsRefusedBeforeItIsFollowed() {
        HttpGateway gateway = new HttpGateway(io, new AllowedHosts(Set.of(allowedAddress())), 1 << 20);
        int before = forbiddenHits.get();
        assertThatThrownBy(() -> get(gateway, "/away")).isInstanceOf(HostError.class)
                .hasMessageContaining("redirect").hasMessageContaining("denied by Covet's sandbox")
                .satisfies(e -> assertThat(((HostError) e).pythonType()).isEqualTo("PermissionError"));
        assertThatThrownBy(() -> get(gateway, "/away-307")).isInstanceOf(HostError.class).hasMessageContaining("denied");
        assertThat(forbiddenHits.get()).isEqualTo(before);
    }

    @Test
    void anotherPortOfAnAllowedHostIsNotAllowed() {
        HttpGateway gateway = new HttpGateway(io, new AllowedHosts(Set.of(allowedAddress())), 1 << 20);
        assertThatThrownBy(() -> gateway.prepare("GET", "http://127.0.0.1:" + forbidden.getAddress().getPort() + "/", Map.of(), null,
                Duration.ofSeconds(10))).isInstanceOf(HostError.class).hasMessageContaining("--allow-net 127.0.0.1:");
    }

    @Test
    void redirectsWithinAllowedAddressesAreFollowedAsTheJdkWould() throws InterruptedException {
        HttpGateway gateway = new HttpGateway(io, new AllowedHosts(Set.of(allowedAddress())), 1 << 20);
        Map<String, Object> r = gateway.send(gateway.prepare("POST", "http://" + allowedAddress() + "/here", Map.of(),
                "x".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10)));
        assertThat(r.get("status")).isEqualTo(200);
        assertThat(new String((byte[]) r.get("body"), StandardCharsets.UTF_8)).isEqualTo("GET ok");
        assertThat((String) r.get("url")).endsWith("/ok");
        assertThatThrownBy(() -> get(gateway, "/loop")).isInstanceOf(HostError.class).hasMessageContaining("more than 5 redirects");
    }

    @Test
    void aResponseBodyOverTheLimitFailsTheCallInsteadOfFillingTheHeap() throws InterruptedException {
        HttpGateway gateway = new HttpGateway(io, new AllowedHosts(Set.of(allowedAddress())), 1 << 20);
        assertThatThrownBy(() -> get(gateway, "/big")).isInstanceOf(HostError.class)
                .hasMessageContaining("larger than 1048576 bytes").hasMessageContaining("--max-http-response");
        HttpGateway roomy = new HttpGateway(io, new AllowedHosts(Set.of(allowedAddress())), 8 << 20);
        assertThat((byte[]) get(roomy, "/big").get("body")).hasSize(64 * 64 * 1024);
    }

    @Test
    void allowedEntriesAreCheckedAndNormalised() {
        assertThat(AllowedHosts.entry("Example.COM")).isEqualTo("example.com");
        assertThat(AllowedHosts.entry("127.0.0.1:8000")).isEqualTo("127.0.0.1:8000");
        assertThat(AllowedHosts.entry("::1")).isEqualTo("[::1]");
        assertThat(AllowedHosts.entry("[::1]:80")).isEqualTo("[::1]:80");
        assertThatThrownBy(() -> AllowedHosts.entry("host:99999")).hasMessageContaining("port must be a number from 1 to 65535");
        assertThatThrownBy(() -> AllowedHosts.entry("http://host/")).hasMessageContaining("allowed host 'http://host/'");
        assertThatThrownBy(() -> AllowedHosts.entry("a/b")).hasMessageContaining("is not a host name");
        assertThatThrownBy(() -> PerformanceConfig.builder().allowedHosts(Set.of("a b")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a b'");
    }
}
