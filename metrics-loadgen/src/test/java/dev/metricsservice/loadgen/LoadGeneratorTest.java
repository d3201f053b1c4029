package dev.metricsservice.loadgen;

import dev.metricsservice.testsupport.NettyLeakCheck;
import dev.metricsservice.loadgen.LoadReport.MetricTally;
import dev.metricsservice.loadgen.LoadReport.OpReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(NettyLeakCheck.EachTest.class)
@Timeout(60)
class LoadGeneratorTest {

    /** A short profile with small levels, so tests stay quick and bounded. */
    private static Profile twoSeconds() {
        return ProfileParser.parse("name short\nramp 1s 1 6 up\nhold 1s 3 down", ProfileConstants.SEED, null);
    }

    private static long acknowledged(LoadReport r) {
        return r.tallies().stream().mapToLong(MetricTally::acknowledgedCount).sum();
    }

    @Test
    void run_smokeProfileAgainstFakeService_endsVerified() throws Exception {
        try (FakeMetricsService service = new FakeMetricsService(0)) {
            List<String> progress = new CopyOnWriteArrayList<>();
            Verifier verifier = Verifier.overHttp(service.uri());
            Verifier.Baseline baseline = verifier.baselineOfNames(Samples.SEED_NAMES, Duration.ofSeconds(15));
            LoadReport report = LoadGenerator.builder()
                    .target(service.uri())
                    .profile(Profile.preset("smoke", new ProfileConstants(4, 20, 60), null))
                    .model(LoadModel.closed())
                    .progress(progress::add)
                    .progressInterval(Duration.ofMillis(250))
                    .build()
                    .run();

            Verification v = verifier.verify(report, baseline);
            assertThat(v.verified()).as(v.table()).isTrue();
            assertThat(v.summaryLine()).startsWith("VERIFIED");

            OpReport post = report.total().post();
            assertThat(post.requests()).isPositive();
            assertThat(post.failures()).isZero();
            assertThat(post.successes()).isEqualTo(acknowledged(report)).isEqualTo(service.posts.get());
            assertThat(report.total().get().successes()).isPositive();
            assertThat(service.queriedNames).as("GETs cycle through every name")
                    .containsAll(Samples.SEED_NAMES);
            assertThat(report.phases()).extracting(LoadReport.PhaseReport::name)
                    .containsExactly("ramp-up", "peak", "herd", "tail");
            assertThat(report.phases()).allSatisfy(p -> assertThat(p.post().requests()).isPositive());
            long phaseSum = report.phases().stream().mapToLong(p -> p.post().requests()).sum();
            assertThat(phaseSum).isEqualTo(post.requests());
            assertThat(post.latency().count()).isGreaterThanOrEqualTo(post.requests());
            assertThat(report.timeline()).hasSizeGreaterThanOrEqualTo(4);
            assertThat(report.timeline()).anySatisfy(p -> assertThat(p.level()).isEqualTo(60));
            assertThat(report.timeline()).extracting(LoadReport.TimelinePoint::phase).contains("ramp-up", "tail");
            assertThat(progress).hasSizeGreaterThanOrEqualTo(4)
                    .allSatisfy(line -> assertThat(line).contains("s/5.0s]").contains("req/s=").contains("p99="));
            assertThat(Reports.text(report)).contains("herd").contains("total");
        }
    }

    @Test
    void run_openModelBatchMode_sendsArraysAndVerifies() throws Exception {
        try (FakeMetricsService service = new FakeMetricsService(0)) {
            LoadReport report = LoadGenerator.builder()
                    .target(service.uri())
                    .profile(twoSeconds())
                    .model(LoadModel.open(40, 8))
                    .batchSize(10)
                    .build()
                    .run();

            assertThat(Verifier.overHttp(service.uri()).verify(report).verified()).isTrue();
            OpReport post = report.total().post();
            assertThat(post.samples()).isEqualTo(post.requests() * 10);
            assertThat(acknowledged(report)).isEqualTo(post.samples());
            assertThat(service.arrayPosts.get()).isEqualTo(post.requests());
            // The timetable holds about integral(level * 40 req/s) = (3.5 + 3) * 40 = 260 POSTs, all of them sent
            // however late the sending thread runs (the step rate is sampled, hence the small margin).
            assertThat(post.requests()).isBetween(250L, 270L);
            assertThat(report.model()).startsWith("open");
        }
    }

