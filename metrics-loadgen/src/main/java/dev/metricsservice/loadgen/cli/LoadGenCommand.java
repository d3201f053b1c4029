package dev.metricsservice.loadgen.cli;

import dev.metricsservice.loadgen.LoadGenerator;
import dev.metricsservice.loadgen.LoadModel;
import dev.metricsservice.loadgen.LoadReport;
import dev.metricsservice.loadgen.Profile;
import dev.metricsservice.loadgen.ProfileConstants;
import dev.metricsservice.loadgen.ProfileParser;
import dev.metricsservice.loadgen.Reports;
import dev.metricsservice.loadgen.Verification;
import dev.metricsservice.loadgen.Verifier;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code java -jar metrics-loadgen.jar --target http://127.0.0.1:3001 [flags]}: runs a profile, prints progress
 * and the result table, writes JSON and HTML reports, verifies what the service stored.
 *
 * <p>Exit status: 0 done (and verified, unless {@code --no-verify}), 1 verification mismatch, 2 bad usage,
 * 3 the run or the verification could not be carried out.
 */
public final class LoadGenCommand {

    static final int EXIT_OK = 0;
    static final int EXIT_MISMATCH = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_FAILED = 3;

    private static final Set<String> SWITCHES = Set.of("no-verify", "quiet", "help");
    private static final Set<String> OPTIONS = Set.of("target", "profile", "duration", "baseline", "max-workers",
            "herd", "model", "expected-interval", "rate-per-level", "connections", "batch", "get-every", "names",
            "idempotency-keys",
            "tags", "types",
            "timeout", "connect-timeout", "io-threads", "out", "report-name", "token");

    static final String USAGE = """
            Usage: java -jar metrics-loadgen.jar [flags]
              --version               print the version and exit
              --target URI            service base URI (default http://127.0.0.1:3001)
              --profile NAME|FILE     preset seed (default), smoke or soak, or a profile file
              --duration D            total duration (e.g. 90s, 10m); sets the 'rest' phase or scales the profile
              --baseline N            level named 'baseline' (default 4)
              --max-workers N         level named 'max' (default 40)
              --herd N                level named 'herd' (default 200)
              --model closed|open     closed: level = workers (default); open: fixed-rate timetable
              --expected-interval D   closed model: latency correction interval (default 10ms; 0 = off)
              --rate-per-level R      open model: requests per second per level unit (default 50)
              --connections N         open model: keep-alive connections (default 64)
              --batch N               samples per POST (default 1; >1 sends a JSON array)
              --idempotency-keys B    true (default): each POST carries an Idempotency-Key and a POST of
                                      unknown outcome is retried with it; false: no keys, no retries
              --get-every N           a GET after every N-th POST of a worker (default 10)
              --names a,b,c           metric names (default cpu,memory,latency,error_rate,queue_depth)
              --tags k=N,k2=M         tags on samples: key k takes values k-0..k-(N-1); every combination
                                      is a series, cycled per worker (e.g. host=8,region=2: 16 per name)
              --types n=t,...         type per metric name: summary (default), counter, gauge, distribution
              --timeout D             request timeout (default 5s)
              --connect-timeout D     connect timeout (default 2s)
              --io-threads N          Netty event loops (default 0 = one per processor)
              --token T               bearer token for POST (default: env METRICS_AUTH_TOKEN, else none)
              --out DIR               where the JSON and HTML reports go (default .)
              --report-name NAME      report file name without extension (default loadgen-report)
              --no-verify             skip the end-to-end verification
              --quiet                 no progress lines
            Exit status: 0 ok/verified, 1 verification mismatch, 2 bad usage, 3 run or verification failed.
            """;

