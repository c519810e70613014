/** A pool of isolated GraalPy interpreters ({@link io.covet.interpreters.InterpreterPool}). */
module io.covet.interpreters {
    requires transitive io.covet.tasks;
    requires org.graalvm.polyglot;
    requires java.logging;
    requires com.ibm.icu;   // Unicode data for the standard library (StdlibFunctions)
    requires org.apache.commons.compress;   // bzip2 for the standard library (Bz2)
    requires org.bouncycastle.provider;     // hashlib's digests GraalPy lacks (Digests); GraalPy's own dependency
    requires org.xerial.sqlitejdbc;         // SQLite for the sqlite3 module (Sqlite)

    exports io.covet.interpreters;
}
