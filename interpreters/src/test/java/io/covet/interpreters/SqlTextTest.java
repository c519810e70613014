package io.covet.interpreters;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** SqlText reads a statement's text as SQLite's tokenizer does: strings, names, comments and trigger bodies hide what they hold. */
class SqlTextTest {

    @Test
    void parametersAreNumberedAsSqliteNumbersThem() {
        assertThat(SqlText.parameterNames("SELECT ?, ?")).containsExactly(null, null);
        assertThat(SqlText.parameterNames("SELECT :a, @b, $c, :a, ?5, ?")).containsExactly("a", "b", "c", null, null, null);
        assertThat(SqlText.parameterNames("SELECT ?2, :x")).as("a number leaves the slots before it unnamed")
                .containsExactly(null, null, "x");
        assertThat(SqlText.parameterNames("SELECT $ns::var, :a1_b")).containsExactly("ns::var", "a1_b");
        assertThat(SqlText.parameterNames("SELECT ':no', \":no\", [:no], `:no` -- :no\n, /* :no */ :yes"))
                .as("not inside strings, names or comments").containsExactly("yes");
    }

    @Test
    void theFirstStatementEndsAtASemicolonOutsideStringsCommentsAndTriggerBodies() {
        assertThat(SqlText.endOfFirst("SELECT 1; SELECT 2")).isEqualTo(9);
        assertThat(SqlText.endOfFirst("SELECT ';'; x")).isEqualTo(11);
        assertThat(SqlText.endOfFirst("SELECT 1 -- ; \n; x")).isEqualTo(16);
        String trigger = "CREATE TRIGGER t AFTER INSERT ON a BEGIN INSERT INTO b VALUES (1); DELETE FROM c; END;";
        assertThat(SqlText.endOfFirst(trigger + " SELECT 2")).isEqualTo(trigger.length());
        assertThat(SqlText.onlyTrivia("SELECT 1; -- done\n ; /* and */", 9)).isTrue();
        assertThat(SqlText.onlyTrivia("SELECT 1; SELECT 2", 9)).isFalse();
    }

    @Test
    void completenessFollowsSqlite3Complete() {
        for (String complete : new String[] {"SELECT 1;", "SELECT ';';", "SELECT 1; -- trailing", "EXPLAIN SELECT 1;",
                "CREATE TEMP TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END;", "CREATE TABLE \"end\" (x);"}) {
            assertThat(SqlText.complete(complete)).as(complete).isTrue();
        }
        for (String incomplete : new String[] {"SELECT 1", "SELECT ';'", "-- x;", "/* x; */", "SELECT 'open;",
                "CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1;", "SELECT 1 /* open;"}) {
            assertThat(SqlText.complete(incomplete)).as(incomplete).isFalse();
        }
    }

    @Test
    void wordsAreTheLeadingKeywordsAndNamesUnquoted() {
        assertThat(SqlText.words("  release SAVEPOINT \"s\"\"1\" ;", 3)).containsExactly("release", "SAVEPOINT", "s\"1");
        assertThat(SqlText.words("ROLLBACK TO [sp 1]", 3)).containsExactly("ROLLBACK", "TO", "sp 1");
        assertThat(SqlText.words("/* c */ INSERT INTO t VALUES (1)", 2)).containsExactly("INSERT", "INTO");
        assertThat(SqlText.firstKeyword("-- c\nvacuum")).isEqualTo("VACUUM");
        assertThat(SqlText.firstKeyword("(SELECT 1)")).as("not a word first").isEmpty();
        assertThat(SqlText.firstKeyword("")).isEmpty();
    }
}
