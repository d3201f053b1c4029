package dev.metricsservice.benchmarks.statsd;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends StatsD counter lines at a fixed rate: {@code LINES_PER_DATAGRAM} lines a datagram over
 * {@code NAMES} metric names, paced per millisecond, for a bounded time; prints what it sent.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.metricsservice.benchmarks.statsd.UdpFlood \
 *     127.0.0.1 8125 400000 5 20 50
 * </pre>
 * Arguments: host, port, lines per second, seconds, lines per datagram, distinct names. Every line
 * is {@code bench.m<k>:1|c}, so a receiver's count of bench counters is the number of lines it took.
 */
public final class UdpFlood {

    private UdpFlood() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: UdpFlood host port linesPerSecond seconds linesPerDatagram names");
            System.exit(2);
        }
        InetSocketAddress target = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        long rate = Long.parseLong(args[2]);
        int seconds = Integer.parseInt(args[3]);
        int perDatagram = Integer.parseInt(args[4]);
        int names = Integer.parseInt(args[5]);
        if (seconds < 1 || seconds > 600 || rate < 1 || perDatagram < 1 || names < 1) {
            throw new IllegalArgumentException("seconds 1..600, positive rate, lines and names");
        }
        // Prebuilt datagrams, cycling over the names.
        int variants = names;
        ByteBuffer[] datagrams = new ByteBuffer[variants];
        for (int v = 0; v < variants; v++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < perDatagram; i++) {
                sb.append("bench.m").append((v + i) % names).append(":1|c\n");
            }
            datagrams[v] = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.US_ASCII));
        }
        long datagramsPerSecond = Math.max(1, rate / perDatagram);
        long sent = 0;
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.connect(target);
            long tick = start;
            while (true) {
                long now = System.nanoTime();
                if (now >= end) {
                    break;
                }
                // Datagrams due by now at the rate; send them, then wait for the next millisecond.
                long due = (now - start) * datagramsPerSecond / 1_000_000_000L;
                while (sent < due) {
                    ByteBuffer b = datagrams[(int) (sent % variants)].duplicate();
                    try {
                        ch.write(b);
                    } catch (java.io.IOException refused) {
                        // ICMP port unreachable from an earlier datagram; the receiver is restarting
                    }
                    sent++;
                }
                tick += 1_000_000L;
                long sleep = tick - System.nanoTime();
                if (sleep > 0) {
                    LockSupport.parkNanos(sleep);
                }
            }
        }
        double took = (System.nanoTime() - start) / 1e9;
        System.out.printf("sent %d datagrams, %d lines in %.2f s (%.0f lines/s)%n", sent, sent * perDatagram, took,
                sent * perDatagram / took);
    }
}
