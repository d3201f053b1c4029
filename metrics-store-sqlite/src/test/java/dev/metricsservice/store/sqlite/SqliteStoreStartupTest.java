package dev.metricsservice.store.sqlite;

import static dev.metricsservice.store.sqlite.SqliteTestSupport.T0;
import static dev.metricsservice.store.sqlite.SqliteTestSupport.agg;
import static dev.metricsservice.store.sqlite.SqliteTestSupport.await;
import static dev.metricsservice.store.sqlite.SqliteTestSupport.rawConnection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metricsservice.core.store.MetricQuery;
import dev.metricsservice.core.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way a database location can be unusable gives a clear MISCONFIGURED error at open. */
class SqliteStoreStartupTest {

    @TempDir
    Path dir;

    private static StoreException openFails(Path file) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> SqliteMetricStore.open(file).close());
        assertThat(t).as("open(%s) should fail", file).isInstanceOf(StoreException.class);
        return (StoreException) t;
    }

    private static void sql(Path file, String... statements) throws Exception {
        try (Connection c = rawConnection(file); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    @Test
    void open_randomBytes_failsNamingTheFile() throws Exception {
        Path file = dir.resolve("garbage.db");
        byte[] bytes = new byte[64 * 1024];
        new Random(42).nextBytes(bytes);
        Files.write(file, bytes);

        StoreException e = openFails(file);

        assertThat(e.kind()).isEqualTo(StoreException.Kind.MISCONFIGURED);
        assertThat(e.getMessage()).contains(file.toString(), "not a SQLite database or is corrupt", "Move it away");
        assertThat(Files.readAllBytes(file)).as("the file is left untouched").isEqualTo(bytes);
    }

    @Test
    void open_textFile_fails() throws Exception {
        Path file = dir.resolve("notes.txt");
        Files.writeString(file, "these are not the bytes you are looking for\n".repeat(200));

        StoreException e = openFails(file);

        assertThat(e.kind()).isEqualTo(StoreException.Kind.MISCONFIGURED);
        assertThat(e.getMessage()).contains(file.toString());
    }

    @Test
    void open_pathIsADirectory_fails() throws Exception {
        Path file = Files.createDirectories(dir.resolve("iam.db"));

        StoreException e = openFails(file);

        assertThat(e.kind()).isEqualTo(StoreException.Kind.MISCONFIGURED);
        assertThat(e.getMessage()).contains(file.toString(), "is a directory");
    }

    @Test
    void open_parentIsARegularFile_fails() throws Exception {
        Path parent = Files.writeString(dir.resolve("plain-file"), "x");
        Path file = parent.resolve("m.db");

        StoreException e = openFails(file);

        assertThat(e.kind()).isEqualTo(StoreException.Kind.MISCONFIGURED);
        assertThat(e.getMessage()).contains("cannot create the directory " + parent, file.toString());
    }

    @Test
    void open_unwritableDirectory_fails() {
        // procfs refuses to create files for every user, root included (CI runs as root, and
        // permission bits do not bind root), so this is an unwritable location everywhere on Linux.
        Path file = Path.of("/proc/self/metrics-test.db");

        StoreException e = openFails(file);

        assertThat(e.kind()).isEqualTo(StoreException.Kind.MISCONFIGURED);
        assertThat(e.getMessage()).contains(file.toString());
    }

    @Test
    void open_otherApplicationsDatabase_isRefusedAndLeftAlone() throws Exception {
        Path file = dir.resolve("other.db");
        sql(file, "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)");

        StoreException e = openFails(file);

        assertThat(e.kind()).isEqualTo(StoreException.Kind.MISCONFIGURED);
        assertThat(e.getMessage()).contains(file.toString(), "another application", "customers", "new file");
    }

    @Test
    void open_incompatibleTableOfOurName_fails() throws Exception {
        Path file = dir.resolve("shape.db");
        sql(file, "CREATE TABLE metrics_schema (id INTEGER PRIMARY KEY, version INTEGER, created_at_epoch_second INTEGER)",
                "INSERT INTO metrics_schema VALUES (1, 1, 0)",
                "CREATE TABLE window_aggregate (metric_name TEXT, timestamp INTEGER, sum REAL, PRIMARY KEY (metric_name, timestamp))");

        StoreException e = openFails(file);

        assertThat(e.kind()).isEqualTo(StoreException.Kind.MISCONFIGURED);
        assertThat(e.getMessage()).contains(file.toString(), "window_aggregate", "[metric_name, timestamp, sum]");
    }

    @Test
    void open_foreignApplicationId_fails() throws Exception {
        Path file = dir.resolve("appid.db");
        sql(file, "PRAGMA application_id = 12345", "CREATE TABLE metrics_schema (id INTEGER)");

        StoreException e = openFails(file);

        assertThat(e.kind()).isEqualTo(StoreException.Kind.MISCONFIGURED);
        assertThat(e.getMessage()).contains(file.toString(), "application_id is 0x3039");
    }

    @Test
    void open_newerSchemaVersion_failsAskingForTheNewerBuild() throws Exception {
        Path file = dir.resolve("future.db");
        SqliteMetricStore.open(file).close();
        sql(file, "UPDATE metrics_schema SET version = 7");

        StoreException e = openFails(file);

        assertThat(e.kind()).isEqualTo(StoreException.Kind.MISCONFIGURED);
        assertThat(e.getMessage()).contains(file.toString(), "schema version 7", "understands up to " + Schema.CURRENT_VERSION);
    }

    @Test
    void open_versionRowMissing_fails() throws Exception {
        Path file = dir.resolve("noversion.db");
        SqliteMetricStore.open(file).close();
        sql(file, "DELETE FROM metrics_schema");

        assertThat(openFails(file).getMessage()).contains(file.toString(), "schema version is unknown");
    }

    @Test
    void open_emptyExistingFile_becomesAStore() throws Exception {
        Path file = Files.createFile(dir.resolve("empty.db"));

        try (SqliteMetricStore store = SqliteMetricStore.open(file)) {
            await(store.write(List.of(agg("e", T0, "w1", 1, 1, 1, 1))));
            assertThat(await(store.query(MetricQuery.latest("e", 1)))).hasSize(1);
        }
    }

    @Test
    void open_anotherProcessHoldsTheWriteLock_failsRetryable() throws Exception {
        Path file = dir.resolve("locked.db");
        SqliteMetricStore.open(file).close();
        try (Connection other = rawConnection(file); Statement s = other.createStatement()) {
            s.execute("BEGIN EXCLUSIVE");
            s.execute("INSERT INTO window_aggregate VALUES (1, 1, 'w', 0, 1, 1.0, 1.0, 1.0, NULL, NULL, NULL, NULL)");

            Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> SqliteMetricStore.open(
                    SqliteStoreConfig.builder().path(file).busyTimeout(Duration.ofMillis(50)).build()).close());

            assertThat(t).isInstanceOf(StoreException.class);
            assertThat(((StoreException) t).isRetryable()).isTrue();
            assertThat(t.getMessage()).contains(file.toString(), "locked");
            s.execute("ROLLBACK");
        }
    }

    @Test
    void config_outOfRange_failsNamingTheSetting() {
        assertThatThrownBy(() -> SqliteStoreConfig.builder().readConnections(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("readConnections");
        assertThatThrownBy(() -> SqliteStoreConfig.builder().busyTimeout(Duration.ofMillis(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("busyTimeout");
        assertThatThrownBy(() -> SqliteStoreConfig.builder().closeTimeout(Duration.ofSeconds(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("closeTimeout");
        assertThatThrownBy(() -> SqliteStoreConfig.builder().path(Path.of(" ")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("path");
        assertThat(SqliteStoreConfig.defaults().path()).isEqualTo(Path.of("data", "metrics.db"));
    }

    @Test
    void open_pathWithQuestionMark_failsClearly() {
        StoreException e = openFails(dir.resolve("what?.db"));

        assertThat(e.kind()).isEqualTo(StoreException.Kind.MISCONFIGURED);
        assertThat(e.getMessage()).contains("'?'");
    }
}
