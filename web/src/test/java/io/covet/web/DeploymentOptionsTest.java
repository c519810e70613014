package io.covet.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.covet.runtime.AppTarget;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a WSGI or ASGI app sees of gunicorn's and uvicorn's deployment options, served by the real
 * server with 2 interpreters: a trusted proxy's X-Forwarded-For/-Proto as the client and scheme,
 * --root-path as SCRIPT_NAME and root_path, and HTTPS from --certfile/--keyfile.
 */
class DeploymentOptionsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final HttpClient PLAIN = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void behindATrustedProxyAWsgiAppSeesTheForwardedClientAndSchemeAndItsRootPath() throws Exception {
        try (ServedApp served = ServedApp.start(AppTarget.file(WebServerTest.APPS.resolve("wsgi_app.py")), TIMEOUT,
                c -> c.withForwarded(ForwardedHeaders.parse("127.0.0.1, ::1")).withRootPath("/shop"), PLAIN,
                WebServerTest.APPS)) {
            // The client wrote "6.6.6.6" itself; the proxy appended the address it saw.
            JsonNode env = ServedApp.jsonOf(served.send("GET", "/shop/environ?q=1", null,
                    "X-Forwarded-For", "6.6.6.6, 203.0.113.7", "X-Forwarded-Proto", "https"));
            assertThat(env.get("REMOTE_ADDR").asText()).isEqualTo("203.0.113.7");
            assertThat(env.get("wsgi.url_scheme").asText()).isEqualTo("https");
            assertThat(env.get("SCRIPT_NAME").asText()).isEqualTo("/shop");
            assertThat(env.get("PATH_INFO").asText()).isEqualTo("/environ");
            assertThat(env.get("RAW_URI").asText()).isEqualTo("/shop/environ?q=1");
            assertThat(env.get("SERVER_PORT").asText()).isEqualTo(String.valueOf(served.port()));
            // A proxy that took the prefix off already: the path is the app's as it came.
            JsonNode stripped = ServedApp.jsonOf(served.send("GET", "/environ", null));
            assertThat(stripped.get("SCRIPT_NAME").asText()).isEqualTo("/shop");
            assertThat(stripped.get("PATH_INFO").asText()).isEqualTo("/environ");
            assertThat(stripped.get("REMOTE_ADDR").asText()).isEqualTo("127.0.0.1");
            assertThat(stripped.get("wsgi.url_scheme").asText()).isEqualTo("http");
            // A path that merely starts with the prefix's letters is not below it.
            assertThat(served.send("GET", "/shopping/environ", null).body()).isEqualTo("no page /shopping/environ");
        }
    }

    @Test
    void overHttpsAnAsgiAppSeesTheHttpsSchemeItsRootPathAndTheConnectionsClient() throws Exception {
        TestCertificates certs = TestCertificates.create("RSA");
        TlsFiles tls = new TlsFiles(certs.writeCertificate(dir.resolve("server.crt")),
                certs.writeKey(dir.resolve("server.key"), TestCertificates.KeyForm.TRADITIONAL, null), null);
        try (ServedApp served = ServedApp.start(AppTarget.file(WebServerTest.APPS.resolve("asgi_scope_app.py")), TIMEOUT,
                c -> c.withTls(tls).withRootPath("/api"), certs.client(), WebServerTest.APPS)) {
            JsonNode scope = ServedApp.jsonOf(served.send("GET", "/api/scope", null,
                    "X-Forwarded-For", "203.0.113.7", "X-Forwarded-Proto", "http"));
            assertThat(scope.get("scheme").asText()).isEqualTo("https");
            assertThat(scope.get("root_path").asText()).isEqualTo("/api");
            assertThat(scope.get("path").asText()).isEqualTo("/scope");
            assertThat(scope.get("client").get(0).asText()).as("no proxy is trusted: the headers are the client's own")
                    .isEqualTo("127.0.0.1");
            assertThat(scope.get("server").get(0).asText()).isEqualTo("localhost");
            assertThat(scope.get("server").get(1).asInt()).isEqualTo(served.port());
            // Plain HTTP to the TLS port gets no answer from the app.
            try (Socket s = new Socket("127.0.0.1", served.port())) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write("GET /api/scope HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                InputStream in = s.getInputStream();
                String reply;
                try {
                    reply = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
                } catch (java.io.IOException reset) {
                    reply = "";
                }
                assertThat(reply).doesNotStartWith("HTTP/1.1 200");
            }
        }
    }
}
