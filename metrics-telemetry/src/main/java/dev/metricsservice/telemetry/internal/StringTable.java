package dev.metricsservice.telemetry.internal;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Interns the short strings events refer to (task classes, routes, GC causes) as small integer ids.
 *
 * <p>Looking up a known string is a {@link ConcurrentHashMap#get} (no allocation: a String caches its hash);
 * only the first sighting of a string takes a lock and allocates. Ids are dense and never reused, so the writer
 * can emit new definitions by remembering how many it has written. Once {@code maxStrings} are interned every
 * new string maps to id 0, {@value #OVERFLOW}, which bounds memory when, say, HTTP methods come from clients.
 */
public final class StringTable {
    public static final String OVERFLOW = "<string table full>";
    private static final int MAX_CHARS = 200;

    private final ConcurrentHashMap<String, Integer> ids = new ConcurrentHashMap<>();
    private final String[] byId;
    private volatile int count;

    private final ClassValue<Integer> classIds = new ClassValue<>() {
        @Override
        protected Integer computeValue(Class<?> type) {
            return intern(describe(type));
        }
    };

    public StringTable(int maxStrings) {
        if (maxStrings < 16) {
            throw new IllegalArgumentException("maxStrings must be >= 16, was " + maxStrings);
        }
        byId = new String[maxStrings];
        byId[0] = OVERFLOW;
        ids.put(OVERFLOW, 0);
        count = 1;
    }

    /** Id of {@code s} (null reads as the empty string). Any thread. */
    public int intern(String s) {
        if (s == null) {
            s = "";
        }
        Integer id = ids.get(s);
        if (id != null) {
            return id;
        }
        return add(s);
    }

    /** Id of a class's short description; a ClassValue lookup after the first call. Any thread. */
    public int internClass(Class<?> type) {
        return classIds.get(type);
    }

    private synchronized int add(String s) {
        Integer id = ids.get(s);
        if (id != null) {
            return id;
        }
        int n = count;
        if (n >= byId.length) {
            return 0;
        }
        String stored = s.length() > MAX_CHARS ? s.substring(0, MAX_CHARS) : s;
        byId[n] = stored;
        ids.put(s, n);
        // Volatile write publishes byId[n] to the writer, which reads count first.
        count = n + 1;
        return n;
    }

    public int size() {
        return count;
    }

    public String get(int id) {
        return byId[id];
    }

    /** Class name without the package, keeping nesting and lambda markers: {@code MyHandler$1}. */
    static String describe(Class<?> type) {
        String name = type.getName();
        int lambda = name.indexOf("$$Lambda");
        if (lambda >= 0) {
            name = name.substring(0, lambda) + "$$Lambda";
        }
        int dot = name.lastIndexOf('.', lambda >= 0 ? lambda : name.length() - 1);
        return dot >= 0 ? name.substring(dot + 1) : name;
    }
}
