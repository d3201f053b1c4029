/**
 * The aggregation engine, the storage SPI and the in-memory store; no dependencies beyond the JDK.
 * Every exported package is API; the engine's internals are package-private in
 * {@code dev.metricsservice.core}.
 */
module dev.metricsservice.core {
    exports dev.metricsservice.core;
    exports dev.metricsservice.core.durability;
    exports dev.metricsservice.core.flush;
    exports dev.metricsservice.core.store;
    exports dev.metricsservice.core.units;
}
