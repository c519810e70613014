package io.covet.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import io.covet.runtime.WebApp;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouteTableTest {

    private final RouteTable table = RouteTable.of(List.of(
            new WebApp.Route(Set.of("GET"), "/items/{id}", false),
            new WebApp.Route(Set.of("GET"), "/items/special", false),
            new WebApp.Route(Set.of("PUT", "DELETE"), "/items/{id}", false),
            new WebApp.Route(Set.of("POST"), "/users/{name}/posts/{post}", true),
            new WebApp.Route(Set.of("GET"), "/", false),
            new WebApp.Route(Set.of("GET"), "/café", false)));

    @Test
    void aLiteralSegmentBeatsAParameterAndParametersComeBackRawInOrder() {
        assertThat(table.match("GET", "/items/special")).isInstanceOfSatisfying(RouteTable.Match.Found.class,
                f -> assertThat(f.route().pattern()).isEqualTo("/items/special"));
        assertThat(table.match("GET", "/items/a%20b")).isInstanceOfSatisfying(RouteTable.Match.Found.class,
                f -> assertThat(f.rawParams()).containsExactly("a%20b"));
        assertThat(table.match("POST", "/users/ada/posts/7")).isInstanceOfSatisfying(RouteTable.Match.Found.class, f -> {
            assertThat(f.rawParams()).containsExactly("ada", "7");
            assertThat(f.route().floatBody()).isTrue();
        });
        assertThat(table.match("GET", "/")).isInstanceOf(RouteTable.Match.Found.class);
        assertThat(table.match("GET", "/caf%C3%A9")).as("literals match the decoded path").isInstanceOf(RouteTable.Match.Found.class);
    }

    @Test
    void unknownPathsAndEmptyOrExtraSegmentsAreNotFound() {
        assertThat(table.match("GET", "/items")).isInstanceOf(RouteTable.Match.NotFound.class);
        assertThat(table.match("GET", "/items/")).isInstanceOf(RouteTable.Match.NotFound.class);
        assertThat(table.match("GET", "/items/1/2")).isInstanceOf(RouteTable.Match.NotFound.class);
    }

    @Test
    void aWrongMethodListsEveryAllowedOneAndHeadIsServedByGet() {
        assertThat(table.match("POST", "/items/3")).isInstanceOfSatisfying(RouteTable.Match.WrongMethod.class,
                w -> assertThat(w.allowed()).containsExactly("DELETE", "GET", "HEAD", "PUT"));
        assertThat(table.match("HEAD", "/items/3")).isInstanceOfSatisfying(RouteTable.Match.Found.class,
                f -> assertThat(f.route().methods()).contains("GET"));
    }

    @Test
    void onlyAJsonArrayOfNumbersIsParsedInJava() {
        assertThat(CovetServer.numberArray(bytes(" [1, 2.5, -3e2, 4] "))).containsExactly(1, 2.5, -300, 4);
        assertThat(CovetServer.numberArray(bytes("[]"))).isEmpty();
        assertThat(CovetServer.numberArray(bytes("[1, \"two\"]"))).isNull();
        assertThat(CovetServer.numberArray(bytes("[1, [2]]"))).isNull();
        assertThat(CovetServer.numberArray(bytes("{\"data\": [1]}"))).isNull();
        assertThat(CovetServer.numberArray(bytes("[1, 2"))).as("malformed: Python reports it").isNull();
        assertThat(CovetServer.numberArray(bytes("[1] [2]"))).as("trailing content").isNull();
        assertThat(CovetServer.numberArray(bytes("[1e400]"))).as("not finite: Python reports it").isNull();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
