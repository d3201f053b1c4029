/** The embedded SQLite store: {@code SqliteMetricStore} and its configuration. */
module dev.metricsservice.store.sqlite {
    requires transitive dev.metricsservice.core;
    requires java.sql;
    requires org.slf4j;
    requires org.xerial.sqlitejdbc;

    exports dev.metricsservice.store.sqlite;
}
