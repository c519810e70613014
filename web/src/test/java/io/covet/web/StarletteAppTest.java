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
 * Debian's Starlette 0.26 (an ASGI 3 app, starlette_app.py) served unchanged by the real server
 * under the default sandbox (no threads) with 2 interpreters: lifespan once per interpreter,
 * async and plain-def endpoints, JSON, a streamed body, a background task after the response,
 * errors, and awaits that overlap on each interpreter's event loop.
 */
class StarletteAppTest {

    static ServedApp app;
    /** Where the test leaves the files streaming routes wait for (readable by the app: on its python path). */
    @TempDir
    static Path flags;

    @BeforeAll
    static void start() {
        app = ServedApp.start(AppTarget.parse("starlette_app:app", AppTarget.Kind.AUTO), Duration.ofSeconds(20),
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

    private static JsonNode json(String path) throws Exception {
        return app.json(path);
    }

    @Test
    void theLifespanStartedOnceInTheInterpreterThatAnswers() throws Exception {
        JsonNode index = json("/");
        assertThat(index.get("greeting").asText()).isEqualTo("hello from the lifespan");
        assertThat(index.get("startups_here").asInt()).isEqualTo(1);
    }

    @Test
    void endpointsAsyncAndPlainAnswerWithJson() throws Exception {
        HttpResponse<String> created = send("POST", "/items", "{\"name\": \"pen\"}", "Content-Type", "application/json");
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(ServedApp.jsonOf(created).toString()).isEqualTo("{\"created\":{\"name\":\"pen\"},\"client\":\"127.0.0.1\"}");
        HttpResponse<String> invalid = send("POST", "/items", "{}", "Content-Type", "application/json");
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(invalid.body()).contains("an item needs a name");
        assertThat(json("/items/7?q=caf%C3%A9").toString()).as("a plain def endpoint, without threads")
                .isEqualTo("{\"item\":7,\"q\":\"café\"}");
        assertThat(send("GET", "/items/x", null).statusCode()).isEqualTo(404);
        assertThat(send("DELETE", "/items/7", null).statusCode()).isEqualTo(405);
    }

    @Test
    void aStreamedBodyArrivesAndABackgroundTaskRunsAfterTheResponse() throws Exception {
        assertThat(send("GET", "/stream", null).body()).isEqualTo("line 0\nline 1\nline 2\n");
        HttpResponse<String> later = send("GET", "/later?tag=t1", null);
        assertThat(later.body()).isEqualTo("answered first");
        boolean ran = false;
        for (int i = 0; i < 40 && !ran; i++) {   // the interpreter that answered /later has it
            ran = json("/background").get("done").toString().contains("t1");
        }
        assertThat(ran).as("the background task ran").isTrue();
    }

    @Test
    void aStreamingResponsesEventsReachTheClientAsTheyAreSent() throws Exception {
        Path flag = flags.resolve("starlette-events");
        try (ServedApp.Exchange x = app.open("GET /events?flag=" + flag + " HTTP/1.1\r\nHost: t", new byte[0])) {
            assertThat(x.head()).startsWith("HTTP/1.1 200").containsIgnoringCase("content-type: text/event-stream")
                    .containsIgnoringCase("transfer-encoding: chunked");
            assertThat(x.line() + x.line()).isEqualTo("data: first\n\n");
            Files.createFile(flag);   // the app sends its next event only now
            assertThat(x.line() + x.line()).isEqualTo("data: after the flag\n\n");
            assertThat(x.read()).isEqualTo(-1);
        }
    }

    @Test
    void aLargeUploadArrivesInPartsAsTheAppReadsTheStream() throws Exception {
        assertThat(app.upload("/upload", 3 * 1024 * 1024 + 5)).allSatisfy(answer ->
                assertThat(answer.get("parts").asInt()).as("more_body parts").isGreaterThan(1));
    }

    @Test
    void sendRaisesAnOSErrorOnceTheClientHasGone() throws Exception {
        try (ServedApp.Exchange x = app.open("GET /endless?t1 HTTP/1.1\r\nHost: t", new byte[0])) {
            assertThat(x.read(2 << 20)).hasSize(2 << 20);
        }
        io.covet.testing.Eventually.eventually(Duration.ofSeconds(20), "the app's send raised once the client went",
                () -> seenHere("/gone", "t1"));
    }

    @Test
    void anAppThatStreamsFasterThanItsClientReadsWaitsForIt() throws Exception {
        try (ServedApp.Exchange x = app.open("GET /flood?tag=f1 HTTP/1.1\r\nHost: t", new byte[0])) {
            assertThat(x.head()).startsWith("HTTP/1.1 200");
            // The client reads nothing: the app must stop well short of its 64 MB and wait.
            long[] last = {-1};
            io.covet.testing.Eventually.eventually(Duration.ofSeconds(20), "the app stopped sending", () -> {
                long now = flooded("f1");
                boolean still = now > 0 && now == last[0];
                last[0] = now;
                return still;
            });
            assertThat(last[0]).as("bytes the app got ahead of its client (256 KB held, the rest in socket buffers)")
                    .isLessThan(16L << 20);
            byte[] all = x.read(Integer.MAX_VALUE);
            assertThat(all).hasSize(64 << 20);
            for (int i = 0; i < 1024; i++) {
                assertThat(all[i * 65536]).as("part %d in order", i).isEqualTo((byte) (i % 251));
            }
        }
    }

    /** Whether an interpreter's {@code path} lists {@code tag} (asking until the one that served it answers). */
    private static boolean seenHere(String path, String tag) {
        try {
            return json(path).toString().contains(tag);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** What /flooded says /flood?tag= has sent, on whichever interpreter knows it (-1 until one answers). */
    private static long flooded(String tag) {
        try {
            for (int i = 0; i < 10; i++) {
                JsonNode n = json("/flooded").get(tag);
                if (n != null) {
                    return n.asLong();
                }
            }
            return -1;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anEndpointThatRaisesIsA500ThatTellsTheClientNothing() throws Exception {
        HttpResponse<String> boom = send("GET", "/boom", null);
        assertThat(boom.statusCode()).isEqualTo(500);
        assertThat(boom.body()).doesNotContain("secret detail").doesNotContain("Traceback");
        assertThat(json("/").get("greeting").asText()).as("and the server goes on").isEqualTo("hello from the lifespan");
    }

    @Test
    void awaitsOverlapOnEachInterpretersLoopAndBothInterpretersServe() throws Exception {
        Set<String> interpreters = new TreeSet<>();
        int mostInFlight = 0;
        try (ExecutorService clients = Executors.newFixedThreadPool(16)) {
            List<Future<HttpResponse<String>>> replies = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                replies.add(clients.submit(() -> send("GET", "/sleep?s=1", null)));
            }
            for (Future<HttpResponse<String>> reply : replies) {
                JsonNode answer = ServedApp.jsonOf(reply.get());
                interpreters.add(answer.get("interpreter").asText());
                mostInFlight = Math.max(mostInFlight, answer.get("most_in_flight_here").asInt());
            }
        }
        assertThat(interpreters).hasSize(2);
        assertThat(mostInFlight).as("requests awaiting at once in one interpreter").isGreaterThan(1);
    }
}
