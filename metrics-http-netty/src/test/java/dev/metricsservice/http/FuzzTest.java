package dev.metricsservice.http;

import dev.metricsservice.testsupport.NettyLeakCheck;
import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.core.store.InMemoryMetricStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Throws thousands of random and mutated requests at a real server: every byte sequence that
 * comes back must be a series of well-formed 2xx/4xx responses with JSON bodies, the server must
 * keep answering valid requests, and no buffer may leak. The seed is printed and can be fixed
 * with {@code -Dfuzz.seed=...}; the number of cases with {@code -Dfuzz.cases=...}.
 */
class FuzzTest {

    private static final java.util.Map<String, Integer> ERROR_CODES = new java.util.TreeMap<>();
    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.1 (\\d{3}) [^\\r\\n]*\\r\\n");

    @AfterAll
    static void noLeaks() throws InterruptedException {
        NettyLeakCheck.assertNoLeaks();
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void randomAndMutatedRequests_alwaysWellFormed2xxOr4xx() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        int cases = Integer.getInteger("fuzz.cases", 3000);
        System.out.println("FuzzTest seed=" + seed + " cases=" + cases + " (rerun with -Dfuzz.seed=" + seed + ")");
        Random random = new Random(seed);
        HttpServerConfig config = TestServers.config().maxBodyBytes(4096).maxBatchSize(50).maxHeaderBytes(2048)
                .maxInitialLineBytes(512).requestReadTimeout(Duration.ofSeconds(2)).idleTimeout(Duration.ofSeconds(5)).build();
        try (MetricsHttpServer server = TestServers.start(TestServers.aggregator(), new InMemoryMetricStore(), config)) {
            InetSocketAddress a = server.localAddress();
            int answered = 0;
            for (int i = 0; i < cases; i++) {
                byte[] request = generate(random);
                List<Integer> statuses = exchange(a, request, "case " + i + " seed " + seed + " request " + printable(request));
                for (int status : statuses) {
                    assertThat(status).as("case %d (seed %d): %s", i, seed, printable(request))
                            .satisfiesAnyOf(st -> assertThat(st).isEqualTo(100), st -> assertThat(st).isBetween(200, 299),
                                    st -> assertThat(st).isBetween(400, 499));
                }
                answered += statuses.size();
                if (i % 200 == 0) {
                    assertThat(exchange(a, RawClient.post("/metrics", "{\"name\":\"alive\",\"value\":1}")
                            .getBytes(StandardCharsets.UTF_8), "liveness")).containsExactly(202);
                }
            }
            System.out.println("FuzzTest answered " + answered + " responses; server stats " + server.counters() + "; error codes " + ERROR_CODES);
            assertThat(answered).as("most cases produce an answer").isGreaterThan(cases / 2);
            assertThat(exchange(a, RawClient.get("/health").getBytes(StandardCharsets.UTF_8), "final")).containsExactly(200);
        }
    }

