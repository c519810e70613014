package io.covet.web;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code --forwarded-allow-ips}: which peers are trusted proxies, and what their
 * {@code X-Forwarded-For} and {@code X-Forwarded-Proto} headers make of a request's client and
 * scheme (into WSGI's {@code REMOTE_ADDR} and {@code wsgi.url_scheme}, the ASGI scope's
 * {@code client} and {@code scheme}).
 *
 * <p>Only a trusted peer's headers count; anyone else's are the client's own words and change
 * nothing. {@code X-Forwarded-For} is read from the right, the end the trusted proxy appended
 * to: the client is the first address there that is not itself a trusted proxy, so a client
 * cannot choose its address by sending the header with a made-up value first. A value that is
 * not an IP address (a proxy's "unknown", a host name) stops the reading: the client is then the
 * last trusted hop. No name is ever looked up.
 */
public final class ForwardedHeaders {

    /** Trusts nobody: every request's client is its peer, its scheme the connection's. */
    public static final ForwardedHeaders NONE = new ForwardedHeaders(List.of(), false, "");

    private final List<Network> trusted;
    private final boolean everyone;
    private final String spec;

    private ForwardedHeaders(List<Network> trusted, boolean everyone, String spec) {
        this.trusted = trusted;
        this.everyone = everyone;
        this.spec = spec;
    }

    /**
     * Parses a comma-separated list of IP addresses and CIDR networks ({@code 10.0.0.0/8},
     * {@code ::1}), or {@code *} for every peer; empty for none.
     *
     * @throws IllegalArgumentException naming the entry that is neither
     */
    public static ForwardedHeaders parse(String spec) {
        String s = spec == null ? "" : spec.strip();
        if (s.isEmpty()) {
            return NONE;
        }
        List<Network> networks = new ArrayList<>();
        boolean everyone = false;
        for (String part : s.split(",")) {
            String entry = part.strip();
            if (entry.isEmpty()) {
                continue;
            }
            if (entry.equals("*")) {
                everyone = true;
                continue;
            }
            networks.add(Network.parse(entry));
        }
        return new ForwardedHeaders(List.copyOf(networks), everyone, s);
    }

    /** True if {@code address} is a trusted proxy. */
    public boolean trusts(InetAddress address) {
        if (everyone) {
            return true;
        }
        for (Network n : trusted) {
            if (n.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** True if some peer is trusted. */
    public boolean any() {
        return everyone || !trusted.isEmpty();
    }

    /** A request's client and scheme once its forwarding headers are weighed. */
    public record Origin(InetSocketAddress client, String scheme) {
    }

    /**
     * The client and scheme of a request from {@code peer} over a connection of {@code scheme},
     * given its {@code X-Forwarded-For} and {@code X-Forwarded-Proto} values (each header's lines
     * joined with commas; null when absent).
     */
    public Origin resolve(InetSocketAddress peer, String scheme, String forwardedFor, String forwardedProto) {
        if (!any() || peer.getAddress() == null || !trusts(peer.getAddress())) {
            return new Origin(peer, scheme);
        }
        String resolvedScheme = scheme;
        if (forwardedProto != null) {
            String last = forwardedProto.substring(forwardedProto.lastIndexOf(',') + 1).strip().toLowerCase(Locale.ROOT);
            if (last.equals("http") || last.equals("https")) {
                resolvedScheme = last;
            }
        }
        InetSocketAddress client = peer;
        if (forwardedFor != null) {
            String[] hops = forwardedFor.split(",");
            for (int i = hops.length - 1; i >= 0; i--) {
                InetAddress hop = literal(hops[i].strip());
                if (hop == null) {
                    break;
                }
                client = new InetSocketAddress(hop, 0);
                if (!trusts(hop)) {
                    break;
                }
            }
        }
        return new Origin(client, resolvedScheme);
    }

    /** An IP address as written in X-Forwarded-For (bare, {@code [v6]}, or with a port), or null. */
    static InetAddress literal(String hop) {
        String h = hop;
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            if (end < 0) {
                return null;
            }
            h = h.substring(1, end);
        } else if (h.indexOf(':') >= 0 && h.indexOf(':') == h.lastIndexOf(':')) {
            h = h.substring(0, h.indexOf(':'));   // IPv4 with a port
        }
        try {
            return InetAddress.ofLiteral(h);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return spec.isEmpty() ? "nobody" : spec;
    }

    /** An address with a prefix length: the network of all addresses sharing those first bits. */
    private record Network(byte[] address, int prefix) {

        static Network parse(String entry) {
            int slash = entry.indexOf('/');
            String host = slash < 0 ? entry : entry.substring(0, slash);
            InetAddress address;
            try {
                address = InetAddress.ofLiteral(host);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--forwarded-allow-ips: '" + entry
                        + "' is not an IP address or network (like 10.0.0.0/8), nor *");
            }
            int bits = address.getAddress().length * 8;
            int prefix = bits;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(entry.substring(slash + 1));
                } catch (NumberFormatException e) {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > bits) {
                    throw new IllegalArgumentException("--forwarded-allow-ips: '" + entry + "' has a prefix length that is not 0-"
                            + bits);
                }
            }
            return new Network(address.getAddress(), prefix);
        }

        boolean contains(InetAddress candidate) {
            byte[] other = candidate.getAddress();
            if (other.length != address.length) {
                return false;   // IPv4 against IPv6: an IPv4-mapped peer is already IPv4 in Java
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (other[i] != address[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (other[full] & mask) == (address[full] & mask);
        }
    }
}
