/** A pool of isolated GraalPy interpreters ({@link io.covet.interpreters.InterpreterPool}). */
module io.covet.interpreters {
    requires transitive io.covet.tasks;
    requires org.graalvm.polyglot;
    requires java.logging;

    exports io.covet.interpreters;
}
