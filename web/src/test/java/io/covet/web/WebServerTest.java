package io.covet.web;

import static io.covet.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.covet.runtime.Lane;
import io.covet.runtime.PerformanceConfig;
import io.covet.runtime.PerformanceManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real server on a free loopback port, talked to over HTTP: routes, binding, every error, hooks, load. */
class WebServerTest {

    static final Path APPS = Path.of("src/test/python").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static PerformanceManager runtime;
    static CovetServer server;
    static String base;

    @BeforeAll
    static void start() {
        runtime = PerformanceManager.start(PerformanceConfig.builder()
                .pythonInterpreters(2).cpuThreads(2).queueLimit(64)
                .pythonPath(List.of(APPS))
                .build());
        server = CovetServer.start(runtime, WebConfig.of(APPS.resolve("web_app.py")).withPort(0)
                .withRequestTimeout(Duration.ofSeconds(4)).withMaxBody(64 * 1024).withAccessLog(false));
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

    record Reply(int status, String body, HttpResponse<byte[]> raw) {
        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }

        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    static Reply send(String method, String path, String body, String contentType) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<byte[]> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Reply(r.statusCode(), new String(r.body(), StandardCharsets.UTF_8), r);
    }

    static Reply get(String path) throws Exception {
        return send("GET", path, null, null);
    }

    static Reply post(String path, String json) throws Exception {
        return send("POST", path, json, "application/json");
    }

    @Test
    void pathQueryAndBodyParametersAreBoundByNameAndConvertedByTheirTypeHints() throws Exception {
        assertThat(get("/items/42?q=hello%20world&flag=true").json().toString())
                .isEqualTo("{\"item_id\":42,\"q\":\"hello world\",\"flag\":true}");
        assertThat(get("/items/7").json().toString()).isEqualTo("{\"item_id\":7,\"q\":null,\"flag\":false}");
        assertThat(get("/items/special").json().toString()).as("a literal segment beats a parameter").isEqualTo("{\"special\":true}");
        assertThat(get("/users/ada%20l/posts/3").json().toString()).isEqualTo("[\"ada l\",3]");
        assertThat(post("/sum", "[1, 2.5, 3]").json().toString()).as("a List[float] takes the whole JSON body")
                .isEqualTo("{\"sum\":6.5,\"count\":3}");
        assertThat(post("/sum", "[" + "0.5,".repeat(9999) + "0.5]").json().toString()).as("a large numeric body")
                .isEqualTo("{\"sum\":5000.0,\"count\":10000}");
        assertThat(post("/sum", "{\"data\": [4, 5]}").json().toString()).as("or the field of its name")
                .isEqualTo("{\"sum\":9.0,\"count\":2}");
        assertThat(post("/array-sum", "[1, 2.5, 3]").json().toString()).as("a covet.Array takes the body parsed in Java")
                .isEqualTo("{\"type\":\"Array\",\"dtype\":\"float64\",\"shape\":[3],\"sum\":6.5,\"doubled_max\":6.0}");
        assertThat(post("/array-body", "[1, 2.5]").json().toString()).as("the body is still the request's bytes")
                .isEqualTo("{\"count\":2,\"type\":\"bytes\",\"body\":\"[1, 2.5]\",\"json\":[1,2.5]}");
        assertThat(post("/array-sum", "{\"data\": [4, 5]}").json().toString()).as("or the field of its name, as float64 too")
                .isEqualTo("{\"type\":\"Array\",\"dtype\":\"float64\",\"shape\":[2],\"sum\":9.0,\"doubled_max\":10.0}");
        assertThat(post("/array-sum", "{\"data\": [4, \"x\"]}").json().get("message").asText())
                .isEqualTo("parameter 'data' (body): expected a list of numbers: covet.Array holds numbers, got an element of type str");
        assertThat(send("PUT", "/items/3", "{\"name\": \"pen\", \"price\": 2}", "application/json").json().toString())
                .isEqualTo("{\"item_id\":3,\"name\":\"pen\",\"price\":2.0}");
        assertThat(send("PATCH", "/items/3", "{\"colour\": \"red\"}", "application/json").json().toString())
                .as("a dict parameter takes the whole object").isEqualTo("{\"item_id\":3,\"changes\":{\"colour\":\"red\"}}");
        assertThat(post("/scores?weight=0.5", "{\"scores\": {\"a\": 2, \"b\": 4}}").json().toString())
                .isEqualTo("{\"total\":3.0}");
        assertThat(get("/tags?tag=a&tag=b").json().toString()).as("a list from repeated query keys")
                .isEqualTo("{\"tags\":[\"a\",\"b\"]}");
        assertThat(post("/scores", "{\"a\": 2, \"b\": 4}").json().toString()).as("a dict parameter takes an object no field matched")
                .isEqualTo("{\"total\":6.0}");
        assertThat(get("/union?page=2&tags=x&tags=y").json().toString()).as("X | None hints convert too")
                .isEqualTo("{\"page\":2,\"tags\":[\"x\",\"y\"]}");
        assertThat(get("/items/1?q=first&q=second").json().get("q").asText()).as("the first of repeated values, as request.query")
                .isEqualTo("first");
        assertThat(get("/files/a%20b").json().toString()).as("**kwargs gets the path parameters").isEqualTo("{\"name\":\"a b\"}");
    }

