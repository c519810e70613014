package io.covet.interpreters;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What Covet's sqlite3 must know of a statement's text that sqlite-jdbc does not say: where the
 * first statement ends (one at a time for {@code execute}), the names of its parameters in
 * SQLite's numbering (for a dict of parameters), its leading keywords (implicit transactions,
 * rowcount, the sandbox's checks), and whether a text is a complete statement
 * ({@code sqlite3.complete_statement}). It follows SQLite's own tokenizer ({@code complete.c},
 * {@code tokenize.c}) as far as these need: quoted strings and identifiers ({@code '..'},
 * {@code ".."}, {@code `..`}, {@code [..]}), both kinds of comment, and a trigger's body, whose
 * semicolons do not end it.
 */
final class SqlText {

    private static final int SEMI = 0;
    private static final int WS = 1;
    private static final int OTHER = 2;
    private static final int EXPLAIN = 3;
    private static final int CREATE = 4;
    private static final int TEMP = 5;
    private static final int TRIGGER = 6;
    private static final int END = 7;
    /** complete.c's state machine: state x token -> state; 1 (START) at the end is a complete text. */
    private static final int[][] TRANS = {
            /* 0 INVALID */ {1, 0, 2, 3, 4, 2, 2, 2},
            /* 1   START */ {1, 1, 2, 3, 4, 2, 2, 2},
            /* 2  NORMAL */ {1, 2, 2, 2, 2, 2, 2, 2},
            /* 3 EXPLAIN */ {1, 3, 3, 2, 4, 2, 2, 2},
            /* 4  CREATE */ {1, 4, 2, 2, 2, 4, 5, 2},
            /* 5 TRIGGER */ {6, 5, 5, 5, 5, 5, 5, 5},
            /* 6    SEMI */ {6, 6, 5, 5, 5, 5, 5, 7},
            /* 7     END */ {1, 7, 5, 5, 5, 5, 5, 5},
    };

    private SqlText() {
    }

    /** {@code sqlite3_complete}: whether {@code sql} ends with a complete statement (a trigger's body included). */
    static boolean complete(String sql) {
        int state = 0;
        Scanner s = new Scanner(sql);
        for (int token; (token = s.next()) >= 0; ) {
            if (token == Scanner.UNTERMINATED) {
                return false;
            }
            state = TRANS[state][token];
        }
        return state == 1;
    }

    /**
     * Where the first statement of {@code sql} ends: just after its semicolon (outside strings,
     * comments and a trigger's body), or the text's length.
     */
    static int endOfFirst(String sql) {
        return endOfNext(sql, 0);
    }

    /** {@link #endOfFirst} of the statements that start at {@code from}. */
    static int endOfNext(String sql, int from) {
        int state = 0;
        Scanner s = new Scanner(sql);
        s.at = from;
        for (int token; (token = s.next()) >= 0; ) {
            if (token == Scanner.UNTERMINATED) {
                return sql.length();
            }
            if (token == SEMI && state != 5 && state != 6) {
                return s.at;
            }
            state = TRANS[state][token];
        }
        return sql.length();
    }

    /** Whether nothing but whitespace, comments and semicolons follows {@code from}. */
    static boolean onlyTrivia(String sql, int from) {
        Scanner s = new Scanner(sql);
        s.at = from;
        for (int token; (token = s.next()) >= 0; ) {
            if (token != WS && token != SEMI) {
                return false;
            }
        }
        return true;
    }

    /**
     * The first {@code n} words or quoted names of the statement, as written (quotes taken off):
     * {@code RELEASE SAVEPOINT "s1"} -> RELEASE, SAVEPOINT, s1. Stops at anything else.
     */
    static List<String> words(String sql, int n) {
        List<String> words = new ArrayList<>(n);
        Scanner s = new Scanner(sql);
        for (int token; words.size() < n && (token = s.next()) >= 0; ) {
            if (token == WS) {
                continue;
            }
            if (token == Scanner.UNTERMINATED) {
                break;
            }
            String text = sql.substring(s.start, s.at);
            if (s.word) {
                words.add(text);
            } else if (text.length() >= 2 && "\"`[".indexOf(text.charAt(0)) >= 0) {
                String inner = text.substring(1, text.length() - 1);
                words.add(text.charAt(0) == '[' ? inner : inner.replace(text.substring(0, 1).repeat(2), text.substring(0, 1)));
            } else {
                break;
            }
        }
        return words;
    }

    /** The statement's first word, upper case ("" if it starts with anything else, or is empty). */
    static String firstKeyword(String sql) {
        Scanner s = new Scanner(sql);
        for (int token; (token = s.next()) >= 0; ) {
            if (token != WS) {
                return s.word ? sql.substring(s.start, s.at).toUpperCase(Locale.ROOT) : "";
            }
        }
        return "";
    }

