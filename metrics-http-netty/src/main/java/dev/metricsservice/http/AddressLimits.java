package dev.metricsservice.http;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Open connections per remote IP address, bounded by {@code maxConnectionsPerAddress}: one client
 * that opens connections without finishing requests fills its own share, not the server's, so
 * health probes and other clients still get in. Thread-safe: event loops of every acceptor call it.
 *
 * <p>Counts go up in {@link #tryAcquire} and down in {@link #release} (from the channel's close
 * future), and an address whose count reaches zero is removed, so the map holds only addresses
 * with open connections. The remove races with a concurrent acquire of the same address; both
 * sides settle it in {@code compute}, which runs atomically per key.
 */
final class AddressLimits {

    private final int maxPerAddress;
    private final ConcurrentHashMap<InetAddress, AtomicInteger> open = new ConcurrentHashMap<>();
    private final LongAdder refused = new LongAdder();

    AddressLimits(int maxPerAddress) {
        this.maxPerAddress = maxPerAddress;
    }

    /** Takes a slot for {@code address}; false (and counted) when it has {@code maxPerAddress} already. */
    boolean tryAcquire(InetAddress address) {
        boolean[] taken = new boolean[1];
        open.compute(address, (a, n) -> {
            AtomicInteger count = n == null ? new AtomicInteger() : n;
            if (count.get() < maxPerAddress) {
                count.incrementAndGet();
                taken[0] = true;
            }
            return count.get() == 0 ? null : count;
        });
        if (!taken[0]) {
            refused.increment();
        }
        return taken[0];
    }

    /** Gives back a slot taken by {@link #tryAcquire}. */
    void release(InetAddress address) {
        open.computeIfPresent(address, (a, n) -> n.decrementAndGet() == 0 ? null : n);
    }

    /** Connections refused because their address was at its limit. */
    long refused() {
        return refused.sum();
    }

    /** Addresses with open connections now. */
    int addresses() {
        return open.size();
    }
}
