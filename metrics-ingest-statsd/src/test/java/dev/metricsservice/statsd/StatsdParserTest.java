package dev.metricsservice.statsd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metricsservice.core.MetricType;
import dev.metricsservice.core.Tags;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StatsdParserTest {

    private final StatsdParser parser = new StatsdParser(8);

    private StatsdParser.Line parse(String line) {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        return parser.parse(b, 0, b.length);
    }

    private StatsdParser.Drop dropOf(String line) {
        assertThat(parse(line)).as(line).isNull();
        return parser.lastDrop;
    }

    @Test
    void parse_counterWithRateAndTags_dividesByTheRate() {
        StatsdParser.Line l = parse("page.views:3|c|@0.5|#route:/home,region:eu");
        assertThat(l.name).isEqualTo("page.views");
        assertThat(l.type).isEqualTo(MetricType.COUNTER);
        assertThat(l.values[0]).isEqualTo(6.0);
        assertThat(l.valueCount).isEqualTo(1);
        assertThat(l.tags).isEqualTo(Tags.of("route", "/home", "region", "eu"));
    }

    @Test
    void parse_timersHistogramsDistributions_areDistributionsAndARateRepeatsThem() {
        assertThat(parse("db.query:12.5|ms").type).isEqualTo(MetricType.DISTRIBUTION);
        assertThat(parse("size:7|h").type).isEqualTo(MetricType.DISTRIBUTION);
        StatsdParser.Line d = parse("lat:1:2:3|d|@0.25");
        assertThat(d.valueCount).isEqualTo(3);
        assertThat(d.values).startsWith(1.0, 2.0, 3.0);
        assertThat(d.repeat).isEqualTo(4);
    }

    @Test
    void parse_gauges_absoluteAndRelative() {
        StatsdParser.Line abs = parse("queue:-7|g");
        assertThat(abs.relative).isTrue(); // a sign means relative, as StatsD has it
        assertThat(parse("queue:7|g").relative).isFalse();
        assertThat(parse("queue:+2.5|g").values[0]).isEqualTo(2.5);
        assertThat(dropOf("queue:+1:2|g")).isEqualTo(StatsdParser.Drop.BAD_VALUE);
    }

    @Test
    void parse_tagWithoutValueAndTimestampAndSenderSections() {
        StatsdParser.Line l = parse("jobs:1|c|#canary,zone:a:b|T1700000000|c:container-42|card:low");
        assertThat(l.tags).isEqualTo(Tags.of("canary", "", "zone", "a:b"));
        assertThat(l.timestamped).isTrue();
        assertThat(l.epochMillis).isEqualTo(1_700_000_000_000L);
    }

    @Test
    void parse_sets_numericMembersAreTheirNumberAndTextIsHashed() {
        StatsdParser.Line n = parse("users:42|s|@0.5");
        assertThat(n.type).isEqualTo(MetricType.SET);
        assertThat(n.valueCount).isEqualTo(1);
        assertThat(n.values[0]).isEqualTo(42.0); // the rate does not scale a member
        StatsdParser.Line a = parse("users:alice|s|#app:web");
        double alice = a.values[0];
        assertThat(a.tags).isEqualTo(Tags.of("app", "web"));
        assertThat(alice).isEqualTo(Math.rint(alice)).isLessThan(0x1p53);
        assertThat(parse("users:bob|s").values[0]).isNotEqualTo(alice);
        assertThat(parse("users:alice|s").values[0]).isEqualTo(alice);
        StatsdParser.Line colon = parse("peers:10.0.0.1:8080|s");
        assertThat(colon.valueCount).isEqualTo(1); // a member may hold ':' and is not packed
        assertThat(dropOf("users:|s")).isEqualTo(StatsdParser.Drop.MALFORMED);
    }

    @Test
    void parse_badLines_areDroppedByReason() {
        assertThat(dropOf("no-bar")).isEqualTo(StatsdParser.Drop.MALFORMED);
        assertThat(dropOf(":1|c")).isEqualTo(StatsdParser.Drop.MALFORMED);
        assertThat(dropOf("name|c")).isEqualTo(StatsdParser.Drop.MALFORMED);
        assertThat(dropOf("name:1|")).isEqualTo(StatsdParser.Drop.MALFORMED);
        assertThat(dropOf("name:abc|c")).isEqualTo(StatsdParser.Drop.BAD_VALUE);
        assertThat(dropOf("name:NaN|g")).isEqualTo(StatsdParser.Drop.BAD_VALUE);
        assertThat(dropOf("name:1e999|g")).isEqualTo(StatsdParser.Drop.BAD_VALUE);
        assertThat(dropOf("name:1::2|d")).isEqualTo(StatsdParser.Drop.BAD_VALUE);
        assertThat(dropOf("name:1|x")).isEqualTo(StatsdParser.Drop.UNKNOWN_TYPE);
        assertThat(dropOf("name:1|c|@0")).isEqualTo(StatsdParser.Drop.BAD_SAMPLE_RATE);
        assertThat(dropOf("name:1|c|@1.5")).isEqualTo(StatsdParser.Drop.BAD_SAMPLE_RATE);
        assertThat(dropOf("name:1|c|#:v")).isEqualTo(StatsdParser.Drop.BAD_TAGS);
        assertThat(dropOf("name:1|c|#a:1,a:2")).isEqualTo(StatsdParser.Drop.BAD_TAGS);
        assertThat(dropOf("name:1|c|Tsoon")).isEqualTo(StatsdParser.Drop.BAD_TIMESTAMP);
        assertThat(dropOf("name:1|c|z:what")).isEqualTo(StatsdParser.Drop.UNKNOWN_SECTION);
        assertThat(dropOf("name:1|c||#a:b")).isEqualTo(StatsdParser.Drop.MALFORMED);
        assertThat(dropOf("name:1:2:3:4:5:6:7:8:9|d")).isEqualTo(StatsdParser.Drop.TOO_MANY_VALUES);
        assertThat(dropOf("_e{5,4}:title|text")).isEqualTo(StatsdParser.Drop.EVENT);
        assertThat(dropOf("_sc|db.up|0")).isEqualTo(StatsdParser.Drop.SERVICE_CHECK);
    }

    @Test
    void parse_anyBytes_neverThrows() {
        Random random = new Random(7);
        String alphabet = "ab:|@#,.T-+e0123456789\r\u00e9";
        for (int i = 0; i < 200_000; i++) {
            byte[] b;
            if (i % 2 == 0) {
                b = new byte[random.nextInt(40)];
                random.nextBytes(b);
            } else {
                StringBuilder sb = new StringBuilder();
                int n = random.nextInt(30);
                for (int k = 0; k < n; k++) {
                    sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                b = sb.toString().getBytes(StandardCharsets.UTF_8);
            }
            StatsdParser.Line l = parser.parse(b, 0, b.length);
            if (l == null) {
                assertThat(parser.lastDrop).isNotNull();
            } else {
                assertThat(l.valueCount).isPositive();
                for (int k = 0; k < l.valueCount; k++) {
                    assertThat(Double.isFinite(l.values[k])).isTrue();
                }
            }
        }
    }
}
