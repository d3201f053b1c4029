package dev.metricsservice.benchmarks.telemetry;

import dev.metricsservice.telemetry.Telemetry;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * Switches recording on and off every {@code periodMillis} inside one server process and measures each phase:
 * requests served, wall time, and process CPU time. Adjacent phases share the machine's load, so the ratios of
 * an "on" phase to the "off" phase after it are far steadier on a shared machine than comparing separate runs.
 * Phases in the first {@code skipMillis} (warm-up) are ignored.
 */
final class AlternatingProbe implements Runnable {
    private record Phase(boolean on, long requests, long wallNanos, long cpuNanos) {
        double requestsPerSecond() {
            return requests * 1e9 / wallNanos;
        }

        double cpuNanosPerRequest() {
            return requests == 0 ? Double.NaN : (double) cpuNanos / requests;
        }
    }

    private final Telemetry telemetry;
    private final LongAdder requests;
    private final long periodMillis;
    private final long skipMillis;
    private final List<Phase> phases = new ArrayList<>();
    private volatile boolean stopped;

    AlternatingProbe(Telemetry telemetry, LongAdder requests, long periodMillis, long skipMillis) {
        this.telemetry = telemetry;
        this.requests = requests;
        this.periodMillis = periodMillis;
        this.skipMillis = skipMillis;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    @Override
    public void run() {
        long started = System.nanoTime();
        boolean on = true;
        telemetry.setEnabled(true);
        long t0 = System.nanoTime();
        long r0 = requests.sum();
        long c0 = processCpuNanos();
        while (!stopped) {
            try {
                Thread.sleep(periodMillis);
            } catch (InterruptedException e) {
                break;
            }
            long t1 = System.nanoTime();
            long r1 = requests.sum();
            long c1 = processCpuNanos();
            if (t0 - started >= skipMillis * 1_000_000L && r1 > r0) {
                synchronized (phases) {
                    phases.add(new Phase(on, r1 - r0, t1 - t0, c1 - c0));
                }
            }
            on = !on;
            telemetry.setEnabled(on);
            t0 = System.nanoTime();
            r0 = requests.sum();
            c0 = processCpuNanos();
        }
    }

    void stop() {
        stopped = true;
    }

    /** One line per measure: median and quartiles of on/off ratios over adjacent (on, off) phase pairs. */
    String report() {
        List<Phase> copy;
        synchronized (phases) {
            copy = new ArrayList<>(phases);
        }
        List<Double> throughput = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        for (int i = 0; i + 1 < copy.size(); i++) {
            Phase a = copy.get(i);
            Phase b = copy.get(i + 1);
            if (a.on() && !b.on()) {
                throughput.add(a.requestsPerSecond() / b.requestsPerSecond());
                cpu.add(a.cpuNanosPerRequest() / b.cpuNanosPerRequest());
                i++;
            }
        }
        double onRps = copy.stream().filter(Phase::on).mapToDouble(Phase::requestsPerSecond).average().orElse(0);
        double offRps = copy.stream().filter(p -> !p.on()).mapToDouble(Phase::requestsPerSecond).average().orElse(0);
        return String.format(Locale.ROOT, "ALTERNATE pairs=%d periodMs=%d meanRpsOn=%.0f meanRpsOff=%.0f%n"
                        + "ALTERNATE throughput on/off: %s%nALTERNATE cpu-per-request on/off: %s",
                throughput.size(), periodMillis, onRps, offRps, quartiles(throughput), quartiles(cpu));
    }

    private static String quartiles(List<Double> values) {
        if (values.isEmpty()) {
            return "no pairs";
        }
        List<Double> s = new ArrayList<>(values);
        s.sort(null);
        return String.format(Locale.ROOT, "median %.4f (q1 %.4f, q3 %.4f, n %d)", s.get(s.size() / 2),
                s.get(s.size() / 4), s.get(s.size() * 3 / 4), s.size());
    }
}
