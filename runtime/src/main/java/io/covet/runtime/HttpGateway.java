package io.covet.runtime;

import io.covet.interpreters.HostError;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * {@code covet.http}: HTTP requests from Python through Java's {@link HttpClient}, on the IO lane,
 * so no interpreter (and no GIL) is held while waiting. Only hosts in the runtime's allowed set may
 * be reached: the sandbox denies the network by default, and this is its one configurable door.
 */
final class HttpGateway {

    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS");

    private final HttpClient client;
    private final Set<String> allowedHosts;

    HttpGateway(ExecutorService executor, Set<String> allowedHosts) {
        this.client = HttpClient.newBuilder().executor(executor).followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(10)).build();
        this.allowedHosts = Set.copyOf(allowedHosts);
    }

    /** Checks a request before it is queued, so a bad one fails at the call, not later. */
    HttpRequest prepare(String method, String url, Map<?, ?> headers, byte[] body, Duration timeout) {
        String m = method.toUpperCase(Locale.ROOT);
        if (!METHODS.contains(m)) {
            throw new IllegalArgumentException("unsupported HTTP method '" + method + "'; supported: " + METHODS);
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a valid URL: " + url + " (" + e.getReason() + ")");
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("covet.http needs an http:// or https:// URL, got " + url);
        }
        String host = uri.getHost();
        if (host == null) {
            throw new IllegalArgumentException("URL has no host: " + url);
        }
        if (!allowedHosts.contains("*") && !allowedHosts.contains(host.toLowerCase(Locale.ROOT))) {
            throw new HostError("PermissionError", "network access to " + host + " is denied by Covet's sandbox (allow it with --allow-net "
                    + host + ")");
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout)
                .method(m, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        try {
            headers.forEach((k, v) -> b.header(String.valueOf(k), String.valueOf(v)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad HTTP header: " + e.getMessage());
        }
        return b.build();
    }

    /** Sends on the calling (IO lane) thread; the response as {status, url, headers, body}. */
    Map<String, Object> send(HttpRequest request) throws InterruptedException {
        HttpResponse<byte[]> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new HostError("TimeoutError", request.method() + " " + request.uri() + " timed out: " + e.getMessage());
        } catch (ConnectException e) {
            throw new HostError("ConnectionRefusedError", request.method() + " " + request.uri() + ": could not connect ("
                    + e.getMessage() + ")");
        } catch (IOException e) {
            throw new HostError("ConnectionError", request.method() + " " + request.uri() + " failed: " + e);
        }
        Map<String, Object> headers = new LinkedHashMap<>();
        response.headers().map().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(", ", v)));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", response.statusCode());
        out.put("url", response.uri().toString());
        out.put("headers", headers);
        out.put("body", response.body());
        return out;
    }
}
