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
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;

/**
 * {@code covet.http}: HTTP requests from Python through Java's {@link HttpClient}, on the IO lane,
 * so no interpreter (and no GIL) is held while waiting. Only allowed addresses may be reached: the
 * sandbox denies the network by default, and this is its one configurable door. So every hop is
 * checked (redirects are followed here, not by the client) against host and port, and a response
 * body larger than the limit is refused while it arrives, before it fills the heap.
 */
final class HttpGateway {

    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS");
    /** As many as the JDK client's own redirect policy follows. */
    static final int MAX_REDIRECTS = 5;

    private final HttpClient client;
    private final AllowedHosts allowed;
    private final long maxResponseBytes;

    HttpGateway(ExecutorService executor, AllowedHosts allowed, long maxResponseBytes) {
        this.client = HttpClient.newBuilder().executor(executor).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10)).build();
        this.allowed = allowed;
        this.maxResponseBytes = maxResponseBytes;
    }

    private boolean allows(URI uri) {
        int port = uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        return allowed.allows(uri.getHost(), port);
    }

    private HostError denied(URI uri, String how) {
        return allowed.denied(uri.getHost() + (uri.getPort() != -1 ? ":" + uri.getPort() : ""), how);
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
        checkScheme(uri, url);
        if (!allows(uri)) {
            throw denied(uri, "");
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

    private static void checkScheme(URI uri, String url) {
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("covet.http needs an http:// or https:// URL, got " + url);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("URL has no host: " + url);
        }
    }

    /**
     * Sends on the calling (IO lane) thread, following up to {@link #MAX_REDIRECTS} redirects to
     * allowed addresses; the response as {status, url, headers, body}.
     */
    Map<String, Object> send(HttpRequest first) throws InterruptedException {
        HttpRequest request = first;
        for (int hop = 0; ; hop++) {
            HttpResponse<byte[]> response = exchange(request);
            URI next = redirect(response);
            if (next == null) {
                Map<String, Object> headers = new LinkedHashMap<>();
                response.headers().map().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(", ", v)));
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("status", response.statusCode());
                out.put("url", response.uri().toString());
                out.put("headers", headers);
                out.put("body", response.body());
                return out;
            }
            if (hop == MAX_REDIRECTS) {
                throw new HostError("ConnectionError", first.method() + " " + first.uri() + ": more than " + MAX_REDIRECTS + " redirects");
            }
            request = redirected(request, response.statusCode(), next);
        }
    }

    private HttpResponse<byte[]> exchange(HttpRequest request) throws InterruptedException {
        try {
            return client.send(request, info -> new LimitedBody(maxResponseBytes));
        } catch (HttpTimeoutException e) {
            throw new HostError("TimeoutError", request.method() + " " + request.uri() + " timed out: " + e.getMessage());
        } catch (ConnectException e) {
            throw new HostError("ConnectionRefusedError", request.method() + " " + request.uri() + ": could not connect ("
                    + e.getMessage() + ")");
        } catch (IOException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof LimitedBody.TooLarge) {
                    throw new HostError("OSError", request.method() + " " + request.uri() + ": the response body is larger than "
                            + maxResponseBytes + " bytes, covet.http's limit (raise it with --max-http-response BYTES)");
                }
            }
            throw new HostError("ConnectionError", request.method() + " " + request.uri() + " failed: " + e);
        }
    }

    /** Where a redirect response sends the client, checked; null when it is not a redirect. */
    private URI redirect(HttpResponse<?> response) {
        int status = response.statusCode();
        if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
            return null;
        }
        String location = response.headers().firstValue("location").orElse(null);
        if (location == null) {
            return null;
        }
        URI from = response.request().uri();
        URI to;
        try {
            to = from.resolve(new URI(location));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new HostError("ConnectionError", "the redirect from " + from + " names no valid URL: " + location);
        }
        try {
            checkScheme(to, to.toString());
        } catch (IllegalArgumentException e) {
            throw new HostError("ConnectionError", "the redirect from " + from + " leads to " + to + ", which covet.http does not follow");
        }
        if ("https".equalsIgnoreCase(from.getScheme()) && "http".equalsIgnoreCase(to.getScheme())) {
            throw new HostError("ConnectionError", "the redirect from " + from + " to " + to + " would leave HTTPS; not followed");
        }
        if (!allows(to)) {
            throw denied(to, "the redirect from " + from + " leads to " + to + ", but ");
        }
        return to;
    }

    /**
     * The next hop's request, as browsers and the JDK's own policy make it: 303, and 301/302 of a
     * POST, become a GET without body; credentials stay behind when the address changes.
     */
    private static HttpRequest redirected(HttpRequest previous, int status, URI next) {
        URI from = previous.uri();
        boolean sameOrigin = from.getScheme().equalsIgnoreCase(next.getScheme()) && from.getHost().equalsIgnoreCase(next.getHost())
                && from.getPort() == next.getPort();
        HttpRequest.Builder b = HttpRequest.newBuilder(previous, (name, value) -> sameOrigin
                || !(name.equalsIgnoreCase("authorization") || name.equalsIgnoreCase("cookie"))).uri(next);
        if (status == 303 || ((status == 301 || status == 302) && previous.method().equals("POST"))) {
            b.method("GET", HttpRequest.BodyPublishers.noBody());
        }
        return b.build();
    }

    /** A response body collected up to a limit; past it, the exchange is cancelled. */
    private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {

        static final class TooLarge extends IOException {
            TooLarge() {
                super("response body over the limit");
            }
        }

        private final long limit;
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private final List<ByteBuffer> parts = new ArrayList<>();
        private long size;
        private Flow.Subscription subscription;

        LimitedBody(long limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (body.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                size += b.remaining();
            }
            if (size > limit) {
                subscription.cancel();
                parts.clear();
                body.completeExceptionally(new TooLarge());
                return;
            }
            parts.addAll(items);
        }

        @Override
        public void onError(Throwable t) {
            body.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            byte[] out = new byte[(int) size];
            int at = 0;
            for (ByteBuffer b : parts) {
                int n = b.remaining();
                b.get(out, at, n);
                at += n;
            }
            parts.clear();
            body.complete(out);
        }
    }
}
