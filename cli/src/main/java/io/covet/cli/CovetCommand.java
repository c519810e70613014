package io.covet.cli;

import io.covet.compute.ComputeEngine;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/** {@code covet}: the root command. */
@Command(name = "covet", mixinStandardHelpOptions = true, versionProvider = CovetCommand.Version.class,
        description = "Run Python web apps and Python compute on every core (ADR-007 on Java 25).",
        subcommands = {RunCommand.class, ExecCommand.class, BenchCommand.class})
final class CovetCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Says what this build is and what it runs on, truthfully. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String compute;
            try (ComputeEngine engine = ComputeEngine.create()) {
                compute = engine.capabilities().summary();
            }
            return new String[]{
                    "covet " + projectVersion(),
                    "java: " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ", "
                            + System.getProperty("java.vendor") + ")",
                    "compute: " + compute,
                    "python: " + io.covet.interpreters.GraalPy.describeRuntime()};
        }

        static String projectVersion() {
            Properties p = new Properties();
            try (InputStream in = CovetCommand.class.getResourceAsStream("covet.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                return "unknown (" + e.getMessage() + ")";
            }
            return p.getProperty("version", "unknown");
        }
    }
}
