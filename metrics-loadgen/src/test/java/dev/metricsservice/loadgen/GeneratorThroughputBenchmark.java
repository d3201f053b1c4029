package dev.metricsservice.loadgen;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How cheap the generator is compared with {@code wrk} and with a server that answers without work
 * ({@link TrivialNettyServer}), all in the same run. Not a unit test (no timing assertions); run it by hand:
 *
 * <pre>
 * mvn -B -ntp -q -pl metrics-core,metrics-loadgen -am test-compile
 * mvn -B -ntp -q -pl metrics-loadgen dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp metrics-loadgen/target/test-classes:metrics-loadgen/target/classes:$(cat /tmp/cp.txt) \
 *     dev.metricsservice.loadgen.GeneratorThroughputBenchmark [seconds=10] [connections=64] [rounds=3]
 * </pre>
 *
 * Each round runs wrk ({@code -t1}, POST of one sample of the same shape) and then the generator (closed model,
 * one worker per connection, batch 1, a GET after every 10th POST) for the same time against the same
 * one-thread server, after a short untimed generator warm-up. On a 2-core machine client and server share the
 * cores, so requests per second mostly measure the server; the CPU time each side spends per request says how
 * much headroom the generator has: {@code server CPU per request / generator CPU per request} is how many such
 * servers one core of generator could keep busy. Generator CPU is the whole JVM's minus the server threads', so
 * it also carries GC, JIT and the ticker (an overestimate). wrk's CPU comes from the shell's {@code times}.
 * Everything binds 127.0.0.1 and is bounded by the durations.
 */
public final class GeneratorThroughputBenchmark {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private record Result(String who, long requests, double seconds, double clientCpuSeconds,
                          double serverCpuSeconds) {
        double rate() {
            return requests / seconds;
        }

        double clientMicrosPerRequest() {
            return clientCpuSeconds * 1e6 / requests;
        }

        double serverMicrosPerRequest() {
            return serverCpuSeconds * 1e6 / requests;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%-9s %9.0f req/s  client CPU %6.1f us/req  server CPU %6.1f us/req"
                            + "  (server/client %.2f)", who, rate(), clientMicrosPerRequest(),
                    serverMicrosPerRequest(), serverMicrosPerRequest() / clientMicrosPerRequest());
        }
    }

    private GeneratorThroughputBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        List<String> lines = new ArrayList<>();
        try (TrivialNettyServer server = new TrivialNettyServer(TrivialNettyServer.Mode.ANSWER, 1)) {
            generator(server, 3, connections); // warm-up, not reported
            for (int round = 1; round <= rounds; round++) {
                Result wrk = wrk(server, seconds, connections);
                Result gen = generator(server, seconds, connections);
                lines.add("round " + round + ": " + (wrk == null ? "wrk unavailable" : wrk.toString()));
                lines.add("round " + round + ": " + gen);
                if (wrk != null) {
                    lines.add(String.format(Locale.ROOT, "round %d: generator/wrk: throughput %.2f, CPU per "
                            + "request %.2f", round, gen.rate() / wrk.rate(),
                            gen.clientMicrosPerRequest() / wrk.clientMicrosPerRequest()));
                }
                System.out.println(String.join("\n", lines.subList(lines.size() - (wrk == null ? 2 : 3),
                        lines.size())));
            }
        }
        System.out.println("---- summary (" + seconds + " s per run, " + connections + " connections)");
        System.out.println(String.join("\n", lines));
    }

    private static long serverCpuNanos() {
        long total = 0;
        for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith(TrivialNettyServer.THREAD_PREFIX)) {
                total += Math.max(0, THREADS.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }

    private static Result generator(TrivialNettyServer server, int seconds, int connections) throws Exception {
        long process0 = OS.getProcessCpuTime();
        long server0 = serverCpuNanos();
        LoadReport report = LoadGenerator.builder()
                .target(server.uri())
                .profile(ProfileParser.parse("name bench\nhold " + seconds + "s " + connections,
                        ProfileConstants.SEED, null))
                .model(LoadModel.closed())
                .build()
                .run();
        long serverCpu = serverCpuNanos() - server0;
        long clientCpu = OS.getProcessCpuTime() - process0 - serverCpu;
        long requests = report.total().post().requests() + report.total().get().requests();
        if (report.totalFailures() > 0) {
            throw new IllegalStateException("generator saw " + report.totalFailures() + " failures");
        }
        return new Result("generator", requests, report.durationSeconds(), clientCpu / 1e9, serverCpu / 1e9);
    }

    private static Result wrk(TrivialNettyServer server, int seconds, int connections)
            throws IOException, InterruptedException {
        Path script = Files.createTempFile("loadgen-bench", ".lua");
        try {
            Files.writeString(script, """
                    wrk.method = "POST"
                    wrk.body = '{"name":"cpu","value":42.5}'
                    wrk.headers["Content-Type"] = "application/json"
                    """, StandardCharsets.UTF_8);
            String wrkCmd = "wrk -t1 -c" + connections + " -d" + seconds + "s -s " + script + " "
                    + server.uri() + "/metrics";
            // 'times' prints the shell's and then its children's user and system CPU time.
            List<String> cmd = List.of("bash", "-c", wrkCmd + " && times");
            long server0 = serverCpuNanos();
            Process p;
            try {
                p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            } catch (IOException e) {
                System.out.println("bash/wrk not available (apt-get install -y wrk): " + e.getMessage());
                return null;
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(seconds + 30L, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            long serverCpu = serverCpuNanos() - server0;
            System.out.println("$ " + wrkCmd + "\n" + out.strip());
            Matcher total = Pattern.compile("(\\d+) requests in ([0-9.]+)s").matcher(out);
            Matcher times = Pattern.compile("(\\d+)m([0-9.]+)s (\\d+)m([0-9.]+)s\\s*$").matcher(out.strip());
            if (out.contains("Non-2xx") || out.contains("Socket errors") || !total.find() || !times.find()) {
                System.out.println("wrk run unusable (errors or unparsable output)");
                return null;
            }
            double wrkCpu = Integer.parseInt(times.group(1)) * 60 + Double.parseDouble(times.group(2))
                    + Integer.parseInt(times.group(3)) * 60 + Double.parseDouble(times.group(4));
            return new Result("wrk", Long.parseLong(total.group(1)), Double.parseDouble(total.group(2)), wrkCpu,
                    serverCpu / 1e9);
        } finally {
            Files.deleteIfExists(script);
        }
    }
}
