package io.covet.interpreters;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The standard library in every interpreter of a pool, under the default sandbox and with native
 * code allowed: what GraalPy implements in native code (unicodedata's 3.2 database and the rest, so
 * the idna codec and stringprep; pyexpat, so ElementTree, minidom, sax, plistlib and xmlrpc;
 * zoneinfo's data path; bz2; zlib's gzip container) behaves as the machine's CPython does, one use
 * of each of ~110 modules answers as there but for a listed few, and every module of GraalPy's home
 * imports but for a listed few, each with its reason.
 */
class StdlibTest {

    /** Modules that import under no policy (GraalPy lacks them, or this platform does), and why. */
    private static final Map<String, String> MISSING_EVERYWHERE = Map.ofEntries(
            Map.entry("encodings.euc_jis_2004", "codec GraalPy lacks"), Map.entry("encodings.euc_jisx0213", "codec GraalPy lacks"),
            Map.entry("encodings.iso2022_jp_1", "codec GraalPy lacks"), Map.entry("encodings.iso2022_jp_2004", "codec GraalPy lacks"),
            Map.entry("encodings.iso2022_jp_3", "codec GraalPy lacks"), Map.entry("encodings.iso2022_jp_ext", "codec GraalPy lacks"),
            Map.entry("encodings.shift_jis_2004", "codec GraalPy lacks"),
            Map.entry("symtable", "GraalPy has no _symtable"),
            Map.entry("multiprocessing.popen_forkserver", "GraalPy cannot send file descriptors"),
            Map.entry("_sysconfigdata", "GraalPy-internal; sysconfig loads it its own way"),
            Map.entry("_polyglot_arrow", "needs Apache Arrow's jars (and, sandboxed, Java access)"),
            Map.entry("graalpy-config", "a script: it exits"),
            Map.entry("lib2to3.pgen2.conv", "fails in CPython too (imports 'pgen2')"),
            Map.entry("curses", "no _curses (as CPython without libncurses)"), Map.entry("dbm.gnu", "no _gdbm"),
            Map.entry("dbm.ndbm", "no _dbm"), Map.entry("tkinter", "no GUI"), Map.entry("turtle", "tkinter"),
            Map.entry("msilib", "Windows only"), Map.entry("multiprocessing.popen_spawn_win32", "Windows only"),
            Map.entry("asyncio.windows_events", "Windows only"), Map.entry("asyncio.windows_utils", "Windows only"));

    /** Modules that import only with native code allowed, and why (a plain ImportError in the sandbox, so guarded imports work). */
    private static final Map<String, String> NATIVE_ONLY = Map.ofEntries(
            Map.entry("termios", "terminal control: native"), Map.entry("tty", "termios"), Map.entry("pty", "termios"),
            Map.entry("_crypt", "crypt(3): native"), Map.entry("crypt", "_crypt"),
            Map.entry("_ctypes_test", "CPython's C-API test module"), Map.entry("_testbuffer", "CPython's C-API test module"),
            Map.entry("_testcapi", "CPython's C-API test module"), Map.entry("_testmultiphase", "CPython's C-API test module"),
            Map.entry("_testsinglephase", "CPython's C-API test module"),
            Map.entry("ctypes", "native calls"), Map.entry("multiprocessing.sharedctypes", "ctypes"),
            Map.entry("_cpython_sre", "GraalPy's native fallback for re; re itself works"),
            Map.entry("_cpython_unicodedata", "native; Covet answers unicodedata's missing parts"));

    /**
     * Uses of module_uses.py whose result differs from CPython's under every policy, and why: what
     * GraalPy does differently and Covet does not (yet) make up for.
     */
    private static final Map<String, String> USES_THAT_DIFFER = Map.of(
            "binascii.qp", "GraalPy's binascii has no a2b_qp/b2a_qp (quopri and email use their Python fallbacks)",
            "codecs.hz", "GraalPy's hz codec does not return to ASCII ('~}') at the end",
            "lzma", "GraalPy's lzma returns b'' for data in no format it knows, where CPython raises LZMAError",
            "zlib.errors", "GraalPy's zlib words an invalid zlib header differently (same exception type)");

    private final Map<Integer, Object> reports = new ConcurrentHashMap<>();

