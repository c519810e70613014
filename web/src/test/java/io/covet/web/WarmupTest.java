package io.covet.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.covet.runtime.AppTarget;
import io.covet.testing.Eventually;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class WarmupTest {

    @Test
    void readyzWaitsForTheWarmupWhichRunsTheHandlersWithoutCountingAsClientRequests() throws Exception {
        try (ServedApp app = ServedApp.start(AppTarget.file(WebServerTest.APPS.resolve("web_app.py")), Duration.ofSeconds(10),
                web -> web.withWarmup(List.of("/items/7?q=warm", "/tags"), Duration.ofSeconds(30)),
                ServedApp.client(), WebServerTest.APPS)) {
            HttpResponse<String> early = app.send("GET", "/readyz", null);
            assertThat(early.statusCode()).as("it warms up for at least %d s", Warmup.MIN_SECONDS).isEqualTo(503);
            assertThat(early.body()).contains("\"status\":\"warming up\"");
            assertThat(app.send("GET", "/items/3", null).statusCode()).as("clients are served meanwhile").isEqualTo(200);

            Eventually.eventually(Duration.ofSeconds(90), "/readyz after the warm-up", () -> status(app, "/readyz") == 200);
            String metrics = app.send("GET", "/metrics", null).body();
            assertThat(completedPythonTasks(metrics)).as("the warm-up ran the handlers many times").isGreaterThan(50);
            assertThat(metrics).as("only the client's own request is counted")
                    .containsPattern("(?m)^http_server_requests_seconds_count\\{method=\"GET\",route=\"/items/\\{item_id}\",status=\"200\"} 1(\\.0)?$")
                    .doesNotContain("route=\"/tags\"");
        }
    }

    @Test
    void theCompilersCpuTimeIsReadOffTruffleCompilerThreads() throws Exception {
        try (ServedApp app = ServedApp.start(AppTarget.file(WebServerTest.APPS.resolve("web_app.py")), Duration.ofSeconds(10),
                WebServerTest.APPS)) {
            for (int i = 0; i < 200; i++) {
                app.send("GET", "/items/" + i, null);
            }
            assertThat(io.covet.runtime.JitCompiler.cpuNanos()).as("GraalPy's JIT compiled something, on threads named as Warmup expects")
                    .isPositive();
        }
    }

    private static int status(ServedApp app, String path) {
        try {
            return app.send("GET", path, null).statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static double completedPythonTasks(String metrics) {
        Matcher m = Pattern.compile("(?m)^covet_lane_completed_total\\{lane=\"python\"} (\\S+)$").matcher(metrics);
        assertThat(m.find()).as("the python lane's completed tasks in /metrics").isTrue();
        return Double.parseDouble(m.group(1));
    }
}
