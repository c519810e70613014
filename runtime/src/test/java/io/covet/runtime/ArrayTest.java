package io.covet.runtime;

import static io.covet.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.covet.compute.ArrayMemory;
import io.covet.interpreters.PythonException;
import io.covet.interpreters.PythonTask;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * covet.Array: the same answers as numpy on generated programs ({@code array_cases.py}, numpy run
 * by the machine's CPython), the API's properties ({@code array_checks.py}), the sandbox around
 * its handles, and memory: arrays dropped by Python are freed, a million of them leak nothing.
 */
class ArrayTest {

    private static final int CASES_PER_TRY = 300;
    private static PerformanceManager runtime;

    @BeforeAll
    @BeforeContainer
    static void start() {
        if (runtime == null) {
            runtime = PerformanceManager.start(RuntimeFixture.config().cpythonWorkers(1).build());
        }
    }

    @AfterAll
    @AfterContainer
    static void stop() {
        if (runtime != null) {
            runtime.close();
            runtime = null;
        }
    }

    @Property(tries = 6)
    void generatedProgramsAnswerAsNumpyDoes(@ForAll long seed) throws Exception {
        List<String> expected = numpy(seed);
        List<?> differences = (List<?>) runtime.interpreters().run(
                PythonTask.call("array_cases", "compare", seed, CASES_PER_TRY, expected));
        assertThat(differences).as("cases where covet.Array and numpy differ (seed %d)", seed).isEmpty();
    }

    /** numpy's outcomes, one JSON line per case, from the machine's CPython. */
    private static List<String> numpy(long seed) throws IOException, InterruptedException {
        Process cpython = new ProcessBuilder("/usr/bin/python3", RuntimeFixture.PYTHON_DIR.resolve("array_cases.py").toString(),
                String.valueOf(seed), String.valueOf(CASES_PER_TRY)).redirectErrorStream(true).start();
        String out = new String(cpython.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(cpython.waitFor()).as("the machine's CPython ran array_cases.py with numpy (python3-numpy, installed by "
                + "tools/setup-test-packages.sh):\n%s", out).isZero();
        return out.lines().toList();
    }

    private static void check(String name, Object... args) {
        assertThatCode(() -> {
            try {
                runtime.interpreters().run(PythonTask.call("array_checks", name, args));
            } catch (PythonException e) {
                throw new AssertionError(e.getMessage() + "\n" + e.pythonTraceback(), e);
            }
        }).doesNotThrowAnyException();
    }

    @Test void theAdrApiTakesArraysAndAnswersArrays() { check("check_the_adr_api_takes_arrays_and_answers_arrays"); }
    @Test void smallArraysRunHereAndLargeOnesOnLaneCpuWithTheSameAnswers() {
        check("check_small_arrays_run_here_and_large_ones_on_lane_cpu_with_the_same_answers");
    }
    @Test void operationsChainInJavaAndOnlyResultsCross() { check("check_operations_chain_in_java_and_only_results_cross"); }
    @Test void constructorsReadListsArraysMemoryviewsAndBytes() { check("check_constructors_read_lists_arrays_memoryviews_and_bytes"); }
    @Test void viewsShareMemoryAndCopiesDoNot() { check("check_views_share_memory_and_copies_do_not"); }
    @Test void assignmentFollowsNumpyForRowsSlicesAndAliases() { check("check_assignment_follows_numpy_for_rows_slices_and_aliases"); }
    @Test void itemTakesAFlatIndexAnd0dArraysBehave() { check("check_item_takes_a_flat_index_and_0_d_arrays_behave"); }
    @Test void inPlaceOperatorsWriteIntoTheArray() { check("check_in_place_operators_write_into_the_array"); }
    @Test void errorsNameTheProblem() { check("check_errors_name_the_problem"); }
    @Test void iterationAndTolistCrossInBulk() { check("check_iteration_and_tolist_cross_in_bulk"); }
    @Test void arraysCrossToOtherInterpretersByReference() { check("check_arrays_cross_to_other_interpreters_by_reference"); }
    @Test void aCpythonWorkerMapsALargeArraysMemoryAndItsWritesAreSeen() { check("check_a_cpython_worker_maps_a_large_arrays_memory_and_its_writes_are_seen"); }
    @Test void aCpythonWorkersNumpyResultsComeBackAsArraysAndNumbers() { check("check_a_cpython_workers_numpy_results_come_back_as_arrays_and_numbers"); }
    @Test void theSandboxKeepsHandlesOpaqueAndChecksEveryArgument() { check("check_the_sandbox_keeps_handles_opaque_and_checks_every_argument"); }

    @Test
    void aMillionArraysDroppedByPythonLeakNothing() {
        long before = ArrayMemory.liveArrays();
        runtime.interpreters().run(PythonTask.call("array_checks", "make_and_drop_arrays", 1_000_000, 16)
                .withTimeout(Duration.ofMinutes(5)));
        eventually(Duration.ofSeconds(30), "the dropped arrays are freed", () -> {
            System.gc();
            return ArrayMemory.liveArrays() - before;
        }, live -> live < 100);
    }

    @Test
    void largeArraysReuseTheirMemoryWithinTheLimit() {
        long limit = ArrayMemory.largeArrayLimit();
        long reusedBefore = ArrayMemory.reusedBlocks();
        ArrayMemory.setLargeArrayLimit(64L << 20);
        try {
            // 100 arrays of 2 MB, 200 MB in all, through a 64 MB budget: only freeing and reuse get there.
            runtime.interpreters().run(PythonTask.call("array_checks", "make_and_drop_arrays", 100, 262_144)
                    .withTimeout(Duration.ofMinutes(2)));
            assertThat(ArrayMemory.blockBytes()).as("large-array memory stays within the limit").isLessThanOrEqualTo(64L << 20);
            assertThat(ArrayMemory.reusedBlocks() - reusedBefore).as("blocks of freed arrays were reused").isPositive();
        } finally {
            ArrayMemory.setLargeArrayLimit(limit);
        }
    }
}
