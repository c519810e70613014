package io.covet.runtime;

import io.covet.interpreters.HostError;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * Where Python may connect ({@code --allow-net}): through {@code covet.http} and through its own
 * sockets ({@link SocketGateway}), one list for both, checked in Java on every connection.
 * Entries are a host (any port) or {@code host:port}, matched on the name the code asked for;
 * "*" allows everywhere.
 */
final class AllowedHosts {

    /** Lower-case {@code host} (any port) or {@code host:port} entries, IPv6 literals in brackets; "*": anywhere. */
    private final Set<String> allowed = new CopyOnWriteArraySet<>();

    AllowedHosts(Set<String> entries) {
        for (String entry : entries) {
            allowed.add(entry(entry));
        }
    }

    /**
     * An allowed-host entry in the form compared against addresses: {@code host} or {@code host:port},
     * lower case, an IPv6 literal in brackets.
     *
     * @throws IllegalArgumentException naming what is wrong with it
     */
    static String entry(String entry) {
        String e = entry.strip().toLowerCase(Locale.ROOT);
        if (e.equals("*")) {
            return e;
        }
        String host = e;
        String port = null;
        if (e.startsWith("[")) {
            int close = e.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("allowed host '" + entry + "': an IPv6 address needs its closing ']'");
            }
            host = e.substring(0, close + 1);
            if (close + 1 < e.length()) {
                if (e.charAt(close + 1) != ':') {
                    throw new IllegalArgumentException("allowed host '" + entry + "': expected ':PORT' after ']'");
                }
                port = e.substring(close + 2);
            }
        } else if (e.indexOf(':') != e.lastIndexOf(':')) {
            host = "[" + e + "]";  // a bare IPv6 address: URIs spell it in brackets
        } else if (e.indexOf(':') >= 0) {
            host = e.substring(0, e.indexOf(':'));
            port = e.substring(e.indexOf(':') + 1);
        }
        if (host.isEmpty() || host.equals("[]") || !host.matches("\\[[0-9a-f:.]+]|[a-z0-9._-]+")) {
            throw new IllegalArgumentException("allowed host '" + entry + "' is not a host name or address (HOST or HOST:PORT)");
        }
        if (port == null) {
            return host;
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException x) {
            p = -1;
        }
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("allowed host '" + entry + "': the port must be a number from 1 to 65535");
        }
        return host + ":" + p;
    }

    /** Allows {@code host:port} from now on (the web server's own address, once it listens). */
    void allow(String host, int port) {
        allowed.add(entry(bracketed(host) + ":" + port));
    }

    /** Whether {@code host} (a name or an address, IPv6 with or without brackets) may be reached on {@code port}. */
    boolean allows(String host, int port) {
        String h = bracketed(host.toLowerCase(Locale.ROOT));
        return allowed.contains("*") || allowed.contains(h) || allowed.contains(h + ":" + port);
    }

    /** The PermissionError for {@code address} ({@code host} or {@code host:port}), naming the flag that allows it. */
    HostError denied(String address, String how) {
        return new HostError("PermissionError", how + "network access to " + address
                + " is denied by Covet's sandbox (allow it with --allow-net " + address + ")");
    }

    private static String bracketed(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }
}
