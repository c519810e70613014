package io.covet.web;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.covet.runtime.PerformanceConfig;
import io.covet.runtime.PerformanceManager;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An app that can't load stops the start with its Python error; it never half-serves. */
class AppLoadTest {

    @Test
    void anAppWhoseImportFailsIsReportedWithItsPythonTraceback() {
        try (PerformanceManager runtime = PerformanceManager.start(PerformanceConfig.builder()
                .pythonInterpreters(1).pythonPath(List.of(WebServerTest.APPS)).build())) {
            assertThatThrownBy(() -> CovetServer.start(runtime, WebConfig.of(WebServerTest.APPS.resolve("broken_app.py"))
                    .withPort(0).withRequestTimeout(Duration.ofSeconds(5))))
                    .isInstanceOf(io.covet.runtime.WebApp.LoadException.class)
                    .hasMessageContaining("broken_app.py failed to load:")
                    .hasMessageContaining("Traceback (most recent call last):")
                    .hasMessageContaining("TypeError: route /items/{item_id}: get_item has no parameter for the path parameter 'item_id'");
        }
    }
}
