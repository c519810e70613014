package io.covet.web;

import static org.assertj.core.api.Assertions.assertThat;

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
}
