package dev.metricsservice.loadgen;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProfileTest {

    private final Profile seed = Profile.preset("seed");

    @ParameterizedTest(name = "seed level at {0} ms = {1}")
    @CsvSource({
            "0, 4",          // ramp starts at baseline
            "2500, 13",      // 4 + 36 * 0.25
            "5000, 22",      // halfway
            "9999, 40",      // 4 + 36 * 0.9999 rounds to 40
            "10000, 40",     // hold max
            "19999, 40",
            "20000, 40",     // ramp down starts at max
            "25000, 22",
            "30000, 4",      // hold baseline
            "39999, 4",
            "40000, 200",    // thundering herd
            "44999, 200",
            "45000, 4",      // tail
            "54999, 4",
            "55000, 0",      // over
            "60000, 0"
    })
    void levelAt_seedProfile(long millis, int expected) {
        assertThat(seed.levelAt(Duration.ofMillis(millis))).isEqualTo(expected);
    }

    @Test
    void levelAt_beforeStart_isZero() {
        assertThat(seed.levelAtNanos(-1)).isZero();
    }

    @Test
    void preset_seed_hasTheIssuesPhases() {
        assertThat(seed.totalDuration()).isEqualTo(Duration.ofSeconds(55));
        assertThat(seed.phases()).extracting(Phase::name)
                .containsExactly("ramp-up", "peak", "ramp-down", "quiet", "herd", "tail");
        assertThat(seed.phases()).extracting(p -> p.duration().toSeconds()).containsExactly(10L, 10L, 10L, 10L, 5L, 10L);
        assertThat(seed.peakLevel()).isEqualTo(200);
    }

    @ParameterizedTest(name = "phase index at {0} ms = {1}")
    @CsvSource({"0,0", "9999,0", "10000,1", "19999,1", "20000,2", "30000,3", "40000,4", "44999,4", "45000,5",
            "54999,5", "55000,-1"})
    void phaseIndexAt_boundariesBelongToTheNextPhase(long millis, int index) {
        assertThat(seed.phaseIndexAt(Duration.ofMillis(millis).toNanos())).isEqualTo(index);
    }

    @Test
    void phaseStart_sumsEarlierPhases() {
        assertThat(seed.phaseStart(4)).isEqualTo(Duration.ofSeconds(40));
    }

    @Test
    void preset_durationOverride_resizesRestPhase() {
        Profile p = Profile.preset("seed", ProfileConstants.SEED, Duration.ofSeconds(90));
        assertThat(p.totalDuration()).isEqualTo(Duration.ofSeconds(90));
        assertThat(p.phases().get(5).duration()).isEqualTo(Duration.ofSeconds(45));
        assertThat(p.levelAt(Duration.ofSeconds(80))).isEqualTo(4);
    }

    @Test
    void preset_constantsOverride_changesSymbolicLevels() {
        Profile p = Profile.preset("seed", new ProfileConstants(2, 10, 50), null);
        assertThat(p.levelAt(Duration.ZERO)).isEqualTo(2);
        assertThat(p.levelAt(Duration.ofSeconds(15))).isEqualTo(10);
        assertThat(p.levelAt(Duration.ofSeconds(42))).isEqualTo(50);
    }

    @Test
    void preset_smokeAndSoak_exist() {
        assertThat(Profile.preset("smoke").totalDuration()).isEqualTo(Duration.ofSeconds(5));
        assertThat(Profile.preset("soak").totalDuration()).isEqualTo(Duration.ofMinutes(10));
        assertThatThrownBy(() -> Profile.preset("nope")).hasMessageContaining("unknown profile preset 'nope'");
    }

    @Test
    void parse_withoutRest_scalesToTotal() {
        Profile p = ProfileParser.parse("ramp 2s 0 10\nhold 2s 10", ProfileConstants.SEED, Duration.ofSeconds(8));
        assertThat(p.phases()).extracting(Phase::duration)
                .containsExactly(Duration.ofSeconds(4), Duration.ofSeconds(4));
        assertThat(p.levelAt(Duration.ofSeconds(2))).isEqualTo(5);
        assertThat(p.phases().get(0).name()).isEqualTo("1-ramp");
    }

    @Test
    void parse_commentsUnitsAndLabels() {
        Profile p = ProfileParser.parse("""
                # a comment
                name mine   # trailing comment
                hold 500ms 3 warm
                spike 0.5s herd burst
                hold 1m 1
                """, ProfileConstants.SEED, null);
        assertThat(p.name()).isEqualTo("mine");
        assertThat(p.totalDuration()).isEqualTo(Duration.ofMillis(61_000));
        assertThat(p.phases().get(1).shape()).isEqualTo(Phase.Shape.SPIKE);
        assertThat(p.levelAt(Duration.ofMillis(700))).isEqualTo(200);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "ramp 10s 4|line 1: 'ramp' takes 2 level(s)",
            "hold 10s lots|line 1: level 'lots' is neither a number nor baseline/max/herd",
            "hold ten 4|line 1: bad duration 'ten'",
            "hold -1s 4|line 1: duration must be positive",
            "jump 1s 4|line 1: unknown statement 'jump'",
            "hold rest 4|line 1: 'rest' needs a total",
            "duration 5s\\nhold 6s 1\\nhold rest 2|leaves nothing for the 'rest' phase",
            "hold 1s -3|level must be >= 0",
            "name x|profile has no phases",
            "hold 1s 4 a b|too many words"
    })
    void parse_badInput_saysWhatIsWrong(String text, String message) {
        assertThatThrownBy(() -> ProfileParser.parse(text.replace("\\n", "\n"), ProfileConstants.SEED, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    @Test
    void phase_holdWithTwoLevels_isRejected() {
        assertThatThrownBy(() -> new Phase("x", Phase.Shape.HOLD, Duration.ofSeconds(1), 1, 2))
                .hasMessageContaining("has one level");
    }
}
