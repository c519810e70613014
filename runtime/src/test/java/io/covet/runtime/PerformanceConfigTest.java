package io.covet.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PerformanceConfigTest {

    @Test
    void defaultsComeFromTheMachine() {
        int cores = Runtime.getRuntime().availableProcessors();
        PerformanceConfig c = PerformanceConfig.builder().build();
        assertThat(c.cpuThreads()).isEqualTo(cores);
        assertThat(c.ioThreads()).isEqualTo(Math.min(32, cores + 4));
        assertThat(c.pythonInterpreters()).isEqualTo(Math.max(2, cores));
        assertThat(c.maxGilContention()).isEqualTo(c.pythonInterpreters());
        assertThat(c.enableCompute()).isTrue();
        assertThat(c.allowedHosts()).isEmpty();
    }

    @Test
    void laterLayersOverrideEarlierOnesSettingBySetting() {
        PerformanceConfig.Builder file = PerformanceConfig.builder().apply(Map.of("cpu_threads", 3, "io_threads", 5));
        Map<String, Object> app = Map.of("cpu_threads", 7, "python_interpreters", 4);
        Map<String, Object> flags = Map.of("python_interpreters", 2);
        PerformanceConfig c = file.copy().apply(app).apply(flags).build();
        assertThat(c.cpuThreads()).isEqualTo(7);
        assertThat(c.ioThreads()).isEqualTo(5);
        assertThat(c.pythonInterpreters()).isEqualTo(2);
        assertThat(c.maxGilContention()).isEqualTo(2);
        assertThat(file.build().cpuThreads()).isEqualTo(3);
    }

    @Test
    void badSettingsAreNamed() {
        assertThatThrownBy(() -> PerformanceConfig.builder().apply(Map.of("cpu_thread", 2)))
                .hasMessageStartingWith("unknown performance setting 'cpu_thread'; known: cpu_threads, enable_rust_compute");
        assertThatThrownBy(() -> PerformanceConfig.builder().apply(Map.of("io_threads", "many")))
                .hasMessage("io_threads must be a whole number, got many");
        assertThatThrownBy(() -> PerformanceConfig.builder().apply(Map.of("enable_simd", 1)))
                .hasMessage("enable_simd must be true or false, got 1");
        assertThatThrownBy(() -> PerformanceConfig.builder().pythonInterpreters(0).build())
                .hasMessage("python_interpreters must be at least 1, got 0");
        assertThatThrownBy(() -> PerformanceConfig.builder().apply(Map.of("task_timeout", -1)))
                .hasMessage("task_timeout must be a positive number of seconds, got -1");
    }
}
