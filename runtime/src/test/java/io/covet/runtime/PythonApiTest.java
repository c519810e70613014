package io.covet.runtime;

import static org.assertj.core.api.Assertions.assertThatCode;

import com.sun.net.httpserver.HttpServer;
import io.covet.interpreters.PythonException;
import io.covet.interpreters.PythonTask;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Python {@code covet} API, driven from Python: each test runs one {@code check_*} function of
 * {@code src/test/python/api_checks.py} in a pooled interpreter, which raises if its property fails.
 */
class PythonApiTest {

    private static PerformanceManager runtime;
    private static HttpServer server;
    private static String base;

    @BeforeAll
    static void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        server.createContext("/hello", ex -> reply(ex, 200, "text/plain", "hello"));
        server.createContext("/echo", ex -> reply(ex, 200, "application/json", new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
        server.createContext("/slow", ex -> {
            peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inFlight.decrementAndGet();
            reply(ex, 200, "text/plain", "slow");
        });
        server.createContext("/peak", ex -> reply(ex, 200, "text/plain", String.valueOf(peak.get())));
        server.createContext("/", ex -> reply(ex, 404, "text/plain", "no such page"));
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        runtime = PerformanceManager.start(RuntimeFixture.config().allowedHosts(Set.of("127.0.0.1")).build());
    }

    private static void reply(com.sun.net.httpserver.HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    @AfterAll
    static void stop() {
        runtime.close();
        server.stop(0);
    }

    private static void check(String name, Object... args) {
        check(PythonTask.call("api_checks", name, args));
    }

    private static void check(PythonTask task) {
        assertThatCode(() -> {
            try {
                runtime.interpreters().run(task);
            } catch (PythonException e) {
                throw new AssertionError(e.getMessage() + "\n" + e.pythonTraceback(), e);
            }
        }).doesNotThrowAnyException();
    }

    @Test void sumArrayAcceptsListsArraysAndMemoryviews() { check("check_sum_array_accepts_lists_arrays_and_memoryviews"); }
    @Test void sumArrayRejectsWhatIsNotNumbers() { check("check_sum_array_rejects_what_is_not_numbers"); }
    @Test void transformArrayAppliesEachOperationAndKeepsTheFloatType() { check("check_transform_array_applies_each_operation_and_keeps_the_float_type"); }
    @Test void transformArrayNamesTheValidOperationsForAnUnknownOne() { check("check_transform_array_names_the_valid_operations_for_an_unknown_one"); }
    @Test void matrixMultiplyOfNestedListsGivesRows() { check("check_matrix_multiply_of_nested_lists_gives_rows"); }
    @Test void matrixMultiplyOfFlatArraysWithShapesGivesAFlatArray() { check("check_matrix_multiply_of_flat_arrays_with_shapes_gives_a_flat_array"); }
    @Test void matrixMultiplyRejectsIncompatibleAndMalformedShapes() { check("check_matrix_multiply_rejects_incompatible_and_malformed_shapes"); }
    @Test void parallelMapKeepsOrderForEveryChunkSize() { check("check_parallel_map_keeps_order_for_every_chunk_size"); }
    @Test void parallelMapRunsInOtherInterpreters() { check("check_parallel_map_runs_in_other_interpreters"); }
    @Test void parallelMapRefusesLambdasAndClosures() { check("check_parallel_map_refuses_lambdas_and_closures"); }
    @Test void parallelMapRaisesTheFirstErrorWithItsRemoteTracebackAndCancelsTheRest() { check("check_parallel_map_raises_the_first_error_with_its_remote_traceback_and_cancels_the_rest"); }
    @Test void parallelMapSendsNonPlainValuesByPickleAndNamesWhatCannotCross() { check("check_parallel_map_sends_non_plain_values_by_pickle_and_names_what_cannot_cross"); }
    @Test void parallelReduceMatchesFunctoolsReduce() { check("check_parallel_reduce_matches_functools_reduce"); }
    @Test void nestedParallelismFinishesOnASmallPool() { check("check_nested_parallelism_finishes_on_a_small_pool"); }
    @Test void cpuIntensiveReturnsAFutureOfTheResult() { check("check_cpu_intensive_returns_a_future_of_the_result"); }
    @Test void cpuIntensiveRaisesTheFunctionsOwnException() { check("check_cpu_intensive_raises_the_functions_own_exception"); }
    @Test void cpuIntensiveOnCpythonSaysTheLaneIsNotConfigured() { check("check_cpu_intensive_on_cpython_says_the_lane_is_not_configured"); }
    @Test void decoratingAClosureFailsAtDefinition() { check("check_decorating_a_closure_fails_at_definition"); }
    @Test void gilFreeAndIoIntensiveRunTheirFunctions() { check("check_gil_free_and_io_intensive_run_their_functions"); }
    @Test void resultTimeoutRaisesTimeoutError() { check("check_result_timeout_raises_timeout_error"); }

    @Test
    void subTasksInheritTheirCallersDeadline() {
        check(PythonTask.call("api_checks", "check_sub_tasks_inherit_their_callers_deadline").withTimeout(Duration.ofSeconds(5)));
    }

    @Test
    void subTasksOfACallerWithoutDeadlineGetTheRuntimeTaskTimeout() {
        check(PythonTask.call("api_checks", "check_sub_tasks_of_a_caller_without_deadline_get_the_runtime_task_timeout").withoutTimeout());
    }

    @Test void asyncioRunWorksInTheSandbox() { check("check_asyncio_run_works_in_the_sandbox"); }
    @Test void gatherOfCovetFuturesRunsThemConcurrently() { check("check_gather_of_covet_futures_runs_them_concurrently"); }
    @Test void everyPerfOperationIsAwaitable() { check("check_every_perf_operation_is_awaitable"); }
    @Test void errorsPropagateThroughAwait() { check("check_errors_propagate_through_await"); }
    @Test void toThreadRunsAModuleLevelFunctionElsewhere() { check("check_to_thread_runs_a_module_level_function_elsewhere"); }
    @Test void performanceConfigNamesBadParameters() { check("check_performance_config_names_bad_parameters"); }
    @Test void aPerformanceManagerAppliesItsConfigToTheRuntime() { check("check_a_performance_manager_applies_its_config_to_the_runtime"); }
    @Test void withComputeDisabledNumericOperationsRunInPython() { check("check_with_compute_disabled_numeric_operations_run_in_python"); }
    @Test void withSubInterpretersDisabledWorkRunsInTheCaller() { check("check_with_sub_interpreters_disabled_work_runs_in_the_caller"); }
    @Test void sysExitInAnotherInterpreterDoesNotExitTheCaller() { check("check_sys_exit_in_another_interpreter_does_not_exit_the_caller"); }
    @Test void httpToAHostNotAllowedIsAPermissionError() { check("check_http_to_a_host_not_allowed_is_a_permission_error"); }
    @Test void httpGetAndPostReachAnAllowedHost() { check("check_http_get_and_post_reach_an_allowed_host", base); }
    @Test void httpRequestsOverlapUnderAsyncio() { check("check_http_requests_overlap_under_asyncio", base); }

    @Test
    void httpConnectionRefusedIsAConnectionError() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        check("check_http_connection_refused_is_a_connection_error", "http://127.0.0.1:" + port + "/");
    }
}
