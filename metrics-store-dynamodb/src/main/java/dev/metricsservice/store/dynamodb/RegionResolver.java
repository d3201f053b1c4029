package dev.metricsservice.store.dynamodb;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.providers.InstanceProfileRegionProvider;

/**
 * Finds the AWS region to use and says where it came from, in the order the AWS SDK's default
 * chain uses: an explicit setting, the {@code aws.region} system property, the {@code AWS_REGION}
 * environment variable, the {@code region} of the profile ({@code AWS_PROFILE}, else
 * {@code default}) in the shared config file ({@code AWS_CONFIG_FILE}, else {@code ~/.aws/config}),
 * then the EC2 instance metadata service (skipped when {@code AWS_EC2_METADATA_DISABLED=true}).
 * With an endpoint override (dynalite, a local server) and nothing found, {@code us-east-1}.
 *
 * <pre>{@code
 * RegionResolver.Resolved r = RegionResolver.resolve(null, null, System.getenv(), System.getProperties());
 * System.out.println("region " + r.region() + " (" + r.source() + ")");   // region eu-west-1 (AWS_REGION)
 * }</pre>
 *
 * <p>Unlike the SDK's own chain it reads the environment and properties it is given, so tests can
 * pass their own, and it reports the source, so a start-up banner can show it. Stateless and
 * thread-safe.
 */
public final class RegionResolver {

    private RegionResolver() {
    }

    /**
     * A region and where it was found.
     *
     * @param region the region name, e.g. {@code eu-west-1}
     * @param source where it came from, in words: {@code --region}, {@code AWS_REGION}, ...
     */
    public record Resolved(String region, String source) {
    }

    /** No region could be found; the message says how to set one. */
    public static final class NoRegionException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NoRegionException(String message) {
            super(message);
        }
    }

    /**
     * Resolves the region.
     *
     * @param explicit         a region set by the caller (a flag), or null
     * @param explicitSource   how to name the explicit setting in {@link Resolved#source()}
     * @param endpointOverride the endpoint override, or null for real AWS
     * @param env              environment variables
     * @param properties       system properties
     * @throws NoRegionException when nothing names a region and there is no endpoint override
     */
    public static Resolved resolve(String explicit, String explicitSource, URI endpointOverride,
                                   Map<String, String> env, Properties properties) {
        if (nonBlank(explicit)) {
            return new Resolved(explicit.trim(), explicitSource);
        }
        String property = properties.getProperty("aws.region");
        if (nonBlank(property)) {
            return new Resolved(property.trim(), "system property aws.region");
        }
        String variable = env.get("AWS_REGION");
        if (nonBlank(variable)) {
            return new Resolved(variable.trim(), "environment variable AWS_REGION");
        }
        Optional<Resolved> profile = fromProfile(env, properties);
        if (profile.isPresent()) {
            return profile.get();
        }
        if (endpointOverride != null) {
            return new Resolved(DynamoDbStoreConfig.LOCAL_DEFAULT_REGION,
                    "default for the endpoint override " + endpointOverride);
        }
        if (!"true".equalsIgnoreCase(env.getOrDefault("AWS_EC2_METADATA_DISABLED", "").trim())) {
            try {
                var region = new InstanceProfileRegionProvider().getRegion();
                if (region != null) {
                    return new Resolved(region.id(), "EC2 instance metadata");
                }
            } catch (RuntimeException notOnEc2) {
                // not on EC2 (or the metadata service is unreachable): fall through to the error
            }
        }
        throw new NoRegionException("no AWS region is configured: set --region, the AWS_REGION environment"
                + " variable, or a region in the profile of ~/.aws/config (AWS_PROFILE, else 'default')");
    }

    private static Optional<Resolved> fromProfile(Map<String, String> env, Properties properties) {
        String name = env.getOrDefault("AWS_PROFILE", properties.getProperty("aws.profile", "default")).trim();
        String configured = env.get("AWS_CONFIG_FILE");
        Path file = nonBlank(configured) ? Path.of(configured.trim())
                : Path.of(properties.getProperty("user.home", ""), ".aws", "config");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            ProfileFile profiles = ProfileFile.builder().content(file).type(ProfileFile.Type.CONFIGURATION).build();
            return profiles.profile(name).flatMap(p -> p.property("region")).filter(RegionResolver::nonBlank)
                    .map(r -> new Resolved(r.trim(), "profile '" + name + "' in " + file));
        } catch (RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    private static boolean nonBlank(String s) {
        return s != null && !s.isBlank();
    }
}
