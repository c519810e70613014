package io.covet.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Debian's Flask 2.2 (python3-flask, installed by the test set-up) served unchanged by the real
 * server under the default sandbox with 2 interpreters, the app named as gunicorn users name it
 * ({@code flask_app:app}, a module on the python path): routes, JSON in and out, errors, hooks,
 * streaming, cookies.
 */
class FlaskAppTest {

    private static final Path DEBIAN_PACKAGES = Path.of("/usr/lib/python3/dist-packages");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static PerformanceManager runtime;
    static CovetServer server;
    static String base;

    @BeforeAll
    static void start() {
        runtime = PerformanceManager.start(PerformanceConfig.builder()
                .pythonInterpreters(2).cpuThreads(2).queueLimit(64)
                .pythonPath(List.of(WebServerTest.APPS, DEBIAN_PACKAGES)).build());
        WebConfig config = WebConfig.of(AppTarget.parse("flask_app:app", AppTarget.Kind.AUTO)).withPort(0)
                .withRequestTimeout(Duration.ofSeconds(10)).withAccessLog(false);
        server = CovetServer.start(runtime, config);
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
    void routesAnswerWithTheirValuesAndHooksRunAroundThem() throws Exception {
        HttpResponse<String> index = send("GET", "/", null);
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.body()).isEqualTo("hello from flask");
        assertThat(index.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(index.headers().firstValue("X-Requests-Here")).as("before_request counted it, after_request said so")
                .hasValueSatisfying(n -> assertThat(Integer.parseInt(n)).isPositive());
        JsonNode item = JSON.readTree(send("GET", "/items/7?q=caf%C3%A9&tag=a&tag=b", null).body());
        assertThat(item.toString()).isEqualTo("{\"item\":7,\"q\":\"café\",\"tags\":[\"a\",\"b\"]}");
    }

    @Test
    void jsonGoesInAndComesOut() throws Exception {
        HttpResponse<String> created = send("POST", "/items", "{\"name\": \"pen\", \"price\": 2.5}", "Content-Type", "application/json");
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode body = JSON.readTree(created.body());
        assertThat(body.get("created").toString()).isEqualTo("{\"name\":\"pen\",\"price\":2.5}");
        assertThat(body.get("remote").asText()).isEqualTo("127.0.0.1");
        assertThat(body.get("host").asText()).isEqualTo("127.0.0.1:" + server.port());
        HttpResponse<String> invalid = send("POST", "/items", "[1]", "Content-Type", "application/json");
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(invalid.body()).contains("an item needs a name");
    }

    @Test
    void errorsAreFlasksOwn() throws Exception {
        assertThat(send("GET", "/items/0", null).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/no/such/route", null).statusCode()).isEqualTo(404);
        assertThat(send("DELETE", "/items/3", null).statusCode()).as("Flask's 405").isEqualTo(405);
        HttpResponse<String> boom = send("GET", "/boom", null);
        assertThat(boom.statusCode()).isEqualTo(500);
        assertThat(boom.body()).contains("Internal Server Error").doesNotContain("secret detail");
        HttpResponse<String> teapot = send("GET", "/teapot", null);
        assertThat(teapot.statusCode()).isEqualTo(418);
        assertThat(teapot.body()).contains("teapot");
    }

    @Test
    void aStreamedBodyAndCookiesArriveWhole() throws Exception {
        assertThat(send("GET", "/stream", null).body()).isEqualTo("line 0\nline 1\nline 2\n");
        HttpResponse<String> cookies = send("GET", "/cookies", null, "Cookie", "a=1; b=2");
        assertThat(JSON.readTree(cookies.body()).get("received").toString()).isEqualTo("{\"a\":\"1\",\"b\":\"2\"}");
        assertThat(cookies.headers().allValues("Set-Cookie")).containsExactly("session=abc; HttpOnly; Path=/", "theme=dark; Path=/");
    }

    @Test
    void bothInterpretersServeTheApp() throws Exception {
        Set<String> interpreters = new TreeSet<>();
        try (ExecutorService clients = Executors.newFixedThreadPool(6)) {
            for (int round = 0; round < 5 && interpreters.size() < 2; round++) {
                List<Future<HttpResponse<String>>> replies = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    replies.add(clients.submit(() -> send("GET", "/slow", null)));
                }
                for (Future<HttpResponse<String>> reply : replies) {
                    interpreters.add(JSON.readTree(reply.get().body()).get("interpreter").asText());
                }
            }
        }
        assertThat(interpreters).hasSize(2);
    }
}
