package io.covet.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One measurement of one case at one size, the record every {@code covet bench} suite writes
 * with {@code --json}. Peer fields are null when no peer ran.
 *
 * @param suite        suite name, e.g. {@code "compute"}
 * @param caseName     case name, e.g. {@code "sum_f32"}
 * @param size         elements, or the matrix side for matrix cases
 * @param threads      threads Covet used
 * @param unit         e.g. {@code "GB/s"}, {@code "GFLOP/s"}
 * @param better       {@code "higher"} or {@code "lower"}
 * @param covet        Covet's figure (median of the samples)
 * @param peer         what Covet was compared with, e.g. {@code "numpy 2.4.6 (scipy-openblas 0.3.31, core Haswell)"}
 * @param peerValue    the peer's figure, measured the same way
 * @param peerThreads  threads the peer may use
 */
@JsonPropertyOrder({"suite", "case", "size", "threads", "unit", "better", "covet", "peer", "peer_value", "peer_threads"})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record BenchRecord(
        @JsonProperty("suite") String suite,
        @JsonProperty("case") String caseName,
        @JsonProperty("size") long size,
        @JsonProperty("threads") int threads,
        @JsonProperty("unit") String unit,
        @JsonProperty("better") String better,
        @JsonProperty("covet") double covet,
        @JsonProperty("peer") String peer,
        @JsonProperty("peer_value") Double peerValue,
        @JsonProperty("peer_threads") Integer peerThreads) {

    public static final String HIGHER = "higher";
    public static final String LOWER = "lower";

    public BenchRecord {
        if (!HIGHER.equals(better) && !LOWER.equals(better)) {
            throw new IllegalArgumentException("better must be \"higher\" or \"lower\", got " + better);
        }
    }

    /** Covet relative to the peer, greater than 1 when Covet is better; null without a peer. */
    public Double ratio() {
        if (peerValue == null || peerValue == 0 || covet == 0) {
            return null;
        }
        return HIGHER.equals(better) ? covet / peerValue : peerValue / covet;
    }
}