    private LoadGenCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit status instead of exiting (for tests and the app). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (java.util.Arrays.asList(args).contains("--version")) {
            out.println(dev.metricsservice.core.Version.line("metrics-loadgen"));
            return EXIT_OK;
        }
        Map<String, String> flags;
        try {
            flags = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.print(USAGE);
            return EXIT_USAGE;
        }
        if (flags.containsKey("help")) {
            out.print(USAGE);
            return EXIT_OK;
        }
        URI target;
        Profile profile;
        LoadGenerator generator;
        List<String> names;
        dev.metricsservice.loadgen.SeriesPlan plan;
        Path outDir;
        String reportName;
        try {
            target = URI.create(flags.getOrDefault("target", "http://127.0.0.1:3001"));
            ProfileConstants constants = new ProfileConstants(
                    intFlag(flags, "baseline", ProfileConstants.SEED.baseline()),
                    intFlag(flags, "max-workers", ProfileConstants.SEED.maxWorkers()),
                    intFlag(flags, "herd", ProfileConstants.SEED.herd()));
            Duration total = flags.containsKey("duration") ? duration(flags.get("duration")) : null;
            String profileArg = flags.getOrDefault("profile", "seed");
            if (Profile.PRESETS.contains(profileArg)) {
                profile = Profile.preset(profileArg, constants, total);
            } else if (Files.isRegularFile(Path.of(profileArg))) {
                profile = Profile.load(Path.of(profileArg), constants, total);
            } else {
                throw new IllegalArgumentException("--profile '" + profileArg + "' is neither a preset "
                        + Profile.PRESETS + " nor a readable file");
            }
            LoadModel model = switch (flags.getOrDefault("model", "closed")) {
                case "closed" -> LoadModel.closed(flags.containsKey("expected-interval")
                        ? durationOrZero(flags.get("expected-interval")) : LoadModel.DEFAULT_EXPECTED_INTERVAL);
                case "open" -> LoadModel.open(doubleFlag(flags, "rate-per-level", 50),
                        intFlag(flags, "connections", 64));
                default -> throw new IllegalArgumentException("--model must be closed or open, got '"
                        + flags.get("model") + "'");
            };
            LoadGenerator.Builder builder = LoadGenerator.builder().target(target).profile(profile).model(model)
                    .batchSize(intFlag(flags, "batch", 1)).getEvery(intFlag(flags, "get-every", 10))
                    .idempotencyKeys(booleanFlag(flags, "idempotency-keys", true))
                    .ioThreads(intFlag(flags, "io-threads", 0));
            if (flags.containsKey("names")) {
                builder.metricNames(Arrays.stream(flags.get("names").split(",")).map(String::strip)
                        .filter(s -> !s.isEmpty()).toList());
            }
            if (flags.containsKey("timeout")) {
                builder.requestTimeout(duration(flags.get("timeout")));
            }
            if (flags.containsKey("connect-timeout")) {
                builder.connectTimeout(duration(flags.get("connect-timeout")));
            }
            String token = flags.getOrDefault("token", System.getenv("METRICS_AUTH_TOKEN"));
            if (token != null && !token.isEmpty()) {
                builder.bearerToken(token);
            }
            if (!flags.containsKey("quiet")) {
                builder.progress(out::println);
            }
            names = flags.containsKey("names") ? Arrays.stream(flags.get("names").split(",")).map(String::strip)
                    .filter(s -> !s.isEmpty()).toList() : dev.metricsservice.loadgen.Samples.SEED_NAMES;
            plan = dev.metricsservice.loadgen.SeriesPlan.parse(names, flags.getOrDefault("tags", ""),
                    flags.getOrDefault("types", ""));
            builder.plan(plan);
            generator = builder.build();
            outDir = Path.of(flags.getOrDefault("out", "."));
            reportName = flags.getOrDefault("report-name", "loadgen-report");
        } catch (IllegalArgumentException | IllegalStateException | IOException e) {
            err.println("error: " + e.getMessage());
            return EXIT_USAGE;
        }

        boolean verify = !flags.containsKey("no-verify");
        Verifier verifier = Verifier.overHttp(target);
        Verifier.Baseline baseline = null;
        if (verify) {
            try {
                baseline = verifier.baseline(plan.series(), profile.totalDuration().plusSeconds(10));
            } catch (Exception e) {
                err.println("error: cannot query " + target + " before the run (is the service up?): "
                        + e.getMessage());
                return EXIT_FAILED;
            }
        }
        Thread hook = new Thread(generator::stop, "loadgen-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("load: profile " + profile.name() + " (" + profile.totalDuration().toMillis() / 1000.0
                + " s, " + profile.phases().size() + " phases) against " + target + ", " + plan);
        LoadReport report;
        try {
            report = generator.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("error: interrupted");
            return EXIT_FAILED;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // Already shutting down: the hook is running or has run; nothing to remove.
            }
        }
        out.println();
        out.print(Reports.text(report));
        Verification verification = null;
        if (verify) {
            verification = verifier.verify(report, baseline);
            out.println();
            out.print(verification.table());
            out.println(verification.summaryLine());
        }
        try {
            Files.createDirectories(outDir);
            Path json = outDir.resolve(reportName + ".json");
            Path html = outDir.resolve(reportName + ".html");
            Reports.writeJson(report, verification, json);
            Reports.writeHtml(report, verification, html);
            int hgrm = Reports.writeHgrm(report, outDir, reportName).size();
            out.println("reports: " + json.toAbsolutePath().normalize() + " " + html.toAbsolutePath().normalize()
                    + " and " + hgrm + " .hgrm files beside them");
        } catch (IOException e) {
            err.println("error: cannot write reports to " + outDir + ": " + e.getMessage());
            return EXIT_FAILED;
        }
        if (verification == null) {
            return EXIT_OK;
        }
        if (verification.verified()) {
            return EXIT_OK;
        }
        boolean queryFailed = verification.checks().stream().anyMatch(c -> c.storedCount() < 0);
        return queryFailed ? EXIT_FAILED : EXIT_MISMATCH;
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> flags = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'");
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (SWITCHES.contains(name)) {
                if (value != null) {
                    throw new IllegalArgumentException("--" + name + " takes no value");
                }
                flags.put(name, "true");
            } else if (OPTIONS.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("--" + name + " needs a value");
                    }
                    value = args[++i];
                }
                flags.put(name, value);
            } else {
                throw new IllegalArgumentException("unknown flag --" + name);
            }
        }
        return flags;
    }

    private static boolean booleanFlag(Map<String, String> flags, String name, boolean fallback) {
        String v = flags.get(name);
        if (v == null) {
            return fallback;
        }
        return switch (v.strip()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("--" + name + " must be true or false, got '" + v + "'");
        };
    }

    private static int intFlag(Map<String, String> flags, String name, int fallback) {
        String v = flags.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer, got '" + v + "'");
        }
    }

    private static double doubleFlag(Map<String, String> flags, String name, double fallback) {
        String v = flags.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, got '" + v + "'");
        }
    }

    private static Duration duration(String text) {
        return ProfileParser.parseDuration(text, 0);
    }

    private static Duration durationOrZero(String text) {
        String t = text.strip();
        return t.equals("0") || t.equals("0ms") || t.equals("0s") ? Duration.ZERO : duration(t);
    }
}