    /** Runs {@code expression} in every interpreter of a sandboxed pool of 2; its value, per interpreter. */
    private Map<Integer, Object> inEveryInterpreter(String module, String expression) throws Exception {
        return inEveryInterpreter(PoolFixture.config(), module, expression);
    }

    private Map<Integer, Object> inEveryInterpreter(PoolConfig.Builder base, String module, String expression) throws Exception {
        PoolConfig config = base.size(2)
                .hostFunction("report", (session, args) -> reports.put(session.id(), args.getFirst()))
                .build();
        try (InterpreterPool pool = InterpreterPool.start(config)) {
            pool.addSetup("import _covet_host, " + module + "\n_covet_host.report(" + expression + ")", null)
                    .get(300, TimeUnit.SECONDS);
        }
        assertThat(reports).as("a report from each interpreter").containsOnlyKeys(0, 1);
        return reports;
    }

    /** What the machine's (Debian's) CPython prints for {@code script}. */
    private static String cpython(String script) throws Exception {
        Process cpython = new ProcessBuilder("/usr/bin/python3", PoolFixture.PYTHON_DIR.resolve(script).toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(cpython.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(cpython.waitFor()).as("the machine's CPython ran %s", script).isZero();
        return out;
    }

    @Test
    void debiansFlaskAndRequestsWorkInEveryInterpreterAsInCpython() throws Exception {
        String expected = cpython("real_packages.py");
        Path debian = Path.of("/usr/lib/python3/dist-packages");
        PoolConfig.Builder withPackages = PoolFixture.config().pythonPath(List.of(PoolFixture.PYTHON_DIR, debian));
        inEveryInterpreter(withPackages, "json, real_packages", "json.dumps(real_packages.check(), sort_keys=True)")
                .forEach((id, result) -> assertThat(result).as("interpreter %d", id).isEqualTo(expected));
        assertThat(expected).contains("xn--bcher-kva.de/stra%C3%9Fe").contains("CEST");
    }

    @Test
    void theStandardLibraryAnswersAsCpythonDoesInEverySandboxedInterpreter() throws Exception {
        assertAnswersAsCpython(PoolFixture.config());
    }

    private void assertAnswersAsCpython(PoolConfig.Builder pool) throws Exception {
        String expected = cpython("stdlib_cases.py");
        List<String> expectedLines = expected.lines().toList();
        assertThat(expectedLines).hasSizeGreaterThan(40_000);
        // What the reference can be compared on (CPython before 3.12 differs where 3.12 changed).
        boolean widthOfUnassigned = expectedLines.getFirst().equals("# width_of_unassigned=True");
        inEveryInterpreter(pool, "stdlib_cases", "stdlib_cases.run(width_of_unassigned=" + (widthOfUnassigned ? "True" : "False") + ")")
                .forEach((id, text) -> {
            List<String> differences = differences(expectedLines, ((String) text).lines().toList());
            assertThat(differences).as("interpreter %d: CPython's line, then Covet's", id).isEmpty();
        });
    }

    @Test
    void xmlParsesAsInCpythonInEverySandboxedInterpreter() throws Exception {
        assertXmlAsCpython(PoolFixture.config());
    }

    @Test
    void withNativeCodeAllowedXmlParsesAsInCpythonInEveryInterpreter() throws Exception {
        assertXmlAsCpython(PoolFixture.config().sandbox(SandboxPolicy.trusted()));
    }

    /** pyexpat (Covet's, under every policy) and the modules on it. */
    private void assertXmlAsCpython(PoolConfig.Builder pool) throws Exception {
        List<String> expected = cpython("xml_cases.py").lines().toList();
        assertThat(expected).hasSizeGreaterThan(2_400);
        inEveryInterpreter(pool, "sys, xml_cases", "(sys.modules.__setitem__('_elementtree', None), xml_cases.run())[1]")
                .forEach((id, text) -> assertThat(differences(expected, ((String) text).lines().toList()))
                        .as("interpreter %d: CPython's line, then Covet's", id).isEmpty());
    }

    @Test
    void commonUsesOfTheStandardLibraryAnswerAsInCpythonInEverySandboxedInterpreter() throws Exception {
        // Threads allowed, as `covet run --allow-threads`: threading, concurrent.futures and asyncio's executor are used.
        Map<String, String> differ = new TreeMap<>(USES_THAT_DIFFER);
        // Covet's runtime (covet.aio) installs an asyncio loop without one; this pool is the bare interpreters layer.
        differ.put("asyncio", "asyncio's default loop needs a socket pair for its self-pipe, which the sandbox denies");
        assertUsesAsCpython(PoolFixture.config().sandbox(SandboxPolicy.strict().withThreads(true)), differ);
    }

    @Test
    void withNativeCodeAllowedCommonUsesOfTheStandardLibraryAnswerAsInCpython() throws Exception {
        assertUsesAsCpython(PoolFixture.config().sandbox(SandboxPolicy.trusted()), USES_THAT_DIFFER);
    }

    /** One use of each of ~110 modules (module_uses.py): the lines that differ from CPython's are exactly the listed ones. */
    private void assertUsesAsCpython(PoolConfig.Builder pool, Map<String, String> usesThatDiffer) throws Exception {
        Map<String, String> expected = byName(cpython("module_uses.py"));
        assertThat(expected).hasSizeGreaterThan(100);
        inEveryInterpreter(pool, "module_uses", "module_uses.run()").forEach((id, text) -> {
            Map<String, String> actual = byName((String) text);
            assertThat(actual.keySet()).as("interpreter %d: the uses run", id).isEqualTo(expected.keySet());
            Map<String, String> differing = new TreeMap<>();
            expected.forEach((name, line) -> {
                if (!line.equals(actual.get(name))) {
                    differing.put(name, "CPython: " + line + "\n      Covet: " + actual.get(name));
                }
            });
            Map<String, String> unexpected = new TreeMap<>(differing);
            unexpected.keySet().removeAll(usesThatDiffer.keySet());
            assertThat(unexpected).as("interpreter %d: uses that newly differ from CPython", id).isEmpty();
            assertThat(usesThatDiffer.keySet().stream().filter(name -> !differing.containsKey(name)).toList())
                    .as("interpreter %d: uses listed as differing that now answer as CPython (take them off the list)", id).isEmpty();
        });
    }

    /** module_uses.py's lines by the name before their first ": ". */
    private static Map<String, String> byName(String lines) {
        Map<String, String> out = new TreeMap<>();
        lines.lines().forEach(line -> out.put(line.substring(0, line.indexOf(": ")), line));
        return out;
    }

    private static List<String> differences(List<String> expected, List<String> actual) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < Math.max(expected.size(), actual.size()) && out.size() < 20; i++) {
            String e = i < expected.size() ? expected.get(i) : "<none>";
            String a = i < actual.size() ? actual.get(i) : "<none>";
            if (!e.equals(a)) {
                out.add(e);
                out.add(a);
            }
        }
        return out;
    }