    @Test
    void run_openModelAgainstSlowServer_countsQueueingAsLatency() throws Exception {
        // One connection, a server needing 100 ms per request, and a timetable of 20 requests per second: the
        // requests queue up. Latency from the scheduled time must show that wait; service time does not.
        try (TrivialNettyServer server = new TrivialNettyServer(TrivialNettyServer.Mode.ANSWER_AFTER_100MS, 1)) {
            LoadReport report = LoadGenerator.builder()
                    .target(server.uri())
                    .profile(ProfileParser.parse("hold 1s 1", ProfileConstants.SEED, null))
                    .model(LoadModel.open(20, 1))
                    .getEvery(1000)
                    .requestTimeout(Duration.ofSeconds(10))
                    .build()
                    .run();
            OpReport post = report.total().post();
            assertThat(post.failures()).isZero();
            assertThat(post.requests()).isEqualTo(20);
            assertThat(post.serviceTime().p50Millis()).isGreaterThanOrEqualTo(99);
            // The last request waits for the 19 before it: about 20 x 100 ms minus its 950 ms schedule offset.
            assertThat(post.latency().maxMillis()).isGreaterThan(5 * post.serviceTime().p50Millis());
            assertThat(post.latency().p50Millis()).isGreaterThan(2 * post.serviceTime().p50Millis());
        }
    }

