package io.covet.cli;

import picocli.CommandLine;

/** Entry point of the {@code covet} command. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command tree, also used by tests. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new CovetCommand()).setCaseInsensitiveEnumValuesAllowed(true);
        // `covet exec script.py --flag` passes --flag to the script, as `python script.py --flag` does.
        cli.getSubcommands().get("exec").setStopAtPositional(true);
        return cli;
    }
}
