package dev.metricsservice.http;

import java.util.Map;

/**
 * A point-in-time view of the HTTP server's own counters, as served under {@code "server"} by
 * {@code GET /stats}.
 *
 * <pre>{@code
 * ServerCounters s = server.counters();
 * long accepted = s.requestsByStatus().getOrDefault(202, 0L);
 * }</pre>
 *
 * <p>Immutable.
 *
 * @param transport           {@code "epoll"} or {@code "nio"}
 * @param openConnections     connections open now
 * @param acceptedConnections connections accepted since start (including refused ones)
 * @param refusedConnections  connections refused because {@code maxConnections} were open
 * @param refusedPerAddress   connections refused because their address held
 *                            {@code maxConnectionsPerAddress} already
 * @param requestsByStatus    responses sent since start, by HTTP status code (only codes seen)
 */
public record ServerCounters(String transport, long openConnections, long acceptedConnections,
                          long refusedConnections, long refusedPerAddress, Map<Integer, Long> requestsByStatus) {

    public ServerCounters {
        requestsByStatus = Map.copyOf(requestsByStatus);
    }
}
