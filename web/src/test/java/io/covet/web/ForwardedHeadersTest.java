package io.covet.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * What X-Forwarded-For and X-Forwarded-Proto make of a request's client and scheme: only a
 * trusted proxy's say, read from the end it appended to, so a client cannot choose its address.
 */
class ForwardedHeadersTest {

    private static final InetSocketAddress PROXY = new InetSocketAddress(InetAddress.ofLiteral("10.0.0.5"), 40000);
    private static final InetSocketAddress STRANGER = new InetSocketAddress(InetAddress.ofLiteral("198.51.100.9"), 40001);

    private static String client(ForwardedHeaders trusted, InetSocketAddress peer, String forwardedFor) {
        return trusted.resolve(peer, "http", forwardedFor, null).client().getAddress().getHostAddress();
    }

    @Test
    void anUntrustedPeersHeadersChangeNothing() {
        ForwardedHeaders trusted = ForwardedHeaders.parse("10.0.0.0/8");
        ForwardedHeaders.Origin origin = trusted.resolve(STRANGER, "http", "203.0.113.7", "https");
        assertThat(origin.client()).isEqualTo(STRANGER);
        assertThat(origin.scheme()).isEqualTo("http");
        assertThat(ForwardedHeaders.NONE.resolve(PROXY, "https", "203.0.113.7", "http").client()).isEqualTo(PROXY);
    }

    @Test
    void aTrustedProxySetsTheClientAndTheScheme() {
        ForwardedHeaders trusted = ForwardedHeaders.parse("10.0.0.5");
        ForwardedHeaders.Origin origin = trusted.resolve(PROXY, "http", "203.0.113.7", "https");
        assertThat(origin.client().getAddress().getHostAddress()).isEqualTo("203.0.113.7");
        assertThat(origin.scheme()).isEqualTo("https");
        assertThat(trusted.resolve(PROXY, "http", null, "HTTPS").scheme()).isEqualTo("https");
        assertThat(trusted.resolve(PROXY, "https", null, "gopher").scheme()).as("not a scheme the app can be served over")
                .isEqualTo("https");
    }

    @Test
    void anAddressAClientPutInFrontOfTheProxysIsNotBelieved() {
        ForwardedHeaders trusted = ForwardedHeaders.parse("10.0.0.0/8, 192.168.1.1");
        // The client sent "X-Forwarded-For: 6.6.6.6"; the proxies appended what they saw.
        assertThat(client(trusted, PROXY, "6.6.6.6, 203.0.113.7")).isEqualTo("203.0.113.7");
        assertThat(client(trusted, PROXY, "6.6.6.6, 203.0.113.7, 192.168.1.1, 10.1.2.3")).isEqualTo("203.0.113.7");
        // Every hop trusted: the first.
        assertThat(client(trusted, PROXY, "10.9.9.9,10.1.1.1")).isEqualTo("10.9.9.9");
    }

    @Test
    void portsAndBracketsAreReadAndNamesAreNeverLookedUp() {
        ForwardedHeaders trusted = ForwardedHeaders.parse("*");
        assertThat(client(trusted, STRANGER, "203.0.113.7:5123")).isEqualTo("203.0.113.7");
        assertThat(client(trusted, STRANGER, "[2001:db8::1]:443")).isEqualTo("2001:db8:0:0:0:0:0:1");
        assertThat(client(trusted, STRANGER, "2001:db8::2")).isEqualTo("2001:db8:0:0:0:0:0:2");
        // Not an address: the reading stops at the last trusted hop, here the peer itself.
        assertThat(client(trusted, STRANGER, "localhost")).isEqualTo("198.51.100.9");
        assertThat(client(trusted, STRANGER, "203.0.113.7, unknown")).isEqualTo("198.51.100.9");
        assertThat(client(trusted, STRANGER, "")).isEqualTo("198.51.100.9");
    }

    @Test
    void networksMatchOnTheirPrefixOnlyAndIPv4AndIPv6StayApart() {
        ForwardedHeaders trusted = ForwardedHeaders.parse("172.16.0.0/12,fd00::/8");
        assertThat(trusted.trusts(InetAddress.ofLiteral("172.31.255.255"))).isTrue();
        assertThat(trusted.trusts(InetAddress.ofLiteral("172.32.0.0"))).isFalse();
        assertThat(trusted.trusts(InetAddress.ofLiteral("fd12::1"))).isTrue();
        assertThat(trusted.trusts(InetAddress.ofLiteral("fe80::1"))).isFalse();
        assertThat(trusted.trusts(InetAddress.ofLiteral("::ffff:172.16.0.1"))).as("IPv4-mapped is IPv4 in Java").isTrue();
        assertThat(ForwardedHeaders.parse("0.0.0.0/0").trusts(InetAddress.ofLiteral("8.8.8.8"))).isTrue();
        assertThat(ForwardedHeaders.parse("").any()).isFalse();
    }

    @Test
    void whatIsNeitherAnAddressNorANetworkIsAnErrorNamingIt() {
        assertThatThrownBy(() -> ForwardedHeaders.parse("10.0.0.0/8,proxy.internal"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'proxy.internal'");
        assertThatThrownBy(() -> ForwardedHeaders.parse("10.0.0.0/33"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prefix length");
        assertThatThrownBy(() -> ForwardedHeaders.parse("10.0.0.0/x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'10.0.0.0/x'");
    }
}
