/** {@code covet run}'s server: Helidon SE in front of the runtime's {@link io.covet.runtime.WebApp}. */
module io.covet.web {
    requires transitive io.covet.runtime;
    requires io.helidon.webserver;
    requires io.helidon.webserver.accesslog;
    requires io.helidon.http;
    requires io.helidon.common.tls;
    requires org.bouncycastle.pkix;         // --keyfile in every PEM form (TlsFiles); GraalPy's own dependency
    requires org.bouncycastle.provider;
    requires micrometer.core;
    requires micrometer.registry.prometheus;
    requires com.fasterxml.jackson.databind;
    requires java.logging;
    requires jdk.management;   // the open-files limit, for the default connection cap

    exports io.covet.web;
}