    /**
     * The statement's parameters as SQLite numbers them: element {@code i} is the name of
     * parameter {@code i + 1} without its prefix ({@code :a}, {@code @a}, {@code $a} -> "a"), null
     * for a {@code ?} or {@code ?NNN} one (a number with no parameter of its own stays null too).
     */
    static List<String> parameterNames(String sql) {
        List<String> names = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        Scanner s = new Scanner(sql);
        for (int token; (token = s.next()) >= 0; ) {
            if (token == Scanner.UNTERMINATED) {
                break;
            }
            if (s.parameter == null) {
                continue;
            }
            String p = s.parameter;
            int index;
            if (p.equals("?")) {
                index = names.size() + 1;
            } else if (p.charAt(0) == '?') {
                index = Integer.parseInt(p.substring(1));
            } else {
                Integer known = seen.get(p);
                index = known != null ? known : names.size() + 1;
                seen.put(p, index);
            }
            while (names.size() < index) {
                names.add(null);
            }
            if (p.charAt(0) != '?') {
                names.set(index - 1, p.substring(1));
            }
        }
        return names;
    }

    /** SQLite's tokens, as far as the above need them. */
    private static final class Scanner {
        static final int UNTERMINATED = 100;
        private final String sql;
        int at;
        int start;
        /** The last token was a bare word (a keyword or a name). */
        boolean word;
        /** The last token's parameter ("?", "?3", ":name"), or null. */
        String parameter;

        Scanner(String sql) {
            this.sql = sql;
        }

        /** The next token, -1 at the end. */
        int next() {
            word = false;
            parameter = null;
            int n = sql.length();
            if (at >= n) {
                return -1;
            }
            start = at;
            char c = sql.charAt(at);
            switch (c) {
                case ';' -> {
                    at++;
                    return SEMI;
                }
                case ' ', '\t', '\n', '\f', '\r' -> {
                    at++;
                    return WS;
                }
                case '/' -> {
                    if (at + 1 < n && sql.charAt(at + 1) == '*') {
                        return through("*/", at + 2, WS);
                    }
                    at++;
                    return OTHER;
                }
                case '-' -> {
                    if (at + 1 < n && sql.charAt(at + 1) == '-') {
                        int eol = sql.indexOf('\n', at);
                        at = eol < 0 ? n : eol + 1;
                        return WS;
                    }
                    at++;
                    return OTHER;
                }
                case '[' -> {
                    return through("]", at + 1, OTHER);
                }
                case '\'', '"', '`' -> {
                    int i = at + 1;
                    while (true) {
                        int close = sql.indexOf(c, i);
                        if (close < 0) {
                            at = n;
                            return UNTERMINATED;
                        }
                        if (close + 1 < n && sql.charAt(close + 1) == c) {
                            i = close + 2;   // a doubled quote stands for itself
                            continue;
                        }
                        at = close + 1;
                        return OTHER;
                    }
                }
                case '?' -> {
                    int i = at + 1;
                    while (i < n && Character.isDigit(sql.charAt(i))) {
                        i++;
                    }
                    parameter = sql.substring(at, i);
                    at = i;
                    return OTHER;
                }
                case ':', '@', '$' -> {
                    int i = at + 1;
                    while (i < n) {
                        char d = sql.charAt(i);
                        if (identifierChar(d)) {
                            i++;
                        } else if (c == '$' && d == ':' && i + 1 < n && sql.charAt(i + 1) == ':') {
                            i += 2;   // Tcl's namespace separator, which SQLite allows in $names
                        } else {
                            break;
                        }
                    }
                    if (i > at + 1) {
                        parameter = sql.substring(at, i);
                    }
                    at = Math.max(i, at + 1);
                    return OTHER;
                }
                default -> {
                    if (identifierChar(c) && !Character.isDigit(c)) {
                        int i = at;
                        while (i < n && identifierChar(sql.charAt(i))) {
                            i++;
                        }
                        at = i;
                        word = true;
                        return keyword(sql.substring(start, at));
                    }
                    at++;
                    return OTHER;
                }
            }
        }

        /** Moves past the next {@code close} from {@code from}: {@code token}, or UNTERMINATED (at the end) if none follows. */
        private int through(String close, int from, int token) {
            int end = sql.indexOf(close, from);
            if (end < 0) {
                at = sql.length();
                return UNTERMINATED;
            }
            at = end + close.length();
            return token;
        }

        private static int keyword(String w) {
            return switch (w.toUpperCase(Locale.ROOT)) {
                case "CREATE" -> CREATE;
                case "TEMP", "TEMPORARY" -> TEMP;
                case "TRIGGER" -> TRIGGER;
                case "EXPLAIN" -> EXPLAIN;
                case "END" -> END;
                default -> OTHER;
            };
        }

        private static boolean identifierChar(char c) {
            return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 0x80;
        }
    }
}
