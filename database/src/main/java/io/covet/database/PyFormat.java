package io.covet.database;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * SQL written for psycopg2 ({@code paramstyle = "pyformat"}: {@code %s}, {@code %(name)s},
 * {@code %%} for a literal percent sign) turned into JDBC's, once per statement text:
 * placeholders become {@code ?}, and a {@code ?} of the SQL itself (PostgreSQL's JSON operators)
 * becomes pgjdbc's escape {@code ??}. psycopg2 pastes quoted values into the text; Covet binds
 * them, so a placeholder must stand where a value may (not inside a quoted string, where binding
 * cannot reach: that is refused, naming the offset).
 *
 * <p>SQL run without parameters is left as written, as psycopg2 leaves it.
 *
 * @param sql   the JDBC statement text
 * @param slots for each {@code ?}, in order: the position ({@link Integer}) or the name ({@link String}) of its value
 * @param marks for each {@code ?}, its offset in {@code sql}
 */
record PyFormat(String sql, List<Object> slots, int[] marks) {

    /** Parses {@code text}; a malformed placeholder is a {@link DbException} of ProgrammingError. */
    static PyFormat parse(String text) {
        return parse(text, true);
    }

    /** {@code text}, run without parameters, as a prepared statement's text: only its own {@code ?} escaped. */
    static String unbound(String text) {
        return parse(text, false).sql();
    }

    private static PyFormat parse(String text, boolean placeholders) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        List<Object> slots = new ArrayList<>();
        List<Integer> marks = new ArrayList<>();
        int positional = 0;
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            int end = quotedEnd(text, i);
            if (end > i) {
                String quoted = text.substring(i, end);
                int placeholder = placeholders ? placeholderIn(quoted) : -1;
                if (placeholder >= 0) {
                    throw programming("parameter placeholder inside quotes at offset " + (i + placeholder) + " of the SQL: Covet binds "
                            + "parameters rather than pasting them into the text, so write the placeholder outside the quotes "
                            + "(e.g. LIKE %s with the value '%abc%')");
                }
                out.append(placeholders ? quoted.replace("%%", "%") : quoted);
                i = end;
                continue;
            }
            if (c == '?') {
                out.append("??");
                i++;
            } else if (c != '%' || !placeholders) {
                out.append(c);
                i++;
            } else if (i + 1 >= n) {
                throw programming("incomplete placeholder: '%' at the end of the SQL (write %% for a percent sign)");
            } else if (text.charAt(i + 1) == '%') {
                out.append('%');
                i += 2;
            } else if (text.charAt(i + 1) == 's') {
                slots.add(positional++);
                marks.add(out.length());
                out.append('?');
                i += 2;
            } else if (text.charAt(i + 1) == '(') {
                int close = text.indexOf(')', i + 2);
                if (close < 0 || close + 1 >= n || text.charAt(close + 1) != 's') {
                    throw programming("malformed placeholder at offset " + i + " of the SQL: expected %(name)s");
                }
                slots.add(text.substring(i + 2, close));
                marks.add(out.length());
                out.append('?');
                i = close + 2;
            } else {
                throw programming("unsupported placeholder '%" + text.charAt(i + 1) + "' at offset " + i
                        + " of the SQL: use %s or %(name)s for values, %% for a percent sign");
            }
        }
        boolean named = slots.stream().anyMatch(String.class::isInstance);
        if (named && positional > 0) {
            throw programming("the SQL mixes %s and %(name)s placeholders; use one style");
        }
        return new PyFormat(out.toString(), List.copyOf(slots), marks.stream().mapToInt(Integer::intValue).toArray());
    }

    /** {@link #sql} with the placeholders whose value in {@code values} (from {@link #bind}) is null written as NULL. */
    String withNulls(List<Object> values) {
        StringBuilder out = new StringBuilder(sql.length() + 16);
        int from = 0;
        for (int i = 0; i < marks.length; i++) {
            if (values.get(i) == null) {
                out.append(sql, from, marks[i]).append("NULL");
                from = marks[i] + 1;
            }
        }
        return out.append(sql, from, sql.length()).toString();
    }

    /** The values for the slots, in order, from a sequence ({@link List}) or a mapping ({@link Map}) of parameters. */
    List<Object> bind(Object params) {
        if (params instanceof Map<?, ?> map) {
            List<Object> values = new ArrayList<>(slots.size());
            for (Object slot : slots) {
                if (!(slot instanceof String name)) {
                    throw programming("the SQL has %s placeholders but the parameters are a mapping; pass a sequence");
                }
                if (!map.containsKey(name)) {
                    throw programming("no parameter named '" + name + "' for %(" + name + ")s");
                }
                values.add(map.get(name));
            }
            return values;
        }
        if (params instanceof List<?> list) {
            if (slots.stream().anyMatch(String.class::isInstance)) {
                throw programming("the SQL has %(name)s placeholders but the parameters are a sequence; pass a mapping");
            }
            if (list.size() != slots.size()) {
                throw programming("the SQL has " + slots.size() + " placeholder" + (slots.size() == 1 ? "" : "s") + " but "
                        + list.size() + " parameter" + (list.size() == 1 ? " was" : "s were") + " given");
            }
            return new ArrayList<>(list);
        }
        throw programming("parameters must be a sequence or a mapping");
    }

    /**
     * Where the quoted part of the SQL starting at {@code i} ends (a string, a quoted name, a
     * dollar-quoted string or a comment), or {@code i} when none starts there.
     */
    private static int quotedEnd(String s, int i) {
        char c = s.charAt(i);
        int n = s.length();
        if (c == '\'') {
            boolean backslashes = i > 0 && (s.charAt(i - 1) == 'E' || s.charAt(i - 1) == 'e')
                    && (i < 2 || !Character.isLetterOrDigit(s.charAt(i - 2)) && s.charAt(i - 2) != '_');
            int j = i + 1;
            while (j < n) {
                char d = s.charAt(j);
                if (backslashes && d == '\\') {
                    j += 2;
                } else if (d == '\'') {
                    if (j + 1 < n && s.charAt(j + 1) == '\'') {
                        j += 2;
                    } else {
                        return j + 1;
                    }
                } else {
                    j++;
                }
            }
            return n;
        }
        if (c == '"') {
            int j = s.indexOf('"', i + 1);
            while (j >= 0 && j + 1 < n && s.charAt(j + 1) == '"') {
                j = s.indexOf('"', j + 2);
            }
            return j < 0 ? n : j + 1;
        }
        if (c == '-' && i + 1 < n && s.charAt(i + 1) == '-') {
            int j = s.indexOf('\n', i);
            return j < 0 ? n : j + 1;
        }
        if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
            int depth = 0;
            int j = i;
            while (j + 1 < n) {
                if (s.charAt(j) == '/' && s.charAt(j + 1) == '*') {
                    depth++;
                    j += 2;
                } else if (s.charAt(j) == '*' && s.charAt(j + 1) == '/') {
                    j += 2;
                    if (--depth == 0) {
                        return j;
                    }
                } else {
                    j++;
                }
            }
            return n;
        }
        if (c == '$' && (i == 0 || !Character.isLetterOrDigit(s.charAt(i - 1)) && s.charAt(i - 1) != '_')) {
            int j = i + 1;
            while (j < n && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_') && !Character.isDigit(s.charAt(i + 1))) {
                j++;
            }
            if (j < n && s.charAt(j) == '$') {
                String tag = s.substring(i, j + 1);
                int close = s.indexOf(tag, j + 1);
                return close < 0 ? n : close + tag.length();
            }
        }
        return i;
    }

    /** The offset in {@code quoted} of a {@code %s} or {@code %(name)s}, or -1 ({@code %%} is not one). */
    private static int placeholderIn(String quoted) {
        for (int j = 0; j + 1 < quoted.length(); j++) {
            if (quoted.charAt(j) == '%') {
                char next = quoted.charAt(j + 1);
                if (next == '%') {
                    j++;
                } else if (next == 's' || next == '(') {
                    return j;
                }
            }
        }
        return -1;
    }

    private static DbException programming(String message) {
        return new DbException("ProgrammingError", null, message);
    }
}