    @Test
    void aParameterNamedRequestReceivesMethodPathHeadersQueryAndBody() throws Exception {
        JsonNode r = send("POST", "/raw?x=1&y=two", "{\"k\": [1, 2]}", "application/json; charset=utf-8").json();
        assertThat(r.toString()).isEqualTo("{\"method\":\"POST\",\"path\":\"/raw\",\"type\":\"application/json; charset=utf-8\","
                + "\"length\":13,\"query\":{\"x\":\"1\",\"y\":\"two\"},\"json\":{\"k\":[1,2]}}");
    }

    @Test
    void syncAndAsyncHandlersAnswerWithEveryReturnType() throws Exception {
        assertThat(get("/async?ms=20").json().toString()).isEqualTo("{\"slept_ms\":20}");
        assertThat(get("/in-task").json().toString()).as("a coroutine handler runs as an asyncio Task").isEqualTo("{\"task\":true}");
        Reply text = get("/text");
        assertThat(text.status()).isEqualTo(200);
        assertThat(text.body()).isEqualTo("plain text ✓");
        assertThat(text.header("content-type")).isEqualTo("text/plain; charset=utf-8");
        Reply bytes = get("/bytes");
        assertThat(bytes.raw().body()).containsExactly(0, 1, 2);
        assertThat(bytes.header("content-type")).isEqualTo("application/octet-stream");
        Reply none = send("DELETE", "/items/1", null, null);
        assertThat(none.status()).isEqualTo(204);
        assertThat(none.body()).isEmpty();
        Reply custom = get("/custom");
        assertThat(custom.status()).isEqualTo(201);
        assertThat(custom.body()).isEqualTo("made");
        assertThat(custom.header("x-covet")).isEqualTo("yes");
        assertThat(custom.header("content-type")).isEqualTo("text/x-custom");
        assertThat(get("/png").header("content-type")).as("a Content-Type given as a header").isEqualTo("image/png");
        Reply teapot = get("/teapot");
        assertThat(teapot.status()).isEqualTo(418);
        assertThat(teapot.header("x-pot")).isEqualTo("1");
        assertThat(teapot.json().get("message").asText()).isEqualTo("short and stout");
    }

