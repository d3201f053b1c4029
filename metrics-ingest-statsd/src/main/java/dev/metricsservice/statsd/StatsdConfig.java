package dev.metricsservice.statsd;

import java.util.Objects;

/**
 * Settings of the StatsD listener.
 *
 * @param host                 address to bind (loopback by default)
 * @param port                 UDP port; 0 picks a free one
 * @param readers              receiving threads on the port (SO_REUSEPORT with the native transport; 1 otherwise)
 * @param receiveBufferBytes   the socket receive buffer asked of the kernel (it may grant less: net.core.rmem_max)
 * @param maxDatagramBytes     the largest datagram read whole; longer ones are cut by the kernel
 * @param maxValuesPerLine     most values packed into one line ({@code name:1:2:3|d})
 * @param maxGauges            most gauges whose last value is kept for {@code +N}/{@code -N}
 */
public record StatsdConfig(String host, int port, int readers, int receiveBufferBytes, int maxDatagramBytes,
                           int maxValuesPerLine, int maxGauges) {

    public StatsdConfig {
        Objects.requireNonNull(host, "host");
        check("port", port, 0, 65535);
        check("readers", readers, 1, 64);
        check("receiveBufferBytes", receiveBufferBytes, 4096, 1 << 30);
        check("maxDatagramBytes", maxDatagramBytes, 512, 65535);
        check("maxValuesPerLine", maxValuesPerLine, 1, 10_000);
        check("maxGauges", maxGauges, 1, 100_000_000);
    }

    /** 127.0.0.1:8125, 2 readers, 8 MiB receive buffer, 64 KiB datagrams, 1,000 values a line, 1 M gauges. */
    public static StatsdConfig defaults() {
        return new StatsdConfig("127.0.0.1", 8125, 2, 8 << 20, 65535, 1000, 1_000_000);
    }

    public StatsdConfig withAddress(String host, int port) {
        return new StatsdConfig(host, port, readers, receiveBufferBytes, maxDatagramBytes, maxValuesPerLine, maxGauges);
    }

    private static void check(String what, long v, long min, long max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(what + " must be between " + min + " and " + max + ", was " + v);
        }
    }
}
