package io.covet.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.covet.runtime.AppTarget;
import java.net.http.HttpResponse;
import java.nio.file.Files;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's Flask 2.2 (python3-flask, installed by the test set-up) served unchanged by the real
 * server under the default sandbox with 2 interpreters, the app named as gunicorn users name it
 * ({@code flask_app:app}, a module on the python path): routes, JSON in and out, errors, hooks,
 * streaming both ways, cookies.
 */
class FlaskAppTest {

    static ServedApp app;
    /** Where the test leaves the files streaming routes wait for (readable by the app: on its python path). */
    @TempDir
    static Path flags;

    @BeforeAll
    static void start() {
        app = ServedApp.start(AppTarget.parse("flask_app:app", AppTarget.Kind.AUTO), Duration.ofSeconds(10),
                WebServerTest.APPS, ServedApp.DEBIAN_PACKAGES, flags);
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    private static HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        return app.send(method, path, body, headers);
    }

    @Test
    void routesAnswerWithTheirValuesAndHooksRunAroundThem() throws Exception {
        HttpResponse<String> index = send("GET", "/", null);
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.body()).isEqualTo("hello from flask");
        assertThat(index.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(index.headers().firstValue("X-Requests-Here")).as("before_request counted it, after_request said so")
                .hasValueSatisfying(n -> assertThat(Integer.parseInt(n)).isPositive());
        JsonNode item = app.json("/items/7?q=caf%C3%A9&tag=a&tag=b");
        assertThat(item.toString()).isEqualTo("{\"item\":7,\"q\":\"café\",\"tags\":[\"a\",\"b\"]}");
    }

    @Test
    void jsonGoesInAndComesOut() throws Exception {
        HttpResponse<String> created = send("POST", "/items", "{\"name\": \"pen\", \"price\": 2.5}", "Content-Type", "application/json");
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode body = ServedApp.jsonOf(created);
        assertThat(body.get("created").toString()).isEqualTo("{\"name\":\"pen\",\"price\":2.5}");
        assertThat(body.get("remote").asText()).isEqualTo("127.0.0.1");
        assertThat(body.get("host").asText()).isEqualTo("127.0.0.1:" + app.port());
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
        assertThat(ServedApp.jsonOf(cookies).get("received").toString()).isEqualTo("{\"a\":\"1\",\"b\":\"2\"}");
        assertThat(cookies.headers().allValues("Set-Cookie")).containsExactly("session=abc; HttpOnly; Path=/", "theme=dark; Path=/");
    }

    @Test
    void serverSentEventsStreamWithTheRequestsContext() throws Exception {
        Path flag = flags.resolve("flask-events");
        try (ServedApp.Exchange x = app.open("GET /events?who=ann&flag=" + flag + " HTTP/1.1\r\nHost: t", new byte[0])) {
            assertThat(x.head()).startsWith("HTTP/1.1 200").containsIgnoringCase("transfer-encoding: chunked")
                    .containsIgnoringCase("x-interpreter:");   // after_request ran before the stream
            assertThat(x.line() + x.line()).isEqualTo("data: first\n\n");
            Files.createFile(flag);
            assertThat(x.line() + x.line()).isEqualTo("data: after the flag, for ann\n\n");
        }
    }

    @Test
    void aLargeUploadIsReadFromRequestStream() throws Exception {
        app.upload("/upload", 4 * 1024 * 1024 + 3);
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
                    interpreters.add(ServedApp.jsonOf(reply.get()).get("interpreter").asText());
                }
            }
        }
        assertThat(interpreters).hasSize(2);
    }
}
