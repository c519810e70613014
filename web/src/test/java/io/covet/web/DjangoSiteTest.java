package io.covet.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.covet.runtime.AppTarget;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * examples/django_site (Debian's Django 3.2, installed by the test set-up) served unchanged by the
 * real server under the default sandbox with 2 interpreters, as its settings say to run it
 * ({@code mysite.wsgi:application}): URL routing, a template, JSON, a form post, Django's 404 and
 * its slash-appending redirect, its middleware's headers. (That requests are spread over the
 * interpreters is the WSGI path's, shown by FlaskAppTest and WsgiAppTest.)
 */
class DjangoSiteTest {

    private static final Path SITE = Path.of("../examples/django_site").toAbsolutePath().normalize();

    static ServedApp app;

    @BeforeAll
    static void start() {
        app = ServedApp.start(AppTarget.parse("mysite.wsgi:application", AppTarget.Kind.AUTO), Duration.ofSeconds(10),
                SITE, ServedApp.DEBIAN_PACKAGES);
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
    void aTemplateIsRenderedWithWhatTheRequestSaysEscaped() throws Exception {
        HttpResponse<String> home = send("GET", "/?name=%3Cscript%3ECovet", null);
        assertThat(home.statusCode()).isEqualTo(200);
        assertThat(home.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(home.body()).contains("<h1>Hello, &lt;script&gt;Covet!</h1>").contains("<li>templates</li>");
        assertThat(home.headers().firstValue("X-Frame-Options")).as("middleware ran").hasValue("DENY");
    }

    @Test
    void urlsRouteToViewsAndDjangosOwnAnswersComeBack() throws Exception {
        assertThat(app.json("/items/7/").toString()).isEqualTo("{\"item\":7,\"method\":\"GET\"}");
        assertThat(send("GET", "/items/0/", null).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/no/such/page/", null).statusCode()).isEqualTo(404);
        HttpResponse<String> redirect = send("GET", "/items/7", null);
        assertThat(redirect.statusCode()).as("APPEND_SLASH").isEqualTo(301);
        assertThat(redirect.headers().firstValue("Location")).hasValue("/items/7/");
        assertThat(send("GET", "/echo/", null).statusCode()).as("require_POST").isEqualTo(405);
        assertThat(app.raw("GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n")).as("ALLOWED_HOSTS").startsWith("HTTP/1.1 400");
    }

    @Test
    void aFormPostReachesTheView() throws Exception {
        HttpResponse<String> echo = send("POST", "/echo/", "greeting=hi+there&lang=en", "Content-Type", "application/x-www-form-urlencoded");
        assertThat(echo.statusCode()).isEqualTo(200);
        assertThat(ServedApp.jsonOf(echo).toString())
                .isEqualTo("{\"form\":{\"greeting\":\"hi there\",\"lang\":\"en\"},\"content_type\":\"application/x-www-form-urlencoded\"}");
    }
}