    @Test
    void everyStandardLibraryModuleImportsInEverySandboxedInterpreterButTheListedOnes() throws Exception {
        Map<String, String> expected = new TreeMap<>(MISSING_EVERYWHERE);
        expected.putAll(NATIVE_ONLY);
        assertImportFailures(PoolFixture.config(), expected);
    }

    @Test
    void withNativeCodeAllowedEveryInterpreterLoadsTheNativeModulesToo() throws Exception {
        assertImportFailures(PoolFixture.config().sandbox(SandboxPolicy.trusted()), MISSING_EVERYWHERE);
    }

    @Test
    void withNativeCodeAllowedTheStandardLibraryAnswersAsCpythonDoesInEveryInterpreter() throws Exception {
        assertAnswersAsCpython(PoolFixture.config().sandbox(SandboxPolicy.trusted()));
    }

    private void assertImportFailures(PoolConfig.Builder pool, Map<String, String> expectedFailures) throws Exception {
        inEveryInterpreter(pool, "import_every_module", "import_every_module.failures()").forEach((id, failures) -> {
            @SuppressWarnings("unchecked")
            Map<String, String> failed = (Map<String, String>) failures;
            Map<String, String> unexpected = new TreeMap<>(failed);
            unexpected.keySet().removeAll(expectedFailures.keySet());
            assertThat(unexpected).as("interpreter %d: modules that newly fail to import", id).isEmpty();
            List<String> nowImport = expectedFailures.keySet().stream().filter(m -> !failed.containsKey(m)).toList();
            assertThat(nowImport).as("interpreter %d: modules listed as failing that import now (take them off the list)", id)
                    .isEmpty();
        });
    }
}
