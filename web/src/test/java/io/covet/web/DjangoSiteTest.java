package io.covet.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.covet.runtime.AppTarget;
import io.covet.runtime.PerformanceConfig;
import io.covet.runtime.PerformanceManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * examples/django_site (Debian's Django 3.2, installed by the test set-up) served unchanged by the
 * real server under the default sandbox with 2 interpreters, as its settings say to run it
 * ({@code mysite.wsgi:application}): URL routing, a template, JSON, a form post, Django's 404 and
 * its slash-appending redirect, its middleware's headers. (That requests are spread over the
 * interpreters is the WSGI path's, shown by FlaskAppTest and WsgiAppTest.)
 */
class DjangoSiteTest {

    private static final Path SITE = Path.of("../examples/django_site").toAbsolutePath().normalize();
    private static final Path DEBIAN_PACKAGES = Path.of("/usr/lib/python3/dist-packages");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static PerformanceManager runtime;
    static CovetServer server;
    static String base;

    @BeforeAll
    static void start() {
        runtime = PerformanceManager.start(PerformanceConfig.builder()
                .pythonInterpreters(2).cpuThreads(2).queueLimit(64).pythonPath(List.of(SITE, DEBIAN_PACKAGES)).build());
        server = CovetServer.start(runtime, WebConfig.of(AppTarget.parse("mysite.wsgi:application", AppTarget.Kind.AUTO))
                .withPort(0).withRequestTimeout(Duration.ofSeconds(10)).withAccessLog(false));
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop(Duration.ofSeconds(5));
        }
        if (runtime != null) {
            runtime.shutdown(Duration.ofSeconds(10));
        }
    }

    static HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (headers.length > 0) {
            b.headers(headers);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aTemplateIsRenderedWithWhatTheRequestSaysEscaped() throws Exception {
        HttpResponse<String> home = send("GET", "/?name=%3Cscript%3ECovet", null);
        assertThat(home.statusCode()).isEqualTo(200);
        assertThat(home.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(home.body()).contains("<h1>Hello, &lt;script&gt;Covet!</h1>").contains("<li>templates</li>");
        assertThat(home.headers().firstValue("X-Frame-Options")).as("middleware ran").hasValue("DENY");
    }

    @Test
    void urlsRouteToViewsAndDjangosOwnAnswersComeBack() throws Exception {
        assertThat(JSON.readTree(send("GET", "/items/7/", null).body()).toString()).isEqualTo("{\"item\":7,\"method\":\"GET\"}");
        assertThat(send("GET", "/items/0/", null).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/no/such/page/", null).statusCode()).isEqualTo(404);
        HttpResponse<String> redirect = send("GET", "/items/7", null);
        assertThat(redirect.statusCode()).as("APPEND_SLASH").isEqualTo(301);
        assertThat(redirect.headers().firstValue("Location")).hasValue("/items/7/");
        assertThat(send("GET", "/echo/", null).statusCode()).as("require_POST").isEqualTo(405);
        assertThat(statusLine("GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n")).as("ALLOWED_HOSTS").startsWith("HTTP/1.1 400");
    }

    /** The status line a raw request gets (the JDK's client refuses to send a Host header of its own). */
    private static String statusLine(String request) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            return new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                    java.nio.charset.StandardCharsets.ISO_8859_1)).readLine();
        }
    }

    @Test
    void aFormPostReachesTheView() throws Exception {
        HttpResponse<String> echo = send("POST", "/echo/", "greeting=hi+there&lang=en", "Content-Type", "application/x-www-form-urlencoded");
        assertThat(echo.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(echo.body()).toString())
                .isEqualTo("{\"form\":{\"greeting\":\"hi there\",\"lang\":\"en\"},\"content_type\":\"application/x-www-form-urlencoded\"}");
    }
}
