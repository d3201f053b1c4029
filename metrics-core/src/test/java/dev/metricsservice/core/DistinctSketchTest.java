package dev.metricsservice.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DistinctSketchTest {

    private static DistinctSketch of(long from, long to) {
        DistinctSketch s = new DistinctSketch();
        for (long i = from; i < to; i++) {
            s.add(i);
        }
        return s;
    }

    @Test
    void estimate_smallSets_areCountedExactly() {
        // With 4,096 registers, up to a few dozen members rarely share a register, and the
        // estimator then answers the exact count.
        for (int n = 0; n <= 40; n++) {
            assertThat(of(0, n).estimate()).as("n=%d", n).isEqualTo(n);
        }
    }

    @Test
    void estimate_largeSets_areWithinFourStandardErrors() {
        double standardError = 1.04 / Math.sqrt(DistinctSketch.REGISTERS);
        SplittableRandom r = new SplittableRandom(11);
        for (int n : new int[] {100, 1_000, 5_000, 10_000, 50_000, 200_000, 1_000_000}) {
            DistinctSketch s = new DistinctSketch();
            long base = r.nextLong(1L << 40);
            for (int i = 0; i < n; i++) {
                s.add(base + i);
                s.add(base + i); // repeats change nothing
            }
            assertThat(Math.abs(s.estimate() - n) / (double) n).as("n=%d estimate=%d", n, s.estimate())
                    .isLessThan(4 * standardError);
        }
    }

    @Test
    void merge_overlappingHalves_equalsTheSketchOfTheUnion() {
        DistinctSketch left = of(0, 6_000);
        DistinctSketch right = of(4_000, 10_000);
        DistinctSketch union = left.copy();
        union.merge(right);
        assertThat(union).isEqualTo(of(0, 10_000));
        DistinctSketch twice = union.copy();
        twice.merge(left);
        assertThat(twice).isEqualTo(union); // idempotent: a part merged again changes nothing
        DistinctSketch empty = new DistinctSketch();
        empty.merge(right);
        assertThat(empty).isEqualTo(right);
    }

    @Test
    void add_zeroAndNegativeZero_areOneMember() {
        DistinctSketch s = new DistinctSketch();
        s.add(0.0);
        s.add(-0.0);
        assertThat(s.estimate()).isEqualTo(1);
    }

    @Test
    void toBytes_sparseAndDense_roundTrip() {
        for (DistinctSketch s : new DistinctSketch[] {new DistinctSketch(), of(0, 3), of(0, 500), of(0, 100_000)}) {
            byte[] bytes = s.toBytes();
            assertThat(bytes.length).isLessThanOrEqualTo(3 + DistinctSketch.REGISTERS);
            DistinctSketch back = DistinctSketch.fromBytes(bytes);
            assertThat(back).isEqualTo(s);
            assertThat(back.estimate()).isEqualTo(s.estimate());
        }
        assertThat(of(0, 3).toBytes()).hasSize(5 + 3 * 3);
        assertThat(DistinctSketch.fromBytes(new DistinctSketch().toBytes()).isEmpty()).isTrue();
    }

    @Test
    void fromBytes_damaged_isRefusedWithTheReason() {
        byte[] good = of(0, 3).toBytes();
        byte[] version = good.clone();
        version[0] = 9;
        assertThatThrownBy(() -> DistinctSketch.fromBytes(version)).hasMessageContaining("version 9");
        byte[] precision = good.clone();
        precision[1] = 14;
        assertThatThrownBy(() -> DistinctSketch.fromBytes(precision)).hasMessageContaining("precision 14");
        byte[] cut = java.util.Arrays.copyOf(good, good.length - 1);
        assertThatThrownBy(() -> DistinctSketch.fromBytes(cut)).hasMessageContaining("register count");
        byte[] value = good.clone();
        value[7] = 99;
        assertThatThrownBy(() -> DistinctSketch.fromBytes(value)).hasMessageContaining("value 99");
        assertThatThrownBy(() -> DistinctSketch.fromBytes(new byte[1])).hasMessageContaining("too short");
    }

    @Test
    void textMember_sameTextSameMember_otherTextOther() {
        byte[] alice = "alice".getBytes(StandardCharsets.UTF_8);
        byte[] bob = "bob".getBytes(StandardCharsets.UTF_8);
        double a = DistinctSketch.textMember(alice, 0, alice.length);
        assertThat(DistinctSketch.textMember(alice, 0, alice.length)).isEqualTo(a);
        assertThat(DistinctSketch.textMember(bob, 0, bob.length)).isNotEqualTo(a);
        assertThat(a).isEqualTo(Math.rint(a)).isBetween(0.0, 0x1p53);
    }
}
