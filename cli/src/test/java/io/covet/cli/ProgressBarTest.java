package io.covet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    @Test
    void onATerminalTheBarIsRedrawnInPlace() {
        StringWriter s = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(s), true);
        bar.update(0, 4, "first");
        bar.update(2, 4, "second");
        bar.finish();
        assertThat(s.toString()).doesNotContain("\n").contains("\r[").contains("2/4").contains("#".repeat(15) + ".".repeat(15));
    }

    @Test
    void inALogEachStepIsOneLine() {
        StringWriter s = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(s), false);
        bar.update(0, 2, "first");
        bar.update(2, 2, "done");
        bar.finish();
        assertThat(s.toString().lines()).hasSize(2).last().asString().contains("2/2").contains("done");
    }
}
