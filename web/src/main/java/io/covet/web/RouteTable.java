package io.covet.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The app's routes, matched in Java so that unknown paths (404) and wrong methods (405) never
 * occupy an interpreter. A pattern is a path whose segments are literals or {@code {name}}
 * parameters; when several routes match a path, the one whose first differing segment is a
 * literal wins (so {@code /items/special} beats {@code /items/{id}}), then the first registered.
 * The pattern {@link #EVERY_PATH} with the method {@code *} is a WSGI app's one route: every request.
 */
final class RouteTable {

    /**
     * One route: its index in the app's route list, its pattern and methods; {@code floatBody}:
     * its handler takes a whole JSON body of numbers ({@code List[float]}).
     */
    record Route(int index, String pattern, Set<String> methods, List<String> segments, boolean floatBody,
                 String specificity) {
    }

    /** Literal segments as '1', parameters as '0': a larger string is the more specific route. */
    private static String specificity(List<String> segments) {
        StringBuilder sb = new StringBuilder(segments.size());
        for (String s : segments) {
            sb.append(s == null ? '0' : '1');
        }
        return sb.toString();
    }

    /** What a request's method and path matched. */
    sealed interface Match {
        /** {@code rawParams}: the parameters' raw (still percent-encoded) segments, in order. */
        record Found(Route route, List<String> rawParams) implements Match { }
        record NotFound() implements Match { }
        record WrongMethod(Set<String> allowed) implements Match { }
    }

    /** The pattern that matches every path (the app routes requests itself). */
    static final String EVERY_PATH = "*";
    /** The method that matches every method. */
    private static final String EVERY_METHOD = "*";

    private final List<Route> routes;

    private RouteTable(List<Route> routes) {
        this.routes = routes;
    }

    /** The app's routes, in registration order (the index is what the request names). */
    static RouteTable of(List<io.covet.runtime.WebApp.Route> appRoutes) {
        List<Route> routes = new ArrayList<>();
        for (int i = 0; i < appRoutes.size(); i++) {
            io.covet.runtime.WebApp.Route r = appRoutes.get(i);
            List<String> segments = r.pattern().equals(EVERY_PATH) ? List.of() : segments(r.pattern());
            routes.add(new Route(i, r.pattern(), Set.copyOf(r.methods()), segments, r.floatBody(), specificity(segments)));
        }
        return new RouteTable(List.copyOf(routes));
    }

    private static List<String> segments(String pattern) {
        List<String> out = new ArrayList<>();
        for (String s : pattern.substring(1).split("/", -1)) {
            out.add(s.startsWith("{") && s.endsWith("}") ? null : s);
        }
        return java.util.Collections.unmodifiableList(out);
    }

    List<Route> routes() {
        return routes;
    }

    /** Matches a request; HEAD is served by a GET route when no route declares HEAD. */
    Match match(String method, String rawPath) {
        String[] parts = rawPath.isEmpty() ? new String[]{""} : rawPath.substring(1).split("/", -1);
        Route best = null;
        Route bestHead = null;
        Set<String> allowed = new TreeSet<>();
        for (Route route : routes) {
            if (!pathMatches(route, parts)) {
                continue;
            }
            allowed.addAll(route.methods());
            boolean methodMatches = route.methods().contains(method) || route.methods().contains(EVERY_METHOD);
            if (methodMatches && (best == null || moreSpecific(route, best))) {
                best = route;
            }
            if (method.equals("HEAD") && route.methods().contains("GET") && (bestHead == null || moreSpecific(route, bestHead))) {
                bestHead = route;
            }
        }
        if (best == null) {
            best = bestHead;
        }
        if (best != null) {
            return new Match.Found(best, rawParams(best, parts));
        }
        if (allowed.isEmpty()) {
            return new Match.NotFound();
        }
        if (allowed.contains("GET")) {
            allowed.add("HEAD");
        }
        return new Match.WrongMethod(allowed);
    }

    private static boolean moreSpecific(Route a, Route b) {
        return a.specificity().compareTo(b.specificity()) > 0;
    }

    private static boolean pathMatches(Route route, String[] parts) {
        if (route.pattern().equals(EVERY_PATH)) {
            return true;
        }
        List<String> segments = route.segments();
        if (segments.size() != parts.length) {
            return false;
        }
        for (int i = 0; i < parts.length; i++) {
            String literal = segments.get(i);
            if (literal == null ? parts[i].isEmpty() : !literal.equals(parts[i]) && !literal.equals(decode(parts[i]))) {
                return false;
            }
        }
        return true;
    }

    /** A path segment with its %XX escapes decoded as UTF-8 ('+' stays '+': this is a path, not a form). */
    private static String decode(String segment) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        try {
            return java.net.URLDecoder.decode(segment.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return segment;   // a malformed escape matches only itself
        }
    }

    private static List<String> rawParams(Route route, String[] parts) {
        if (route.pattern().equals(EVERY_PATH)) {
            return List.of();
        }
        List<String> out = new ArrayList<>(2);
        List<String> segments = route.segments();
        for (int i = 0; i < parts.length; i++) {
            if (segments.get(i) == null) {
                out.add(parts[i]);
            }
        }
        return out;
    }
}
