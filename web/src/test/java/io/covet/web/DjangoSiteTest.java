package io.covet.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.covet.interpreters.SandboxPolicy;
import io.covet.runtime.AppTarget;
import io.covet.runtime.PerformanceConfig;
import io.covet.runtime.PerformanceManager;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/django_site (Debian's Django 3.2, installed by the test set-up) served unchanged by the
 * real server under the default sandbox with 2 interpreters, as its settings say to run it
 * ({@code mysite.wsgi:application}, its database migrated first with its manage.py, its SQLite file
 * in a directory {@code --allow-write} grants): URL routing, a template, JSON, a form post, Django's
 * 404 and its slash-appending redirect, its middleware's headers, and the ORM from both
 * interpreters on one database (filters, counts, date lookups that run SQL functions written in
 * Python, a transaction rolled back).
 */
class DjangoSiteTest {

    private static final Path SITE = Path.of("../examples/django_site").toAbsolutePath().normalize();

    @TempDir
    static Path data;
    static ServedApp app;

    @BeforeAll
    static void start() {
        Map<String, String> environment = Map.of("DJANGO_DB", data.resolve("db.sqlite3").toString());
        // As its settings say: manage.py migrate (covet exec), then covet run.
        try (PerformanceManager migrate = PerformanceManager.start(PerformanceConfig.builder().pythonInterpreters(1)
                .pythonPath(List.of(SITE, ServedApp.DEBIAN_PACKAGES)).sandbox(SandboxPolicy.strict().withWritable(data))
                .environment(environment).mainScript(SITE.resolve("manage.py")).build())) {
            assertThat(migrate.exec(SITE.resolve("manage.py"), List.of("migrate", "--verbosity", "0"))).as("manage.py migrate").isZero();
        }
        app = ServedApp.start(AppTarget.parse("mysite.wsgi:application", AppTarget.Kind.AUTO), Duration.ofSeconds(10),
                runtime -> runtime.sandbox(SandboxPolicy.strict().withWritable(data)).environment(environment), runtime -> { },
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

    @Test
    void theOrmKeepsNotesInOneSqliteDatabaseForEveryInterpreter() throws Exception {
        Set<String> made = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> created = send("POST", "/notes/", "text=note+" + i + "&author=" + (i % 2 == 0 ? "ann" : "bob"),
                    "Content-Type", "application/x-www-form-urlencoded");
            assertThat(created.statusCode()).isEqualTo(201);
            made.add(ServedApp.jsonOf(created).get("id").asText());
        }
        assertThat(made).as("ids from one sequence, whichever interpreter wrote").hasSize(6);
        for (int i = 0; i < 4; i++) {   // read back through either interpreter: the same rows
            JsonNode ann = app.json("/notes/?author=ann");
            assertThat(ann.get("count").asInt()).isEqualTo(3);
            assertThat(ann.get("notes").get(0).get("text").asText()).isEqualTo("note 0");
            JsonNode all = app.json("/notes/");
            assertThat(all.get("count").asInt()).isGreaterThanOrEqualTo(6);
            assertThat(all.get("this_year").asInt()).as("a date lookup (SQL functions in Python)").isEqualTo(all.get("count").asInt());
        }
    }

    @Test
    void aTransactionThatFailsLeavesNothing() throws Exception {
        HttpResponse<String> failed = send("POST", "/notes/batch/", "text=a&text=fail", "Content-Type", "application/x-www-form-urlencoded");
        assertThat(failed.statusCode()).isEqualTo(400);
        assertThat(ServedApp.jsonOf(failed).get("kept").asInt()).isZero();
        HttpResponse<String> ok = send("POST", "/notes/batch/", "text=a&text=b", "Content-Type", "application/x-www-form-urlencoded");
        assertThat(ok.statusCode()).isEqualTo(201);
        assertThat(app.json("/notes/?author=batch").get("count").asInt()).isEqualTo(2);
    }
}
