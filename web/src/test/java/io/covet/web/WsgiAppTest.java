package io.covet.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.covet.runtime.AppTarget;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plain WSGI application (PEP 3333, wsgi_app.py) served by the real server with 2 interpreters:
 * the environ it is given, every way it may answer (start_response, write(), generators, close(),
 * repeated headers, exc_info), and every way it may fail, which is a 500 that tells the client
 * nothing of it.
 */
class WsgiAppTest {

    private static final List<String> LOG = new CopyOnWriteArrayList<>();
    private static final Logger SERVER_LOG = Logger.getLogger("io.covet.web");
    private static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord record) {
            LOG.add(record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    static ServedApp app;
    /** Where the test leaves the files streaming routes wait for (readable by the app: on its python path). */
    @TempDir
    static Path flags;

    @BeforeAll
    static void start() {
        SERVER_LOG.addHandler(CAPTURE);
        app = ServedApp.start(AppTarget.file(WebServerTest.APPS.resolve("wsgi_app.py")), Duration.ofSeconds(10),
                WebServerTest.APPS, flags);
    }

    @AfterAll
    static void stop() {
        SERVER_LOG.removeHandler(CAPTURE);
        if (app != null) {
            app.close();
        }
    }

    private static HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        return app.send(method, path, body, headers);
    }

    @Test
    void theEnvironHoldsWhatPep3333Says() throws Exception {
        HttpResponse<String> r = send("POST", "/environ/caf%C3%A9?a=1&b=%20", "hello", "Content-Type", "text/plain",
                "X-Custom", "one", "Cookie", "x=1", "Accept", "text/html", "Accept", "application/json");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode env = ServedApp.jsonOf(r);
        assertThat(env.get("REQUEST_METHOD").asText()).isEqualTo("POST");
        assertThat(env.get("SCRIPT_NAME").asText()).isEmpty();
        assertThat(env.get("PATH_INFO").asText()).as("decoded, its bytes as latin-1").isEqualTo("/environ/caf\u00c3\u00a9");
        assertThat(env.get("QUERY_STRING").asText()).as("as sent").isEqualTo("a=1&b=%20");
        assertThat(env.get("RAW_URI").asText()).isEqualTo("/environ/caf%C3%A9?a=1&b=%20");
        assertThat(env.get("CONTENT_TYPE").asText()).isEqualTo("text/plain");
        assertThat(env.get("CONTENT_LENGTH").asText()).isEqualTo("5");
        assertThat(env.get("body").asText()).isEqualTo("hello");
        assertThat(env.get("SERVER_NAME").asText()).isEqualTo("127.0.0.1");
        assertThat(env.get("SERVER_PORT").asText()).isEqualTo(String.valueOf(app.port()));
        assertThat(env.get("SERVER_PROTOCOL").asText()).isEqualTo("HTTP/1.1");
        assertThat(env.get("REMOTE_ADDR").asText()).isEqualTo("127.0.0.1");
        assertThat(env.get("remote_port_is_a_number").asBoolean()).isTrue();
        assertThat(env.get("wsgi.url_scheme").asText()).isEqualTo("http");
        assertThat(env.get("wsgi.version").toString()).isEqualTo("[1,0]");
        assertThat(env.get("wsgi.multithread").asBoolean()).isFalse();
        assertThat(env.get("wsgi.multiprocess").asBoolean()).isTrue();
        assertThat(env.get("wsgi.run_once").asBoolean()).isFalse();
        JsonNode headers = env.get("headers");
        assertThat(headers.get("HTTP_X_CUSTOM").asText()).isEqualTo("one");
        assertThat(headers.get("HTTP_COOKIE").asText()).isEqualTo("x=1");
        assertThat(headers.get("HTTP_ACCEPT").asText()).as("repeated headers joined").contains("text/html").contains("application/json");
        assertThat(headers.has("HTTP_CONTENT_TYPE")).as("CONTENT_TYPE has no HTTP_ twin").isFalse();
    }

    @Test
    void aHeaderWithAnUnderscoreCannotPassForOneWithADash() throws Exception {
        // X_Forwarded_For would otherwise reach the app as the same HTTP_X_FORWARDED_FOR as X-Forwarded-For.
        String raw = app.raw("GET /environ HTTP/1.1\r\nHost: 127.0.0.1\r\nX_Forwarded_For: 6.6.6.6\r\nConnection: close\r\n\r\n");
        assertThat(raw).startsWith("HTTP/1.1 200");
        assertThat(raw).doesNotContain("6.6.6.6");
    }

    @Test
    void everyWayToAnswerIsSentWhole() throws Exception {
        HttpResponse<String> written = send("GET", "/write", null);
        assertThat(written.statusCode()).isEqualTo(201);
        assertThat(written.body()).as("write() first, then the iterable").isEqualTo("written, then returned");
        assertThat(send("GET", "/generator", null).body()).isEqualTo("ab");
        HttpResponse<String> cookies = send("GET", "/cookies", null);
        assertThat(cookies.headers().allValues("Set-Cookie")).containsExactly("a=1", "b=2");
        HttpResponse<String> errorPage = send("GET", "/error-page", null);
        assertThat(errorPage.statusCode()).as("start_response again with exc_info before any body replaces the status")
                .isEqualTo(503);
        assertThat(errorPage.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(errorPage.body()).isEqualTo("error page");
        HttpResponse<String> missing = send("GET", "/nowhere", null);
        assertThat(missing.statusCode()).as("the app routes every path itself").isEqualTo(404);
        assertThat(missing.body()).isEqualTo("no page /nowhere");
        assertThat(send("DELETE", "/generator", null).body()).as("and every method").isEqualTo("ab");
        assertThat(send("GET", "/file", null).body()).as("wsgi.file_wrapper")
                .isEqualTo(Files.readString(WebServerTest.APPS.resolve("wsgi_app.py")));
        HttpResponse<String> head = send("HEAD", "/head", null);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void aGeneratorsPartsReachTheClientAsTheyAreMade() throws Exception {
        Path flag = flags.resolve("wsgi-gated");
        try (ServedApp.Exchange x = app.open("GET /gated?flag=" + flag + " HTTP/1.1\r\nHost: t", new byte[0])) {
            assertThat(x.head()).startsWith("HTTP/1.1 200").containsIgnoringCase("transfer-encoding: chunked");
            assertThat(x.line()).isEqualTo("first\n");
            Files.createFile(flag);   // the app makes its next part only now
            assertThat(x.line()).isEqualTo("after the flag\n");
            assertThat(x.read()).isEqualTo(-1);
        }
    }

    @Test
    void aLargeRequestBodyIsReadInPartsAsTheAppReadsIt() throws Exception {
        assertThat(app.upload("/upload", 5 * 1024 * 1024 + 17)).allSatisfy(answer ->
                assertThat(answer.get("reads").asInt()).as("wsgi.input read 100 kB at a time").isGreaterThan(50));
    }

    @Test
    void theAppAnswersTheFirstPartOfAnUploadBeforeTheClientSendsTheRest() throws Exception {
        int first = 1 << 20;
        int total = first + (first / 2);
        try (ServedApp.Exchange x = app.open("POST /duplex HTTP/1.1\r\nHost: t\r\nContent-Length: " + total,
                new byte[first + first / 4])) {
            assertThat(x.head()).startsWith("HTTP/1.1 200");
            assertThat(x.line()).isEqualTo("got " + first + "\n");
            x.send(new byte[total - first - first / 4]);   // the rest, only once the first answer is in
            assertThat(x.line()).isEqualTo("then " + (total - first) + "\n");
        }
    }

    @Test
    void anUploadThatStallsWhileTheAppReadsItIsCutAtTheRequestTimeoutAndFreesTheInterpreter() throws Exception {
        long start = System.nanoTime();
        try (ServedApp.Exchange x = app.open("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: " + (3 << 20),
                new byte[3 << 19])) {   // half of it, then nothing: the app waits in wsgi.input.read()
            assertThat(x.rest()).as("no answer but the connection's end (or a 408)")
                    .satisfiesAnyOf(b -> assertThat(b).isEmpty(), b -> assertThat(new String(b, StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 408"));
        } catch (java.net.SocketException reset) {
            // the server closed it: cut off
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("cut at the request timeout (10 s), not later")
                .isLessThan(Duration.ofSeconds(25));
        assertThat(LOG).as("the app's read failed, which is the client's doing: no traceback")
                .noneSatisfy(line -> assertThat(line).contains("/upload"));
        requestsAreSpreadOverBothInterpreters();
    }

    @Test
    void aBodyOverTheLimitIsA413EvenOnceTheAppHasStartedReadingIt() throws Exception {
        HttpResponse<String> r = app.sendBytes("POST", "/upload", new byte[(int) WebConfig.DEFAULT_MAX_BODY + 1], true);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.body()).contains("larger than the limit");
        assertThat(LOG).as("a client's doing: no traceback of the app's failed read").noneSatisfy(line -> assertThat(line).contains("/upload"));
    }

    @Test
    void aClientThatGoesMidStreamEndsTheAppsIterableAndItsCloseRuns() throws Exception {
        try (ServedApp.Exchange x = app.open("GET /endless HTTP/1.1\r\nHost: t", new byte[0])) {
            assertThat(x.read(3 << 20)).hasSize(3 << 20);
        }
        io.covet.testing.Eventually.eventually(Duration.ofSeconds(20), "close() ran in the interpreter that streamed",
                () -> closedHere().contains("/endless"));
        assertThat(send("GET", "/generator", null).body()).as("and the server goes on").isEqualTo("ab");
    }

    @Test
    void aHeadAnswerCarriesTheLengthAndNoBodySoTheNextResponseOnTheConnectionIsIntact() throws Exception {
        try (ServedApp.Exchange x = app.open("HEAD /head HTTP/1.1\r\nHost: t\r\n\r\nGET /head HTTP/1.1\r\nHost: t\r\nConnection: close",
                new byte[0])) {
            assertThat(x.head()).startsWith("HTTP/1.1 200").containsIgnoringCase("content-length: 12");
            String next = new String(x.rest(), StandardCharsets.ISO_8859_1);
            assertThat(next).as("what follows the HEAD's head is the GET's response").startsWith("HTTP/1.1 200").endsWith("twelve bytes");
        }
    }

    /** What /closed says of the interpreter that answers it. */
    private static String closedHere() {
        try {
            return app.json("/closed").get("closed").toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theBodysCloseIsCalledInTheInterpreterThatServedIt() throws Exception {
        HttpResponse<String> r = send("GET", "/closing", null);
        assertThat(r.body()).isEqualTo("closing body");
        // Ask every interpreter until one has seen it: it is the one that served /closing.
        boolean seen = false;
        for (int i = 0; i < 20 && !seen; i++) {
            seen = app.json("/closed").get("closed").toString().contains("/closing");
        }
        assertThat(seen).as("close() ran").isTrue();
    }

    @Test
    void anAppThatFailsIsA500ThatTellsTheClientNothingAndTheLogEverything() throws Exception {
        for (String path : new String[] {"/raises", "/not-bytes", "/never-started", "/injected-header"}) {
            HttpResponse<String> r = send("GET", path, null);
            assertThat(r.statusCode()).as(path).isEqualTo(500);
            assertThat(r.body()).as(path).doesNotContain("secret").doesNotContain("Traceback").doesNotContain("Injected");
            assertThat(r.headers().firstValue("Injected")).as(path).isEmpty();
        }
        assertThat(LOG).anySatisfy(line -> assertThat(line).contains("RuntimeError: secret detail"));
        assertThat(LOG).anySatisfy(line -> assertThat(line).contains("yielded a str, not bytes"));
        assertThat(LOG).anySatisfy(line -> assertThat(line).contains("without calling start_response()"));
        assertThat(send("GET", "/generator", null).body()).as("and the server goes on").isEqualTo("ab");
    }

    @Test
    void requestsAreSpreadOverBothInterpreters() throws Exception {
        Set<String> interpreters = new TreeSet<>();
        try (ExecutorService clients = Executors.newFixedThreadPool(6)) {
            for (int round = 0; round < 5 && interpreters.size() < 2; round++) {
                List<Future<HttpResponse<String>>> replies = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    replies.add(clients.submit(() -> send("GET", "/sleep", null)));
                }
                for (Future<HttpResponse<String>> reply : replies) {
                    interpreters.add(ServedApp.jsonOf(reply.get()).get("interpreter").asText());
                }
            }
        }
        assertThat(interpreters).hasSize(2);
    }
}
