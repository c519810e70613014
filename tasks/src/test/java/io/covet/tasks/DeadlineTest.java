package io.covet.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DeadlineTest {

    @Test
    void deadlinesTakeTheEarlierAndNoneIsNeutral() {
        Deadline soon = Deadline.in(Duration.ofSeconds(1));
        Deadline later = Deadline.in(Duration.ofSeconds(10));
        assertThat(soon.min(later)).isEqualTo(soon);
        assertThat(later.min(soon)).isEqualTo(soon);
        assertThat(Deadline.none().min(soon)).isEqualTo(soon);
        assertThat(Deadline.none().remaining()).isEmpty();
        assertThat(Deadline.in(Duration.ZERO).passed()).isTrue();
    }

    @Test
    void aHugeTimeoutNeverWrapsIntoThePast() {
        Deadline far = Deadline.in(Duration.ofSeconds(Long.MAX_VALUE));
        assertThat(far.passed()).isFalse();
        assertThat(far.remaining().orElseThrow()).isGreaterThan(Duration.ofDays(365L * 99));
    }
}
