package io.covet.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** psycopg2's placeholders become JDBC's, and nothing else in the SQL changes meaning. */
class PyFormatTest {

    @Test
    void positionalAndNamedPlaceholdersBecomeJdbcOnesInOrder() {
        PyFormat positional = PyFormat.parse("SELECT * FROM t WHERE a = %s AND b > %s");
        assertThat(positional.sql()).isEqualTo("SELECT * FROM t WHERE a = ? AND b > ?");
        assertThat(positional.bind(List.of(1L, "x"))).containsExactly(1L, "x");

        PyFormat named = PyFormat.parse("UPDATE t SET a = %(a)s WHERE id = %(id)s OR parent = %(id)s");
        assertThat(named.sql()).isEqualTo("UPDATE t SET a = ? WHERE id = ? OR parent = ?");
        assertThat(named.bind(Map.of("a", "v", "id", 7L))).containsExactly("v", 7L, 7L);
    }

    @Test
    void percentSignsAndQuestionMarksKeepTheirMeaning() {
        PyFormat f = PyFormat.parse("SELECT '100%%', data ? 'key', 'what?' FROM t WHERE name LIKE %s -- 50%% off?\n");
        assertThat(f.sql()).isEqualTo("SELECT '100%', data ?? 'key', 'what?' FROM t WHERE name LIKE ? -- 50% off?\n");
        assertThat(PyFormat.unbound("SELECT data ? 'k', '50%' FROM t")).isEqualTo("SELECT data ?? 'k', '50%' FROM t");
        assertThat(PyFormat.parse("SELECT $$ 9%% ? $$, $tag$ it's $tag$, \"col?\", E'a\\'%%s' FROM t").sql())
                .isEqualTo("SELECT $$ 9% ? $$, $tag$ it's $tag$, \"col?\", E'a\\'%s' FROM t");
    }

    @Test
    void malformedPlaceholdersAndMismatchedParametersAreProgrammingErrorsThatSayWhy() {
        assertThatThrownBy(() -> PyFormat.parse("SELECT %d")).isInstanceOf(DbException.class)
                .hasMessageContaining("unsupported placeholder '%d'").extracting(e -> ((DbException) e).dbapiClass()).isEqualTo("ProgrammingError");
        assertThatThrownBy(() -> PyFormat.parse("SELECT %(name")).hasMessageContaining("expected %(name)s");
        assertThatThrownBy(() -> PyFormat.parse("SELECT 5 %")).hasMessageContaining("write %% for a percent sign");
        assertThatThrownBy(() -> PyFormat.parse("SELECT %s, %(a)s")).hasMessageContaining("mixes");
        assertThatThrownBy(() -> PyFormat.parse("SELECT 'x%s'")).hasMessageContaining("inside quotes at offset 9");
        assertThatThrownBy(() -> PyFormat.parse("SELECT %s, %s").bind(List.of(1L))).hasMessageContaining("2 placeholders but 1 parameter was given");
        assertThatThrownBy(() -> PyFormat.parse("SELECT %(a)s").bind(Map.of("b", 1L))).hasMessageContaining("no parameter named 'a'");
        assertThatThrownBy(() -> PyFormat.parse("SELECT %(a)s").bind(List.of(1L))).hasMessageContaining("pass a mapping");
    }
}
