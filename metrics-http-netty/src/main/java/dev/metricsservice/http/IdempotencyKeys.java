package dev.metricsservice.http;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The answers to POSTs that carried an {@code Idempotency-Key}, so that a client's retry of a
 * request it did not hear back from is answered like the first and counted once.
 *
 * <p>A key is claimed with one {@code putIfAbsent} (no lock is held while the batch is recorded):
 * the claimant records the batch and then either remembers the outcome (accepted: the key now
 * stands for that body and that count) or gives the key back (refused: a refusal does not use up
 * a key, so the client may retry once the cause is gone). A request that finds the key claimed but
 * not yet settled (the same key sent twice at once) is told to retry in a second. A key is
 * remembered for the dedup window and forgotten after it, or earlier, oldest first, when more than
 * the maximum number of keys are held. Each remembered key costs about 200 bytes (the key, a
 * 128-bit digest of the body, the count and its place in the eviction queue): 1,000,000 keys, the
 * default, take about 200 MB.
 *
 * <p>Thread-safe; nothing blocks.
 */
final class IdempotencyKeys {

    /** What a request with a key is to be answered. */
    sealed interface Outcome {
        /** A new key: record the batch, then {@link IdempotencyKeys#settle} it. */
        record Claimed(String key, long digestHi, long digestLo, int bodyLength) implements Outcome {
        }

        /** The same key and body was accepted before: answer {@code accepted} again, marked duplicate. */
        record Duplicate(int accepted) implements Outcome {
        }

        /** The key was accepted before with another body. */
        record Reused() implements Outcome {
        }

        /** The key is being recorded by a request that has not finished. */
        record InProgress() implements Outcome {
        }
    }

    /** A remembered key; {@code accepted < 0} while its request is still being recorded. */
    private record Entry(long digestHi, long digestLo, int bodyLength, int accepted, long atNanos) {
    }

    /** A settled key in the eviction queue, with the entry it was settled as. */
    private record Held(String key, Entry entry) {
    }

    private static final int MAX_KEY_CHARS = 128;
    private static final FastThreadLocal<MessageDigest> SHA256 = new FastThreadLocal<>() {
        @Override
        protected MessageDigest initialValue() throws NoSuchAlgorithmException {
            return MessageDigest.getInstance("SHA-256");
        }
    };

    private final Map<String, Entry> byKey = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Held> order = new ConcurrentLinkedQueue<>();
    private final AtomicInteger held = new AtomicInteger();
    private final long windowNanos;
    private final int maxKeys;
    private final LongSupplier nanoClock;
    final LongAdder duplicates = new LongAdder();
    final LongAdder reused = new LongAdder();
    final LongAdder evicted = new LongAdder();

    IdempotencyKeys(long windowNanos, int maxKeys, LongSupplier nanoClock) {
        this.windowNanos = windowNanos;
        this.maxKeys = maxKeys;
        this.nanoClock = nanoClock;
    }

    /** Why {@code header} is not a usable key (1..128 visible ASCII characters), or null when it is. */
    static String problem(String header) {
        if (header.isEmpty() || header.length() > MAX_KEY_CHARS) {
            return "header 'Idempotency-Key' must be 1 to " + MAX_KEY_CHARS + " visible ASCII characters, was "
                    + header.length() + " characters long";
        }
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            if (c < 0x21 || c > 0x7E) {
                return "header 'Idempotency-Key' must be 1 to " + MAX_KEY_CHARS
                        + " visible ASCII characters (no spaces or control characters); character " + i + " is not";
            }
        }
        return null;
    }

    /** Looks the key up for a request with {@code body}, claiming it when it is new (or expired). */
    Outcome admit(String key, ByteBuf body) {
        MessageDigest sha = SHA256.get();
        sha.reset();
        ByteBuffer view = body.nioBuffer();
        sha.update(view);
        ByteBuffer d = ByteBuffer.wrap(sha.digest());
        long hi = d.getLong(0);
        long lo = d.getLong(8);
        int length = body.readableBytes();
        long now = nanoClock.getAsLong();
        trimExpired(now);
        while (true) {
            Entry claim = new Entry(hi, lo, length, -1, now);
            Entry old = byKey.putIfAbsent(key, claim);
            if (old == null) {
                return new Outcome.Claimed(key, hi, lo, length);
            }
            if (old.accepted >= 0 && now - old.atNanos > windowNanos) {
                byKey.remove(key, old); // expired: the key is new again
                continue;
            }
            if (old.accepted < 0) {
                return new Outcome.InProgress();
            }
            if (old.digestHi == hi && old.digestLo == lo && old.bodyLength == length) {
                duplicates.increment();
                return new Outcome.Duplicate(old.accepted);
            }
            reused.increment();
            return new Outcome.Reused();
        }
    }

    /**
     * Settles a claimed key: remembers it as accepted with {@code accepted} samples, or, for a
     * refused request ({@code accepted < 0}), gives it back.
     */
    void settle(Outcome.Claimed c, int accepted) {
        Entry claim = byKey.get(c.key());
        if (claim == null || claim.accepted >= 0) {
            return;
        }
        if (accepted < 0) {
            byKey.remove(c.key(), claim);
            return;
        }
        Entry done = new Entry(c.digestHi(), c.digestLo(), c.bodyLength(), accepted, claim.atNanos);
        if (byKey.replace(c.key(), claim, done)) {
            order.add(new Held(c.key(), done));
            if (held.incrementAndGet() > maxKeys) {
                evictOldest();
            }
        }
    }

    /**
     * The bytes a durable log keeps with a batch so that its key is known again after a restart:
     * version (1), digest (16), body length (4), key (UTF-8).
     */
    static byte[] tag(Outcome.Claimed c) {
        byte[] key = c.key().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(21 + key.length).put((byte) 1).putLong(c.digestHi()).putLong(c.digestLo())
                .putInt(c.bodyLength()).put(key).array();
    }

    /**
     * Remembers a key read back from a durable log: accepted with {@code accepted} samples,
     * {@code ageNanos} ago. A tag of another format is ignored (and counted by the caller).
     *
     * @return false when the tag is not one {@link #tag} wrote
     */
    boolean restore(byte[] tag, int accepted, long ageNanos) {
        if (tag.length < 22 || tag[0] != 1) {
            return false;
        }
        ByteBuffer b = ByteBuffer.wrap(tag);
        long hi = b.getLong(1);
        long lo = b.getLong(9);
        int length = b.getInt(17);
        String key = new String(tag, 21, tag.length - 21, java.nio.charset.StandardCharsets.US_ASCII);
        if (ageNanos > windowNanos) {
            return true; // expired already
        }
        Entry e = new Entry(hi, lo, length, accepted, nanoClock.getAsLong() - ageNanos);
        if (byKey.put(key, e) == null) {
            order.add(new Held(key, e));
            if (held.incrementAndGet() > maxKeys) {
                evictOldest();
            }
        }
        return true;
    }

    private void evictOldest() {
        Held oldest = order.poll();
        if (oldest != null) {
            held.decrementAndGet();
            if (byKey.remove(oldest.key(), oldest.entry())) {
                evicted.increment();
            }
        }
    }

    /** Forgets keys older than the window, from the oldest on; amortized over admissions. */
    private void trimExpired(long now) {
        for (int i = 0; i < 4; i++) {
            Held head = order.peek();
            if (head == null || now - head.entry().atNanos <= windowNanos) {
                return;
            }
            if (order.remove(head)) {
                held.decrementAndGet();
                byKey.remove(head.key(), head.entry());
            }
        }
    }

    /** Keys remembered now. */
    int held() {
        return held.get();
    }
}
