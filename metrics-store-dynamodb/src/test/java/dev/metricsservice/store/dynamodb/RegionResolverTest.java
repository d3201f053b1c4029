package dev.metricsservice.store.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegionResolverTest {

    @TempDir
    Path home;

    private Properties props() {
        Properties p = new Properties();
        p.setProperty("user.home", home.toString()); // no ~/.aws/config unless a test writes one
        return p;
    }

    private static final Map<String, String> NO_IMDS = Map.of("AWS_EC2_METADATA_DISABLED", "true");

    @Test
    void resolve_awsRegionInTheEnvironment_isUsedAndNamed() {
        RegionResolver.Resolved r = RegionResolver.resolve(null, "--region", null,
                Map.of("AWS_REGION", "eu-west-1"), props());
        assertThat(r).isEqualTo(new RegionResolver.Resolved("eu-west-1", "environment variable AWS_REGION"));
    }

    @Test
    void resolve_explicitWinsOverPropertyWinsOverEnvironment() {
        Properties p = props();
        p.setProperty("aws.region", "ap-south-1");
        assertThat(RegionResolver.resolve("us-west-2", "--region", null, Map.of("AWS_REGION", "eu-west-1"), p))
                .isEqualTo(new RegionResolver.Resolved("us-west-2", "--region"));
        assertThat(RegionResolver.resolve(null, "--region", null, Map.of("AWS_REGION", "eu-west-1"), p).region())
                .isEqualTo("ap-south-1");
    }

    @Test
    void resolve_profileRegion_fromTheNamedProfileInTheConfigFile() throws Exception {
        Path config = home.resolve("aws-config");
        Files.writeString(config, "[default]\nregion = eu-central-1\n\n[profile prod]\nregion = eu-north-1\n");
        assertThat(RegionResolver.resolve(null, "--region", null,
                Map.of("AWS_CONFIG_FILE", config.toString(), "AWS_EC2_METADATA_DISABLED", "true"), props()).region())
                .isEqualTo("eu-central-1");
        RegionResolver.Resolved prod = RegionResolver.resolve(null, "--region", null,
                Map.of("AWS_CONFIG_FILE", config.toString(), "AWS_PROFILE", "prod"), props());
        assertThat(prod.region()).isEqualTo("eu-north-1");
        assertThat(prod.source()).contains("profile 'prod'");
    }

    @Test
    void resolve_nothingButAnEndpointOverride_isTheLocalDefault() {
        RegionResolver.Resolved r = RegionResolver.resolve(null, "--region", URI.create("http://127.0.0.1:8000"),
                NO_IMDS, props());
        assertThat(r.region()).isEqualTo("us-east-1");
        assertThat(r.source()).contains("endpoint override");
    }

    @Test
    void resolve_nothingAtAll_failsSayingHowToSetOne() {
        assertThatThrownBy(() -> RegionResolver.resolve(null, "--region", null, NO_IMDS, props()))
                .isInstanceOf(RegionResolver.NoRegionException.class)
                .hasMessageContaining("--region").hasMessageContaining("AWS_REGION");
    }
}
