package io.covet.database;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A PostgreSQL database as 12-factor apps name it: {@code postgresql://user:password@host:port/db}
 * ({@code postgres://} too; port 5432 when left out; query parameters are pgjdbc connection
 * properties, e.g. {@code ?sslmode=require}). {@link #toString} never shows the password: use
 * {@link #redacted} wherever a URL is logged or reported.
 */
public record DatabaseUrl(String host, int port, String database, String user, String password, Map<String, String> properties) {

    public DatabaseUrl {
        properties = Map.copyOf(properties);
    }

    /** Parses {@code url}; a malformed one is an {@link IllegalArgumentException} naming the problem (never the password). */
    public static DatabaseUrl parse(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("database URL is empty; expected postgresql://user:password@host:port/database");
        }
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("database URL is malformed (" + e.getReason() + "); expected "
                    + "postgresql://user:password@host:port/database");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("postgresql") && !scheme.equals("postgres")) {
            throw new IllegalArgumentException("database URL must start with postgresql:// (only PostgreSQL is supported), got '"
                    + (scheme.isEmpty() ? "no scheme" : scheme + "://") + "'");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("database URL names no host; expected postgresql://user:password@host:port/database");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String database = decode(path.startsWith("/") ? path.substring(1) : path);
        if (database.isEmpty() || database.contains("/")) {
            throw new IllegalArgumentException("database URL must name one database after the host (…@host:port/database)");
        }
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String info = uri.getRawUserInfo();
            int colon = info.indexOf(':');
            user = decode(colon < 0 ? info : info.substring(0, colon));
            password = colon < 0 ? null : decode(info.substring(colon + 1));
        }
        Map<String, String> properties = new LinkedHashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                properties.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        return new DatabaseUrl(host.toLowerCase(Locale.ROOT), uri.getPort() < 0 ? 5432 : uri.getPort(), database, user, password,
                properties);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** {@code host:port}, as {@code --allow-net} names an address (an IPv6 host in brackets). */
    public String address() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** The pgjdbc URL: no credentials (they go as connection properties). */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + address() + "/" + java.net.URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The whole URL, credentials included (escaped): for a client that connects with it (psycopg2), never for a log. */
    public String withPassword() {
        java.util.function.Function<String, String> enc = v -> java.net.URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20");
        return "postgresql://" + (user == null ? "" : enc.apply(user) + (password == null ? "" : ":" + enc.apply(password)) + "@")
                + address() + "/" + enc.apply(database);
    }

    /** The URL with its password replaced by {@code ***}: what logs, metrics and errors show. */
    public String redacted() {
        return "postgresql://" + (user == null ? "" : user + (password == null ? "" : ":***") + "@") + address() + "/" + database;
    }

    @Override
    public String toString() {
        return redacted();
    }
}
