package dev.metricsservice.loadgen.internal;

import dev.metricsservice.loadgen.FailureCause;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;

import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A bounded pool of keep-alive HTTP/1.1 connections to one host; one request in flight per connection.
 *
 * <p>{@link #execute} takes an idle connection (most recently used first, so a small load keeps a few hot
 * connections), opens a new one while fewer than {@code maxConnections} exist, or else queues the request until
 * a connection is released. A connection returns to the pool when its response arrived and the server did not
 * ask to close it; a failed connection is discarded and replaced on demand. Thread-safe; the lock guards only
 * the idle stack, the waiter queue and the count, never I/O.
 */
public final class ConnectionPool implements AutoCloseable {

    private final Bootstrap bootstrap;
    private final String hostHeader;
    private final int maxConnections;
    private final int maxWaiters;
    private final long requestTimeoutNanos;

    private final Object lock = new Object();
    private final ArrayDeque<Channel> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private final List<Channel> all = new ArrayList<>();
    private int opening;
    private boolean closed;

    private record Waiter(HttpRequestSpec request, ResponseListener listener) {
    }

    /**
     * @param maxWaiters  requests allowed to wait for a connection; beyond it they fail with
     *                    {@link FailureCause#BACKLOG_FULL}
     * @param bearerToken sent as {@code Authorization: Bearer <token>} on every request; null for none
     */
    public ConnectionPool(Transport transport, URI target, int maxConnections, int maxWaiters,
                          Duration connectTimeout, Duration requestTimeout, String bearerToken) {
        if (!"http".equalsIgnoreCase(target.getScheme()) || target.getHost() == null) {
            throw new IllegalArgumentException("target must be http://host:port, got " + target);
        }
        int port = target.getPort() > 0 ? target.getPort() : 80;
        this.hostHeader = target.getHost() + ":" + port;
        this.maxConnections = maxConnections;
        this.maxWaiters = maxWaiters;
        this.requestTimeoutNanos = requestTimeout.toNanos();
        String authorization = bearerToken == null ? null : "Bearer " + bearerToken;
        this.bootstrap = new Bootstrap()
                .group(transport.group())
                .channel(transport.channelClass())
                .remoteAddress(target.getHost(), port)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(),
                                new ConnectionHandler(ConnectionPool.this, hostHeader, authorization,
                                        requestTimeoutNanos));
                    }
                });
    }

    /** Sends {@code request} on a pooled connection; {@code listener} is called exactly once. */
    public void execute(HttpRequestSpec request, ResponseListener listener) {
        Channel channel;
        boolean connect = false;
        synchronized (lock) {
            if (closed) {
                channel = null;
            } else {
                channel = idle.pollFirst();
                if (channel == null) {
                    if (all.size() + opening < maxConnections) {
                        opening++;
                        connect = true;
                    } else if (waiters.size() < maxWaiters) {
                        waiters.addLast(new Waiter(request, listener));
                        return;
                    } else {
                        listener.onFailure(FailureCause.BACKLOG_FULL, 0);
                        return;
                    }
                }
            }
        }
        if (connect) {
            connect(request, listener);
        } else if (channel == null) {
            listener.onFailure(FailureCause.NOT_SENT, 0);
        } else {
            send(channel, request, listener);
        }
    }

    /** Number of open connections. */
    public int openConnections() {
        synchronized (lock) {
            return all.size();
        }
    }

    /** Number of requests waiting for a connection. */
    public int waiting() {
        synchronized (lock) {
            return waiters.size();
        }
    }

    private void connect(HttpRequestSpec request, ResponseListener listener) {
        ChannelFuture future = bootstrap.connect();
        future.addListener(f -> {
            if (f.isSuccess()) {
                Channel channel = future.channel();
                boolean rejected;
                synchronized (lock) {
                    opening--;
                    rejected = closed;
                    if (!rejected) {
                        all.add(channel);
                    }
                }
                if (rejected) {
                    channel.close();
                    listener.onFailure(FailureCause.NOT_SENT, 0);
                    return;
                }
                channel.closeFuture().addListener(c -> onClosed(channel));
                send(channel, request, listener);
            } else {
                synchronized (lock) {
                    opening--;
                }
                listener.onFailure(classifyConnectFailure(f.cause()), 0);
                retryWaiter();
            }
        });
    }

    static FailureCause classifyConnectFailure(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return FailureCause.CONNECT_TIMEOUT;
        }
        if (cause instanceof ConnectException) {
            return FailureCause.CONNECT_REFUSED;
        }
        return FailureCause.CONNECT_FAILED;
    }

    private void send(Channel channel, HttpRequestSpec request, ResponseListener listener) {
        ConnectionHandler handler = channel.pipeline().get(ConnectionHandler.class);
        if (handler == null) {
            // The channel closed and its pipeline was torn down between taking it and sending on it; nothing was
            // sent, so another connection may carry the request.
            execute(request, listener);
            return;
        }
        handler.send(request, listener);
    }

    /** Called by the handler when a response completed on a connection that stays open. */
    void release(Channel channel) {
        Waiter waiter;
        synchronized (lock) {
            waiter = closed ? null : waiters.pollFirst();
            if (waiter == null) {
                if (closed) {
                    channel.close();
                    return;
                }
                idle.addFirst(channel);
                return;
            }
        }
        send(channel, waiter.request(), waiter.listener());
    }

    private void onClosed(Channel channel) {
        synchronized (lock) {
            all.remove(channel);
            idle.remove(channel);
        }
        retryWaiter();
    }

    /** A connection went away: if requests are waiting, open a replacement for the first of them. */
    private void retryWaiter() {
        Waiter waiter;
        synchronized (lock) {
            if (closed || waiters.isEmpty() || all.size() + opening >= maxConnections) {
                return;
            }
            waiter = waiters.pollFirst();
            opening++;
        }
        connect(waiter.request(), waiter.listener());
    }

    /** Closes every connection; queued requests fail with {@link FailureCause#NOT_SENT}. Idempotent. */
    @Override
    public void close() {
        List<Waiter> dropped;
        List<Channel> channels;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            dropped = new ArrayList<>(waiters);
            waiters.clear();
            channels = new ArrayList<>(all);
            idle.clear();
        }
        for (Waiter waiter : dropped) {
            waiter.listener().onFailure(FailureCause.NOT_SENT, 0);
        }
        for (Channel channel : channels) {
            channel.close().syncUninterruptibly();
        }
    }
}