    /** Sends the bytes, half-closes, reads everything until the server closes, parses responses. */
    private static List<Integer> exchange(InetSocketAddress a, byte[] request, String what) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(a, 5000);
            s.setSoTimeout(8000);
            s.getOutputStream().write(request);
            s.shutdownOutput();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            int n;
            try {
                while ((n = in.read(buf)) >= 0) {
                    got.write(buf, 0, n);
                }
            } catch (java.net.SocketException reset) {
                // the server may reset after answering; what arrived is still checked
            }
            // A response to HEAD carries no body (its content-length describes the GET answer).
            boolean headFirst = new String(request, 0, Math.min(5, request.length), StandardCharsets.ISO_8859_1).equals("HEAD ");
            return parseAll(got.toByteArray(), what, headFirst);
        }
    }

    private static List<Integer> parseAll(byte[] bytes, String what, boolean headFirst) {
        String s = new String(bytes, StandardCharsets.ISO_8859_1);
        List<Integer> statuses = new ArrayList<>();
        int pos = 0;
        while (pos < s.length()) {
            Matcher m = STATUS.matcher(s);
            assertThat(m.find(pos) && m.start() == pos).as("%s: status line at %d in %s", what, pos, s).isTrue();
            int status = Integer.parseInt(m.group(1));
            int headersEnd = s.indexOf("\r\n\r\n", pos);
            assertThat(headersEnd).as("%s: end of headers", what).isPositive();
            String head = s.substring(pos, headersEnd).toLowerCase(java.util.Locale.ROOT);
            pos = headersEnd + 4;
            if (status == 100) {
                statuses.add(status);
                continue;
            }
            Matcher len = Pattern.compile("\r\ncontent-length: (\\d+)").matcher(head);
            assertThat(len.find()).as("%s: content-length in %s", what, head).isTrue();
            int length = Integer.parseInt(len.group(1));
            if (headFirst && statuses.isEmpty() && !s.startsWith("{", pos)) {
                length = 0; // HEAD: the codec strips the body unless the request line was too broken to know the method
            }
            assertThat(pos + length).as("%s: complete body in %s", what, s).isLessThanOrEqualTo(s.length());
            String body = new String(bytes, pos, length, StandardCharsets.UTF_8);
            if (head.contains("content-type: text/plain; version=0.0.4")) {
                // GET /metrics: the Prometheus text exposition
                assertThat(status).as(what).isEqualTo(200);
                assertThat(body).as("%s: exposition", what).startsWith("# HELP ");
                pos += length;
                statuses.add(status);
                continue;
            }
            assertThat(head).as(what).contains("content-type: application/json");
            assertThat(body).as("%s: JSON body", what).matches(length == 0 ? "" : "(?s)^[\\[{].*[\\]}]$");
            if (status >= 400 && length > 0) {
                assertThat(body).as(what).startsWith("{\"error\":\"").contains("\"message\":\"");
                ERROR_CODES.merge(body.substring(10, body.indexOf('"', 10)), 1, Integer::sum);
            }
            pos += length;
            statuses.add(status);
        }
        return statuses;
    }

    // ------------------------------------------------------------------ generators

    private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "G\u0000T", "", "POST POST"};
    private static final String[] PATHS = {"/metrics", "/metrics/cpu", "/metrics/a%20b", "/metrics/%", "/metrics/%zz",
            "/health", "/ready", "/stats", "/", "*", "/metrics?x=1", "/metrics/cpu?limit=5&from=0&to=99999999999",
            "/metrics/cpu?limit=-1", "/metrics/cpu?limit=abc", "/metrics/" + "x".repeat(300), "//metrics", "/metrics/\u00e9"};
    private static final String[] VERSIONS = {"HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.1x", "", "http/1.1"};
    private static final String[] HEADERS = {"Content-Type: application/json", "Content-Type: text/plain",
            "Content-Type: application/json; charset=utf-16", "Expect: 100-continue", "Expect: magic",
            "Connection: close", "Connection: keep-alive", "Transfer-Encoding: chunked", "Content-Length: 5",
            "Content-Length: -1", "Content-Length: abc", "Content-Length: 99999999999", "Authorization: Bearer x",
            "X-Junk: " + "j".repeat(100), "Host: localhost", "Bad Header", ": empty", "X-Unicode: \u00ff"};
    private static final String[] BODIES = {"{\"name\":\"cpu\",\"value\":42.5}", "[{\"name\":\"a\",\"value\":1},{\"name\":\"b\",\"value\":2}]",
            "{\"name\":\"cpu\",\"value\":1,\"timestamp\":1}", "{}", "[]", "[[]]", "null", "{\"name\":null,\"value\":null}",
            "{\"name\":\"x\",\"value\":1e999}", "{\"name\":\"x\",\"value\":-0.0,\"unknown\":{\"deep\":[1,2,{\"a\":[]}]}}",
            "[" + "{\"name\":\"n\",\"value\":1},".repeat(60) + "{\"name\":\"n\",\"value\":1}]", "{\"name\":\"\\ud800\",\"value\":1}",
            "[".repeat(200), "{\"name\":\"" + "z".repeat(500) + "\",\"value\":1}"};

    private static byte[] generate(Random r) {
        int kind = r.nextInt(10);
        if (kind == 0) {
            byte[] junk = new byte[r.nextInt(300)];
            r.nextBytes(junk);
            return junk;
        }
        StringBuilder sb = new StringBuilder();
        // Mostly plausible request lines, so that the cases reach the JSON and API layers too.
        boolean plausible = r.nextInt(10) < 7;
        String method = plausible ? (r.nextBoolean() ? "POST" : "GET") : pick(r, METHODS);
        String path = plausible && method.equals("POST") ? "/metrics" : pick(r, PATHS);
        sb.append(method).append(' ').append(path).append(' ').append(plausible ? "HTTP/1.1" : pick(r, VERSIONS)).append("\r\n");
        String body = r.nextInt(4) == 0 ? "" : pick(r, BODIES);
        boolean chunked = r.nextInt(8) == 0;
        int headerCount = plausible ? r.nextInt(2) : r.nextInt(4);
        if (plausible || r.nextBoolean()) {
            sb.append("Content-Type: application/json\r\n");
        }
        for (int i = 0; i < headerCount; i++) {
            sb.append(pick(r, HEADERS)).append("\r\n");
        }
        if (chunked) {
            sb.append("Transfer-Encoding: chunked\r\n\r\n");
            int at = body.isEmpty() ? 0 : r.nextInt(body.length());
            appendChunk(sb, body.substring(0, at));
            appendChunk(sb, body.substring(at));
            sb.append("0\r\n\r\n");
        } else {
            if (r.nextInt(5) != 0) {
                sb.append("Content-Length: ").append(body.getBytes(StandardCharsets.UTF_8).length).append("\r\n");
            }
            sb.append("\r\n").append(body);
        }
        if (r.nextInt(3) == 0) {
            sb.append(RawClient.get("/health")); // a pipelined second request
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        if (kind >= 6) {
            mutate(r, bytes);
        }
        return bytes;
    }

    private static void appendChunk(StringBuilder sb, String s) {
        if (!s.isEmpty()) {
            sb.append(Integer.toHexString(s.getBytes(StandardCharsets.UTF_8).length)).append("\r\n").append(s).append("\r\n");
        }
    }

    private static void mutate(Random r, byte[] bytes) {
        int flips = 1 + r.nextInt(4);
        for (int i = 0; i < flips && bytes.length > 0; i++) {
            int at = r.nextInt(bytes.length);
            switch (r.nextInt(4)) {
                case 0 -> bytes[at] = (byte) r.nextInt(256);
                case 1 -> bytes[at] = (byte) "{}[]\",:\r\n 0-e%".charAt(r.nextInt(14));
                case 2 -> bytes[at] ^= (byte) (1 << r.nextInt(8));
                default -> bytes[at] = '\n';
            }
        }
    }

    private static String pick(Random r, String[] options) {
        return options[r.nextInt(options.length)];
    }

    private static String printable(byte[] b) {
        String s = new String(b, 0, Math.min(b.length, 400), StandardCharsets.ISO_8859_1);
        return s.replace("\r", "\\r").replace("\n", "\\n");
    }
}
