package io.covet.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class WebAppTest {

    @Test
    void theAppsModuleNameMustBeAPythonIdentifier() {
        assertThat(WebApp.moduleName(Path.of("/x/my_app.py"))).isEqualTo("my_app");
        assertThatThrownBy(() -> WebApp.moduleName(Path.of("/x/my-app.py")))
                .isInstanceOf(WebApp.LoadException.class)
                .hasMessageContaining("'my-app.py' must be a Python module name");
    }

    @Test
    void pathsBecomePythonStringLiteralsThatCannotBreakOut() {
        assertThat(WebApp.pyString("/srv/app.py")).isEqualTo("\"/srv/app.py\"");
        assertThat(WebApp.pyString("a\"b\\c\n")).isEqualTo("\"a\\\"b\\\\c\\U0000000a\"");
        assertThat(WebApp.pyString("caf\u00e9 \uD83D\uDE00")).isEqualTo("\"caf\\U000000e9 \\U0001f600\"");
    }
}
