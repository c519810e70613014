package io.covet.runtime;

import static io.covet.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.covet.interpreters.HostError;
import io.covet.interpreters.PyTuple;
import io.covet.tasks.Deadline;
import io.covet.tasks.DeadlineExceededException;
import io.covet.tasks.Task;
import io.covet.tasks.TaskQueue;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The exchange between the server and a handler that streams: what the server is asked to do,
 * in order; flow control; the checks a streamed response gets; and how the handler's task ends it.
 * The server's side is played by the test thread, the handler's by another.
 */
class WebExchangeTest {

    private static final Duration STALL = Duration.ofSeconds(5);
    private final WebExchanges table = new WebExchanges();
    private final TaskQueue<String> queue = new TaskQueue<>("test", 4, 4);
    private final ExecutorService handler = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        handler.shutdownNow();
    }

    private static List<PyTuple> headers(String... nameValues) {
        java.util.ArrayList<PyTuple> out = new java.util.ArrayList<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            out.add(PyTuple.of(nameValues[i], nameValues[i + 1]));
        }
        return out;
    }

    private Task<String> running(Deadline deadline) {
        Task<String> task = queue.submit("handler", deadline, null, "handler()");
        assertThat(queue.poll()).isSameAs(task);
        return task;
    }

    @Test
    void aStreamedResponseIsItsStartItsPartsInOrderAndItsEnd() throws Exception {
        WebExchange x = table.open(false, true, STALL);
        x.send(200, headers("Content-Type", "text/event-stream"), "a".getBytes(), true, true);
        x.send(null, null, "b".getBytes(), true, true);
        x.send(null, null, new byte[0], false, true);
        assertThat(x.next()).isEqualTo(new WebExchange.Start(200, List.of(new WebApp.Header("Content-Type", "text/event-stream")), -1));
        assertThat(((WebExchange.Part) x.next()).bytes()).isEqualTo("a".getBytes());
        assertThat(((WebExchange.Part) x.next()).bytes()).isEqualTo("b".getBytes());
        assertThat(x.next()).isInstanceOf(WebExchange.End.class);
        assertThatThrownBy(() -> x.send(null, null, "c".getBytes(), true, true)).isInstanceOf(HostError.class)
                .hasMessageContaining("the response is complete");
    }

    @Test
    void aSendPastTheBufferWaitsUntilTheServerHasTakenEnough() throws Exception {
        WebExchange x = table.open(false, true, STALL);
        byte[] half = new byte[WebExchange.SEND_BUFFER / 2 + 1];
        x.send(200, null, half, true, true);
        Future<Object> second = handler.submit(() -> x.send(null, null, half, true, true));   // past the buffer
        assertThat(x.next()).isInstanceOf(WebExchange.Start.class);
        assertThatThrownBy(() -> second.get(200, java.util.concurrent.TimeUnit.MILLISECONDS)).as("waiting for room")
                .isInstanceOf(java.util.concurrent.TimeoutException.class);
        assertThat(x.next()).isInstanceOf(WebExchange.Part.class);   // the server takes one part: room again
        assertThat(second.get(10, java.util.concurrent.TimeUnit.SECONDS)).isNull();
    }

    @Test
    void anAsyncSendPastTheBufferGetsAFutureTheServerCompletesByTakingParts() throws Exception {
        WebExchange x = table.open(false, true, STALL);
        byte[] big = new byte[WebExchange.SEND_BUFFER + 1];
        Object waited = x.send(200, null, big, true, false);
        assertThat(waited).isInstanceOf(CompletableFuture.class);
        CompletableFuture<?> room = (CompletableFuture<?>) waited;
        assertThat(room).isNotDone();
        x.next();
        x.next();
        assertThat(room).isDone();
    }

    @Test
    void aClientThatDoesNotReadForTheStallTimeFailsTheSendAndCutsTheResponse() throws Exception {
        WebExchange x = table.open(false, true, Duration.ofMillis(300));
        x.send(200, null, new byte[WebExchange.SEND_BUFFER], true, true);
        assertThatThrownBy(() -> x.send(null, null, new byte[1], true, true)).isInstanceOf(HostError.class)
                .satisfies(e -> assertThat(((HostError) e).pythonType()).isEqualTo("ClientDisconnected"))
                .hasMessageContaining("did not read the response");
        assertThat(x.next()).isInstanceOf(WebExchange.Start.class);
        assertThat(x.next()).isInstanceOf(WebExchange.Part.class);
        assertThat(x.next()).isInstanceOf(WebExchange.Part.class);
        assertThat(x.next()).isInstanceOf(WebExchange.Abort.class);
    }

    @Test
    void aResponseMustBeAsLongAsItsContentLengthSays() throws Exception {
        WebExchange shortOne = table.open(false, true, STALL);
        shortOne.send(200, headers("Content-Length", "10"), "12345".getBytes(), true, true);
        shortOne.send(null, null, new byte[0], false, true);
        assertThat(shortOne.next()).isEqualTo(new WebExchange.Start(200, List.of(), 10));
        shortOne.next();
        assertThat(shortOne.next()).isInstanceOfSatisfying(WebExchange.Abort.class,
                a -> assertThat(a.why()).contains("after 5 of the 10 bytes"));
        WebExchange longOne = table.open(false, true, STALL);
        longOne.send(200, headers("Content-Length", "3"), "123".getBytes(), true, true);
        assertThatThrownBy(() -> longOne.send(null, null, "4".getBytes(), true, true)).isInstanceOf(HostError.class)
                .hasMessageContaining("longer than its Content-Length");
    }

    @Test
    void aStreamedStartIsCheckedAsAWholeAnswerIsAndARefusedOneStartsNothing() throws Exception {
        WebExchange x = table.open(false, true, STALL);
        assertThatThrownBy(() -> x.send(200, headers("X-Evil", "a\r\nInjected: 1"), new byte[1], true, true))
                .isInstanceOf(HostError.class).hasMessageContaining("not a one-line string");
        assertThatThrownBy(() -> x.send(200, headers("Transfer-Encoding", "chunked"), new byte[1], true, true))
                .hasMessageContaining("hop-by-hop");
        assertThatThrownBy(() -> x.send(600, null, new byte[1], true, true)).hasMessageContaining("not an HTTP status");
        assertThatThrownBy(() -> x.send(200, headers("Content-Length", "-1"), new byte[1], true, true))
                .hasMessageContaining("Content-Length");
        assertThatThrownBy(() -> x.send(null, null, new byte[1], true, true)).hasMessageContaining("before the response's start");
        x.send(200, null, "ok".getBytes(), false, true);
        assertThat(x.next()).as("nothing the refused sends made comes first").isEqualTo(new WebExchange.Start(200, List.of(), -1));
    }

    @Test
    void aHeadResponseCountsItsPartsButSendsNone() throws Exception {
        WebExchange x = table.open(true, true, STALL);
        x.send(200, headers("Content-Length", "4"), "ab".getBytes(), true, true);
        x.send(null, null, "cd".getBytes(), false, true);
        assertThat(x.next()).isEqualTo(new WebExchange.Start(200, List.of(), 4));
        assertThat(x.next()).isInstanceOf(WebExchange.End.class);
    }

    @Test
    void theTasksOutcomeIsTheLastStep() throws Exception {
        WebExchange answered = table.open(false, true, STALL);
        Task<String> a = running(Deadline.none());
        answered.attach(a);
        a.complete(PyTuple.of(201, "text/plain", "made".getBytes(), null, null, null));
        assertThat(answered.next()).isInstanceOfSatisfying(WebExchange.Answer.class,
                w -> assertThat(w.response().body()).isEqualTo("made".getBytes()));

        WebExchange cut = table.open(false, true, STALL);
        Task<String> b = running(Deadline.none());
        cut.attach(b);
        cut.send(200, null, "x".getBytes(), true, true);
        b.complete(PyTuple.of(500, null, null, null, "Traceback: RuntimeError: mid-stream", null));
        cut.next();
        cut.next();
        assertThat(cut.next()).as("a failure after the start cuts the response, its traceback for the log")
                .isEqualTo(new WebExchange.Abort("Traceback: RuntimeError: mid-stream"));

        WebExchange none = table.open(false, true, STALL);
        Task<String> c = running(Deadline.in(Duration.ofMillis(50)));
        none.attach(c);
        assertThat(none.next()).isInstanceOfSatisfying(WebExchange.NoAnswer.class,
                n -> assertThat(n.why()).isInstanceOf(DeadlineExceededException.class));
    }

    @Test
    void eachPartMovesTheHandlersDeadlineSoOnlyAStallEndsIt() throws Exception {
        Duration stall = Duration.ofMillis(300);
        WebExchange x = table.open(false, true, stall);
        Task<String> task = running(Deadline.in(stall));
        x.attach(task);
        x.send(200, null, "0".getBytes(), true, true);
        long start = System.nanoTime();
        for (int i = 1; System.nanoTime() - start < Duration.ofMillis(1500).toNanos(); i++) {
            x.send(null, null, String.valueOf(i).getBytes(), true, true);
            assertThatThrownBy(() -> task.join(Duration.ofMillis(100))).as("a handler sending parts is not stopped")
                    .isInstanceOf(java.util.concurrent.TimeoutException.class);
        }
        eventually(Duration.ofSeconds(10), "the stalled handler's deadline passed", task::isDone);
        assertThatThrownBy(task::join).cause().isInstanceOf(DeadlineExceededException.class);
    }

    @Test
    void onceClosedTheHandlersCallsFailAsIfTheClientHadGone() {
        WebExchange x = table.open(false, true, STALL);
        x.close();
        assertThatThrownBy(() -> x.send(200, null, new byte[1], true, true)).isInstanceOf(HostError.class)
                .satisfies(e -> assertThat(((HostError) e).pythonType()).isEqualTo("ClientDisconnected"));
    }
}
