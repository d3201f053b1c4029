package dev.metricsservice.loadgen;

import java.io.IOException;
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
 * How many requests per second the generator can drive against a server that answers without work
 * ({@link TrivialNettyServer}), with {@code wrk} against the same server in the same run as the baseline.
 * Not a unit test (no timing assertions); run it by hand:
 *
 * <pre>
 * mvn -B -ntp -q -pl metrics-loadgen -am test-compile
 * mvn -B -ntp -q -pl metrics-loadgen dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp metrics-loadgen/target/test-classes:metrics-loadgen/target/classes:$(cat /tmp/cp.txt) \
 *     dev.metricsservice.loadgen.GeneratorThroughputBenchmark [seconds=10] [connections=64] [rounds=2]
 * </pre>
 * Each round runs wrk (POST of one sample, same body shape as the generator's) and then the generator (closed
 * model, as many workers as connections, batch 1, a GET after every 10th POST) for the same time, after a short
 * warm-up of the generator. All on 127.0.0.1; bounded by the durations.
 */
public final class GeneratorThroughputBenchmark {

    private GeneratorThroughputBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        List<String> lines = new ArrayList<>();
        try (TrivialNettyServer server = new TrivialNettyServer(TrivialNettyServer.Mode.ANSWER, 1)) {
            generator(server, 3, connections); // warm-up, not reported
            for (int round = 1; round <= rounds; round++) {
                double wrk = wrk(server, seconds, connections);
                double gen = generator(server, seconds, connections);
                String line = String.format(Locale.ROOT,
                        "round %d: wrk %.0f req/s, generator %.0f req/s, generator/wrk = %.2f", round, wrk, gen,
                        wrk > 0 ? gen / wrk : Double.NaN);
                System.out.println(line);
                lines.add(line);
            }
        }
        System.out.println(String.join("\n", lines));
    }

    private static double generator(TrivialNettyServer server, int seconds, int connections) throws Exception {
        LoadReport report = LoadGenerator.builder()
                .target(server.uri())
                .profile(ProfileParser.parse("name bench\nhold " + seconds + "s " + connections,
                        ProfileConstants.SEED, null))
                .model(LoadModel.closed())
                .build()
                .run();
        long requests = report.total().post().requests() + report.total().get().requests();
        long failures = report.totalFailures();
        double rate = requests / report.durationSeconds();
        System.out.printf(Locale.ROOT, "generator: %d requests (%d failed) in %.1f s = %.0f req/s, POST p50 %.2f ms "
                        + "p99 %.2f ms (service time)%n", requests, failures, report.durationSeconds(), rate,
                report.total().post().serviceTime().p50Millis(), report.total().post().serviceTime().p99Millis());
        return failures == 0 ? rate : 0;
    }

    private static double wrk(TrivialNettyServer server, int seconds, int connections)
            throws IOException, InterruptedException {
        Path script = Files.createTempFile("loadgen-bench", ".lua");
        try {
            Files.writeString(script, """
                    wrk.method = "POST"
                    wrk.body = '{"name":"cpu","value":42.5}'
                    wrk.headers["Content-Type"] = "application/json"
                    """, StandardCharsets.UTF_8);
            List<String> cmd = List.of("wrk", "-t1", "-c" + connections, "-d" + seconds + "s", "-s",
                    script.toString(), server.uri().toString() + "/metrics");
            Process p;
            try {
                p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            } catch (IOException e) {
                System.out.println("wrk not available (apt-get install -y wrk): " + e.getMessage());
                return 0;
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(seconds + 30L, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            System.out.println("$ " + String.join(" ", cmd) + "\n" + out.strip());
            Matcher m = Pattern.compile("Requests/sec:\\s+([0-9.]+)").matcher(out);
            boolean errors = out.contains("Non-2xx") || out.contains("Socket errors");
            return m.find() && !errors ? Double.parseDouble(m.group(1)) : 0;
        } finally {
            Files.deleteIfExists(script);
        }
    }
}