    @Test
    void run_refusedConnections_areCountedAsConnectRefused() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        LoadReport report = LoadGenerator.builder()
                .target(URI.create("http://127.0.0.1:" + port))
                .profile(ProfileParser.parse("hold 500ms 2", ProfileConstants.SEED, null))
                .build()
                .run();
        OpReport post = report.total().post();
        assertThat(post.failuresByCause()).containsOnlyKeys(FailureCause.CONNECT_REFUSED);
        assertThat(post.successes()).isZero();
        assertThat(report.tallies()).allSatisfy(t -> {
            assertThat(t.acknowledgedCount()).isZero();
            assertThat(t.unknownCount()).isZero();
        });
        assertThat(report.tallies().stream().mapToLong(MetricTally::notSentCount).sum()).isEqualTo(post.requests());
    }

    @Test
    void run_silentServer_countsTimeoutsAsUnknownOutcome() throws Exception {
        try (TrivialNettyServer server = new TrivialNettyServer(TrivialNettyServer.Mode.SILENT, 1)) {
            LoadReport report = LoadGenerator.builder()
                    .target(server.uri())
                    .profile(ProfileParser.parse("hold 500ms 2", ProfileConstants.SEED, null))
                    .requestTimeout(Duration.ofMillis(200))
                    .build()
                    .run();
            OpReport post = report.total().post();
            assertThat(post.failuresByCause()).containsOnlyKeys(FailureCause.TIMEOUT);
            // Every POST was tried once and retried twice with its idempotency key, then booked unknown.
            assertThat(report.tallies().stream().mapToLong(MetricTally::unknownCount).sum() * (1
                    + dev.metricsservice.loadgen.internal.LoadRun.UNKNOWN_OUTCOME_RETRIES))
                    .isEqualTo(post.requests()).isPositive();
        }
    }

    @Test
    void run_serverHangingUpAfterApplying_retriesWithTheKeyAndEndsVerifiedWithNothingUnknown() throws Exception {
        try (FakeMetricsService service = new FakeMetricsService(0)) {
            service.hangUpEvery = 7; // every 7th POST applied, never answered
            LoadReport report = LoadGenerator.builder()
                    .target(service.uri())
                    .profile(twoSeconds())
                    .model(LoadModel.closed())
                    .build()
                    .run();

            Verification v = Verifier.overHttp(service.uri()).verify(report);
            assertThat(service.hungUp.get()).isPositive();
            assertThat(service.duplicates.get()).as("retries recognised by their key").isEqualTo(service.hungUp.get());
            assertThat(v.verified()).as(v.table()).isTrue();
            assertThat(report.tallies().stream().mapToLong(MetricTally::unknownCount).sum()).isZero();
            assertThat(report.total().post().failuresByCause()).containsOnlyKeys(FailureCause.RESET);
        }
    }

    @Test
    void run_serverClosingConnections_countsResets() throws Exception {
        try (TrivialNettyServer server = new TrivialNettyServer(TrivialNettyServer.Mode.CLOSE, 1)) {
            LoadReport report = LoadGenerator.builder()
                    .target(server.uri())
                    .profile(ProfileParser.parse("hold 300ms 2", ProfileConstants.SEED, null))
                    .build()
                    .run();
            OpReport post = report.total().post();
            assertThat(post.failuresByCause()).containsKey(FailureCause.RESET);
            assertThat(post.successes()).isZero();
        }
    }

    @Test
    void run_trivialServer_reusesKeepAliveConnections() throws Exception {
        try (TrivialNettyServer server = new TrivialNettyServer(TrivialNettyServer.Mode.ANSWER, 1)) {
            LoadReport report = LoadGenerator.builder()
                    .target(server.uri())
                    .profile(ProfileParser.parse("hold 1s 4", ProfileConstants.SEED, null))
                    .sampleServer(false) // its scrape connection would be a fifth
                    .build()
                    .run();
            // Not a speed check: just enough requests that each connection must have carried several.
            assertThat(report.total().post().successes()).isGreaterThanOrEqualTo(12);
            assertThat(report.total().post().failures()).isZero();
            assertThat(server.connections.get()).as("one connection per worker, reused").isEqualTo(4);
        }
    }

    @Test
    void run_serverClosesIdleConnections_reconnectsWithoutFailures() throws Exception {
        try (TrivialNettyServer server = new TrivialNettyServer(TrivialNettyServer.Mode.ANSWER_CLOSE_IDLE, 1)) {
            LoadReport report = LoadGenerator.builder()
                    .target(server.uri())
                    .profile(ProfileParser.parse("hold 300ms 3\nhold 1s 0 pause\nhold 300ms 3 again",
                            ProfileConstants.SEED, null))
                    .build()
                    .run();
            // Only the phase after the pause is checked: in the first, a worker stalled by a busy machine for as
            // long as the server's idle timeout can meet the server closing just as it sends (a real race).
            LoadReport.PhaseReport again = report.phases().get(2);
            assertThat(again.post().requests()).isPositive();
            assertThat(again.post().failures() + again.get().failures()).isZero();
            assertThat(server.connections.get()).as("idle connections were replaced").isGreaterThan(3);
        }
    }

    @Test
    void run_bearerToken_isSentAndWrongOneIsCountedAsRejected() throws Exception {
        try (FakeMetricsService service = new FakeMetricsService(0)) {
            service.requiredToken = "s3cret";
            Profile brief = ProfileParser.parse("hold 300ms 2", ProfileConstants.SEED, null);
            LoadReport ok = LoadGenerator.builder().target(service.uri()).profile(brief).bearerToken("s3cret")
                    .build().run();
            assertThat(ok.total().post().failures()).isZero();
            assertThat(Verifier.overHttp(service.uri()).verify(ok).verified()).isTrue();

            LoadReport denied = LoadGenerator.builder().target(service.uri()).profile(brief).bearerToken("wrong")
                    .build().run();
            assertThat(denied.total().post().failuresByStatus()).containsOnlyKeys(401);
            assertThat(denied.tallies().stream().mapToLong(MetricTally::rejectedCount).sum())
                    .isEqualTo(denied.total().post().requests());
        }
    }

    @Test
    void stop_endsTheRunEarly() throws Exception {
        try (TrivialNettyServer server = new TrivialNettyServer(TrivialNettyServer.Mode.ANSWER, 1)) {
            LoadGenerator generator = LoadGenerator.builder()
                    .target(server.uri())
                    .profile(ProfileParser.parse("hold 60s 2", ProfileConstants.SEED, null))
                    .build();
            Thread stopper = new Thread(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                generator.stop();
            });
            stopper.start();
            LoadReport report = generator.run();
            assertThat(report.stoppedEarly()).isTrue();
            assertThat(report.durationSeconds()).isLessThan(30);
            assertThatThrownBy(generator::run).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void builder_validatesInput() {
        assertThatThrownBy(() -> LoadGenerator.builder().build()).hasMessageContaining("target is required");
        assertThatThrownBy(() -> LoadGenerator.builder().target(URI.create("https://x:1")).build())
                .hasMessageContaining("http://host:port");
        assertThatThrownBy(() -> LoadGenerator.builder().batchSize(0)).hasMessageContaining("batch size");
        assertThatThrownBy(() -> LoadModel.open(0, 1)).hasMessageContaining("requestsPerSecondPerLevel");
    }
}