    @Test
    void anUnknownPathIs404AndAWrongMethodIs405WithAllow() throws Exception {
        Reply missing = get("/nowhere");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.header("content-type")).isEqualTo("application/json");
        assertThat(missing.json().get("message").asText()).isEqualTo("no route for GET /nowhere");
        Reply wrong = post("/items/3", "{}");
        assertThat(wrong.status()).isEqualTo(405);
        assertThat(wrong.header("allow")).isEqualTo("DELETE, GET, HEAD, PATCH, PUT");
        assertThat(wrong.json().get("message").asText()).startsWith("method POST is not allowed for /items/3");
        Reply head = send("HEAD", "/items/3", null, null);
        assertThat(head.status()).as("HEAD is served by the GET route, without a body").isEqualTo(200);
        assertThat(head.body()).isEmpty();
        Reply options = send("OPTIONS", "/items/3", null, null);
        assertThat(options.status()).isEqualTo(204);
        assertThat(options.header("allow")).isEqualTo("DELETE, GET, HEAD, PATCH, PUT");
    }

    @Test
    void malformedJsonAndMissingOrIllTypedParametersAre400sThatNameTheProblem() throws Exception {
        Reply malformed = post("/sum", "[1, 2,");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().get("message").asText()).startsWith("malformed JSON body: ");
        Reply missing = post("/sum", "");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().get("message").asText())
                .isEqualTo("missing parameter 'data' (expected in the query string or the JSON body)");
        Reply notInt = get("/items/abc");
        assertThat(notInt.status()).isEqualTo(400);
        assertThat(notInt.json().get("message").asText()).isEqualTo("parameter 'item_id' (path): expected an integer, got 'abc'");
        Reply badItem = post("/sum", "[1, \"two\"]");
        assertThat(badItem.json().get("message").asText()).isEqualTo("parameter 'data' (body): item 1: expected a finite number, got 'two'");
        Reply badBool = get("/items/1?flag=maybe");
        assertThat(badBool.json().get("message").asText()).isEqualTo("parameter 'flag' (query): expected true or false, got 'maybe'");
        assertThat(get("/scale?x=inf").json().get("message").asText()).isEqualTo("parameter 'x' (query): expected a finite number, got 'inf'");
        assertThat(post("/sum", "[1, NaN]").json().get("message").asText()).isEqualTo("malformed JSON body: NaN is not valid JSON");
        Reply badField = post("/scores", "{\"scores\": {\"a\": 1.5}}");
        assertThat(badField.json().get("message").asText()).isEqualTo("parameter 'scores' (body): field 'a': expected an integer, got 1.5");
        assertThat(get("/items/1").status()).as("the interpreters still serve").isEqualTo(200);
    }

    @Test
    void headAnswersAndHeadErrorsCarryNoBodySoTheNextResponseOnTheConnectionIsIntact() throws Exception {
        String pipelined = "HEAD /items/3 HTTP/1.1\r\nHost: t\r\n\r\n"      // a GET route's answer
                + "HEAD /nowhere HTTP/1.1\r\nHost: t\r\n\r\n"                  // the server's JSON 404
                + "HEAD /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
                + "GET /items/3 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
        String last = "{\"item_id\":3,\"q\":null,\"flag\":false}";
        StringBuilder read = new StringBuilder();
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(pipelined.getBytes(StandardCharsets.ISO_8859_1));
            // Up to the last answer's body (Helidon may keep the socket open after "Connection: close").
            java.io.InputStream in = s.getInputStream();
            for (int c; !read.toString().endsWith(last) && (c = in.read()) >= 0; ) {
                read.append((char) c);
            }
        }
        String all = read.toString();
        String[] heads = all.split("(?=HTTP/1\\.1 )");
        assertThat(heads).hasSize(4);
        assertThat(heads[0]).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n").doesNotContain("{");
        assertThat(heads[0]).containsIgnoringCase("content-length: " + get("/items/3").body().length());
        assertThat(heads[1]).startsWith("HTTP/1.1 404").endsWith("\r\n\r\n").doesNotContain("{");
        assertThat(heads[2]).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n").doesNotContain("{");
        assertThat(heads[3]).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n" + last);
    }

    @Test
    void aBodyOverTheLimitIs413() throws Exception {
        Reply big = post("/sum", "[" + "1,".repeat(40_000) + "1]");
        assertThat(big.status()).isEqualTo(413);
        assertThat(big.json().get("message").asText()).isEqualTo("the request body is larger than the limit of 65536 bytes");
        // Without a Content-Length (chunked), the limit holds while reading.
        byte[] chunked = ("[" + "1,".repeat(40_000) + "1]").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/sum"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(chunked))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(post("/sum", "[1]").status()).isEqualTo(200);
    }

    @Test
    void aHandlerExceptionIs500WithoutItsTracebackAndThePoolStaysFull() throws Exception {
        Reply boom = get("/boom");
        assertThat(boom.status()).isEqualTo(500);
        assertThat(boom.json().get("message").asText()).isEqualTo("the handler raised ValueError; see the server log");
        assertThat(boom.body()).doesNotContain("Traceback").doesNotContain("kaput");
        Reply nan = get("/nan");
        assertThat(nan.status()).as("a value JSON can't encode").isEqualTo(500);
        assertThat(runtime.interpreters().metrics().ready()).isEqualTo(2);
        assertThat(get("/items/5").status()).isEqualTo(200);
    }

    @Test
    void aHandlerPastTheRequestTimeoutIs504AndItsInterpreterIsReplaced() throws Exception {
        long recycled = runtime.interpreters().metrics().recycled();
        Reply spin = get("/spin");
        assertThat(spin.status()).isEqualTo(504);
        assertThat(spin.json().get("message").asText())
                .isEqualTo("the handler ran past the request timeout of 4 s; it was stopped");
        assertThat(get("/items/5").status()).as("the other interpreter serves meanwhile").isEqualTo(200);
        awaitReady(2);
        assertThat(runtime.interpreters().metrics().recycled()).isEqualTo(recycled + 1);
        // The replacement loaded the app and ran its startup hooks before serving.
        for (int i = 0; i < 4; i++) {
            assertThat(get("/state").json().get("started").asBoolean()).isTrue();
        }
    }

    @Test
    void aFullLaneQueueIs503WithRetryAfter() throws Exception {
        runtime.scheduler().setQueueLimit(0);
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Reply>> busy = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                busy.add(clients.submit(() -> get("/sleep?ms=1500")));
            }
            awaitRunning(2);
            Reply rejected = get("/items/1");
            assertThat(rejected.status()).isEqualTo(503);
            assertThat(rejected.header("retry-after")).isEqualTo("1");
            // Fixed text: the queue's own message (sizes, task names) stays in the server log.
            assertThat(rejected.json().get("message").asText())
                    .isEqualTo("the server is busy (every interpreter busy, the queue full); retry later");
            for (Future<Reply> f : busy) {
                assertThat(f.get().status()).isEqualTo(200);
            }
        } finally {
            runtime.scheduler().setQueueLimit(64);
        }
        assertThat(get("/items/1").status()).isEqualTo(200);
    }

    @Test
    void startupHooksRanInEveryInterpreterAndAppStateIsPerInterpreter() throws Exception {
        Set<Long> interpreters = new HashSet<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int round = 0; round < 10 && interpreters.size() < 2; round++) {
                List<Future<Reply>> replies = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    replies.add(clients.submit(() -> get("/sleep?ms=300")));
                }
                for (Future<Reply> f : replies) {
                    interpreters.add(f.get().json().get("interpreter").asLong());
                }
            }
        }
        assertThat(interpreters).as("two interpreters served").hasSize(2);
        for (int i = 0; i < 6; i++) {
            JsonNode state = get("/state").json();
            assertThat(state.get("started").asBoolean()).isTrue();
            assertThat(state.get("async_hook").asBoolean()).isTrue();
            assertThat(state.get("state_interpreter")).as("each interpreter has its own app.state").isEqualTo(state.get("interpreter"));
        }
    }

    @Test
    void healthzAndPrometheusMetricsAreBuiltIn() throws Exception {
        awaitReady(2);
        get("/items/9");
        Reply health = get("/healthz");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asText()).isEqualTo("ok");
        assertThat(health.json().get("interpreters").get("size").asInt()).isEqualTo(2);
        Reply metrics = get("/metrics");
        assertThat(metrics.header("content-type")).startsWith("text/plain");
        assertThat(metrics.body())
                .contains("http_server_requests_seconds_count{method=\"GET\",route=\"/items/{item_id}\",status=\"200\"}")
                .contains("http_server_requests_seconds_bucket{")
                .contains("covet_lane_queued{lane=\"python\"}")
                .contains("covet_interpreters_ready 2.0")
                .contains("jvm_memory_used_bytes{area=\"heap\"");
    }

    @Test
    void manyConcurrentClientsAllGetTheirOwnAnswers() throws Exception {
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int c = 0; c < 16; c++) {
                int client = c;
                results.add(clients.submit(() -> {
                    for (int i = 0; i < 20; i++) {
                        int id = client * 1000 + i;
                        Reply r = i % 2 == 0 ? get("/items/" + id + "?q=c" + client) : post("/sum", "[" + id + ", 1]");
                        String expected = i % 2 == 0 ? "{\"item_id\":" + id + ",\"q\":\"c" + client + "\",\"flag\":false}"
                                : "{\"sum\":" + (id + 1) + ".0,\"count\":2}";
                        if (r.status() != 200 || !r.json().toString().equals(expected)) {
                            throw new AssertionError("client " + client + " request " + i + ": " + r.status() + " " + r.body());
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : results) {
                assertThat(f.get()).isTrue();
            }
        }
        // A request leaves the count after its response is written, so a client may read it first.
        eventually(Duration.ofSeconds(10), "no request in flight", () -> server.inFlight() == 0);
    }

    @Test
    void aPortInUseIsAClearErrorNotAServerThatNeverListens() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            // Helidon logs a listener that fails to bind and returns a server that is not running (port -1).
            assertThatThrownBy(() -> ServedApp.start(io.covet.runtime.AppTarget.file(APPS.resolve("web_app.py")), Duration.ofSeconds(5),
                    web -> web.withPort(taken.getLocalPort()), ServedApp.client(), APPS))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("can't listen on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    @Test
    void anAppThatFailsToLoadIsReportedWithItsPythonError() {
        assertThatThrownBy(() -> CovetServer.start(runtime, WebConfig.of(APPS.resolve("no_such_app.py")).withPort(0)))
                .isInstanceOf(io.covet.runtime.WebApp.LoadException.class).hasMessageContaining("no such file");
        assertThatThrownBy(() -> CovetServer.start(runtime, WebConfig.of(APPS.resolve("web-app.py")).withPort(0)))
                .isInstanceOf(io.covet.runtime.WebApp.LoadException.class);
    }

    static void awaitReady(int n) {
        eventually(Duration.ofSeconds(90), n + " interpreters ready", () -> runtime.interpreterGauges().ready() >= n);
    }

    static void awaitRunning(int n) {
        eventually(Duration.ofSeconds(30), n + " handlers running", () -> runtime.scheduler().metrics(Lane.PYTHON).tasks().running() >= n);
    }
}
