package dev.metricsservice.loadgen;

/**
 * The named levels a profile file may use instead of numbers: {@code baseline}, {@code max} and {@code herd}.
 * Immutable.
 *
 * @param baseline   steady-state level (seed: 4)
 * @param maxWorkers peak level of the ramp (seed: 40)
 * @param herd       thundering-herd spike level (seed: 200)
 */
public record ProfileConstants(int baseline, int maxWorkers, int herd) {

    /** The seed's constants: baseline 4, max workers 40, thundering herd 200. */
    public static final ProfileConstants SEED = new ProfileConstants(4, 40, 200);

    public ProfileConstants {
        if (baseline < 0 || maxWorkers < 0 || herd < 0) {
            throw new IllegalArgumentException("profile constants must be >= 0: baseline=" + baseline
                    + " max=" + maxWorkers + " herd=" + herd);
        }
    }

    /** Value of a symbolic level, or -1 if {@code symbol} is not one. */
    int resolve(String symbol) {
        return switch (symbol) {
            case "baseline" -> baseline;
            case "max" -> maxWorkers;
            case "herd" -> herd;
            default -> -1;
        };
    }
}
