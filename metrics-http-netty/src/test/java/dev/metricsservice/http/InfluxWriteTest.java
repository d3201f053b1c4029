package dev.metricsservice.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.core.Aggregator;
import dev.metricsservice.core.MetricClock;
import dev.metricsservice.core.SampleBatch;
import dev.metricsservice.core.SeriesKey;
import dev.metricsservice.core.Stats;
import dev.metricsservice.core.Tags;
import dev.metricsservice.core.storetest.Totals;
import dev.metricsservice.core.store.InMemoryMetricStore;
import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** Influx line protocol: the parser's rules, then POST /write and /api/v2/write on a real server. */
class InfluxWriteTest {

    private static SampleBatch parse(String body, long unit) throws InfluxParser.BadLine {
        SampleBatch batch = new SampleBatch();
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        new InfluxParser(b, b.length, unit, batch, 10_000).parse();
        return batch;
    }

    @Test
    void parse_fieldsTagsEscapesAndTimestamps() throws Exception {
        SampleBatch b = parse("# a comment\n"
                + "cpu,host=a,region=eu usage=1.5,idle=3i,up=t,note=\"x, y\" 1700000000000000000\n"
                + "\n"
                + "disk\\ io,path=/var\\,log value=7u 1700000000123456789\r\n", 1);
        assertThat(b.size()).isEqualTo(4);
        assertThat(b.name(0)).isEqualTo("cpu_usage");
        assertThat(b.tags(0)).isEqualTo(Tags.of("host", "a", "region", "eu"));
        assertThat(b.value(0)).isEqualTo(1.5);
        assertThat(b.name(1)).isEqualTo("cpu_idle");
        assertThat(b.value(1)).isEqualTo(3.0);
        assertThat(b.value(2)).isEqualTo(1.0);
        assertThat(b.epochMillis(0)).isEqualTo(1_700_000_000_000L);
        assertThat(b.name(3)).isEqualTo("disk io"); // field 'value': the measurement alone
        assertThat(b.tags(3)).isEqualTo(Tags.of("path", "/var,log"));
        assertThat(b.epochMillis(3)).isEqualTo(1_700_000_000_123L);
        assertThat(parse("m v=1 1700000000", InfluxParser.precision("s")).epochMillis(0)).isEqualTo(1_700_000_000_000L);
        assertThat(parse("m v=1", 1).hasTimestamp(0)).isFalse();
        // Repeated series (the cached path) and the integer fast path give what the general path gives.
        SampleBatch r = parse("m,a=1 v=7i,w=12345678901234567\nm,a=1 v=-3,w=2.5e3\nm,a=2 v=0u\nm,a=1 x=T", 1);
        assertThat(r.size()).isEqualTo(6);
        assertThat(r.value(0)).isEqualTo(7.0);
        assertThat(r.value(1)).isEqualTo(12345678901234567.0);
        assertThat(r.value(2)).isEqualTo(-3.0);
        assertThat(r.value(3)).isEqualTo(2500.0);
        assertThat(r.tags(4)).isEqualTo(Tags.of("a", "2"));
        assertThat(r.value(4)).isZero();
        assertThat(r.name(5)).isEqualTo("m_x");
        assertThat(r.tags(5)).isEqualTo(Tags.of("a", "1"));
        assertThat(r.value(5)).isEqualTo(1.0);
        SampleBatch keys = parse("m x=1,y=2\nm xy=3,y=4\nm y=5,x=6\nm x\\ z=7", 1);
        assertThat(java.util.stream.IntStream.range(0, keys.size()).mapToObj(keys::name).toList())
                .containsExactly("m_x", "m_y", "m_xy", "m_y", "m_y", "m_x", "m_x z");
    }

    @Test
    void parse_badLines_nameTheLineAndTheRule() {
        String[][] cases = {
            {"m v=1\nm", "line 2: expected a space"},
            {"m,t v=1", "line 1: tag 't' has no '='"},
            {"m v=abc", "line 1: field 'v' has the value 'abc'"},
            {"m v=\"open", "line 1: field 'v' has an unterminated string"},
            {"m v=1 12x", "line 1: the timestamp"},
            {"m v=1 99999999999999999", "out of range"},
            {"m,a=1,a=2 v=1", "given twice"},
            {",t=1 v=1", "line 1: the measurement is empty"},
            {"m =1", "a field key is empty"},
        };
        for (String[] c : cases) {
            long unit = c[1].equals("out of range") ? InfluxParser.precision("h") : 1;
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> parse(c[0], unit)).as(c[0])
                    .isInstanceOf(InfluxParser.BadLine.class).hasMessageContaining(c[1]);
        }
    }

    private static RawClient.Response post(MetricsHttpServer server, String path, byte[] body, String... headers)
            throws Exception {
        StringBuilder h = new StringBuilder();
        for (String header : headers) {
            h.append(header).append("\r\n");
        }
        byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: x\r\n" + h + "Content-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        try (RawClient c = new RawClient(server.localAddress(), 10_000)) {
            c.send(head);
            return c.send(body).read();
        }
    }

    private static Stats total(Aggregator aggregator, InMemoryMetricStore store, SeriesKey key) throws Exception {
        return Totals.of(aggregator, store, key);
    }

    @Test
    void write_plainAndGzip_recordedAndAnswered204_badRequestsRecordNothing() throws Exception {
        Aggregator aggregator = Aggregator.builder().clock(MetricClock.system()).build();
        InMemoryMetricStore store = new InMemoryMetricStore();
        try (MetricsHttpServer server = TestServers.start(aggregator, store, TestServers.config().build())) {
            RawClient.Response ok = post(server, "/write?precision=ms",
                    "req,route=/a latency=12,size=3i\nreq,route=/a latency=8\n".getBytes(StandardCharsets.UTF_8),
                    "Content-Type: text/plain");
            assertThat(ok.status()).isEqualTo(204);
            ByteArrayOutputStream zipped = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
                gz.write("req,route=/a latency=5\n".getBytes(StandardCharsets.UTF_8));
            }
            assertThat(post(server, "/api/v2/write?precision=ns", zipped.toByteArray(), "Content-Encoding: gzip").status())
                    .isEqualTo(204);
            Stats latency = total(aggregator, store, SeriesKey.of("req_latency", Tags.of("route", "/a")));
            assertThat(latency.count()).isEqualTo(3);
            assertThat(latency.sum()).isEqualTo(25.0);

            RawClient.Response bad = post(server, "/write", "bad latency=1\nbad latency=oops\n".getBytes(StandardCharsets.UTF_8));
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.body()).contains("line 2").contains("latency");
            assertThat(post(server, "/write?precision=weeks", "m v=1".getBytes(StandardCharsets.UTF_8)).body())
                    .contains("precision");
            assertThat(post(server, "/write", "m v=1".getBytes(StandardCharsets.UTF_8), "Content-Encoding: br").status())
                    .isEqualTo(415);
            assertThat(post(server, "/write", "not gzip".getBytes(StandardCharsets.UTF_8), "Content-Encoding: gzip").body())
                    .contains("gzip");
            // all or none: the first line of the bad request was not recorded
            assertThat(total(aggregator, store, SeriesKey.of("bad_latency")).count()).isZero();
            assertThat(total(aggregator, store, SeriesKey.of("req_latency", Tags.of("route", "/a"))).count()).isEqualTo(3);
        }
    }
}
