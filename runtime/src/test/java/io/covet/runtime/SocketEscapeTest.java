package io.covet.runtime;

import static io.covet.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.covet.interpreters.PythonException;
import io.covet.interpreters.PythonTask;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Python's own sockets under the default sandbox with {@code --allow-net}: the allowed servers
 * are reached by unchanged stdlib clients, and every other way to an address (another port, other
 * spellings of the allowed one, the host functions called directly, the interpreter's own socket
 * class found past the guards, another interpreter's connection) fails before a connection:
 * {@code forbidden} counts every connection that reaches it.
 */
class SocketEscapeTest {

    private static final Duration LONG = Duration.ofSeconds(30);
    private static HttpServer echo;
    private static ServerSocket silent;
    private static ServerSocket forbidden;
    private static final AtomicInteger forbiddenAccepts = new AtomicInteger();
    private static final List<Socket> held = new ArrayList<>();
    private static PerformanceManager runtime;

    @BeforeAll
    static void start() throws IOException {
        echo = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        echo.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        echo.createContext("/echo", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        echo.start();
        silent = acceptForever(null);
        forbidden = acceptForever(forbiddenAccepts);
        runtime = PerformanceManager.start(RuntimeFixture.config()
                .pythonPath(List.of(RuntimeFixture.PYTHON_DIR, Path.of("/usr/lib/python3/dist-packages")))
                .allowedHosts(Set.of("127.0.0.1:" + echo.getAddress().getPort(), "127.0.0.1:" + silent.getLocalPort()))
                .build());
    }

    /** A server that accepts and never answers, counting its connections in {@code accepts}. */
    private static ServerSocket acceptForever(AtomicInteger accepts) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    if (accepts != null) {
                        accepts.incrementAndGet();
                    }
                    synchronized (held) {
                        held.add(s);
                    }
                } catch (IOException closed) {
                    return;
                }
            }
        });
        return server;
    }

    @AfterAll
    static void stop() throws IOException {
        runtime.close();
        echo.stop(0);
        silent.close();
        forbidden.close();
        synchronized (held) {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    private static void check(String name, Object... args) {
        assertThatCode(() -> {
            try {
                runtime.interpreters().run(PythonTask.call("socket_checks", name, args));
            } catch (PythonException e) {
                throw new AssertionError(e.getMessage() + "\n" + e.pythonTraceback(), e);
            }
        }).doesNotThrowAnyException();
    }

    private static long echoPort() {
        return echo.getAddress().getPort();
    }

    @Test
    void httpClientAndUrllibReachAnAllowedServerUnchanged() {
        check("check_http_client_and_urllib_reach_an_allowed_server", echoPort());
    }

    @Test
    void requestsReusesAKeptAliveConnectionAfterAskingSelectWhetherItWasDropped() {
        check("check_requests_keeps_its_connection_alive", echoPort());
    }

    @Test
    void aSocketSpeaksBothWaysThroughMakefileAndReportsItsAddresses() {
        check("check_a_socket_speaks_both_ways_and_reports_its_addresses", echoPort());
    }

    @Test
    void aSilentPeerIsATimeoutErrorNotReadableToSelectAndANonBlockingReadABlockingIOError() {
        check("check_a_silent_peer_is_a_timeout_error", (long) silent.getLocalPort());
    }

    @Test
    void everyOtherWayToAnAddressIsAPermissionErrorBeforeAnyConnection() {
        check("check_every_other_address_is_denied", echoPort(), (long) forbidden.getLocalPort());
        assertThat(forbiddenAccepts).as("connections that reached the forbidden server").hasValue(0);
    }

    @Test
    void theInterpretersOwnSocketClassFoundPastTheGuardsCannotConnect() {
        // GraalPy refuses with an internal error Python cannot catch: its interpreter is replaced.
        assertThatThrownBy(() -> runtime.interpreters().call("socket_checks", "the_interpreters_own_socket_class",
                (long) forbidden.getLocalPort()))
                .isInstanceOfSatisfying(PythonException.class, e -> {
                    assertThat(e.pythonType()).isEqualTo("SystemError");
                    assertThat(e.pythonMessage()).contains("socket was excluded");
                });
        assertThat(forbiddenAccepts).as("connections that reached the forbidden server").hasValue(0);
        eventually(LONG, "a full pool again", () -> runtime.interpreters().metrics().ready() == 2);
        check("check_http_client_and_urllib_reach_an_allowed_server", echoPort());
    }

    @Test
    void aConnectionIsUsableOnlyByTheInterpreterThatOpenedIt() {
        List<?> opened = (List<?>) runtime.interpreters().call("socket_checks", "open_a_socket", echoPort());
        // The pool spreads calls over its interpreters: ask until one other than the owner answers.
        eventually(LONG, "another interpreter tried the connection and was refused",
                () -> Boolean.TRUE.equals(runtime.interpreters().call("socket_checks", "another_interpreters_socket_is_refused",
                        opened.get(0), opened.get(1))));
        // Refused for being another's, not for being gone: its owner still uses it.
        eventually(LONG, "the owner used its connection",
                () -> Boolean.TRUE.equals(runtime.interpreters().call("socket_checks", "kept_socket_still_works", opened.get(0))));
    }
}
