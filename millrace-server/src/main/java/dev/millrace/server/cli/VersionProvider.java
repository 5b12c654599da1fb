package dev.millrace.server.cli;

import picocli.CommandLine.IVersionProvider;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** {@code millrace --version}: Millrace's version (filled in by the build) and the JVM it runs on. */
public final class VersionProvider implements IVersionProvider {
    private static final String RESOURCE = "/dev/millrace/server/version.properties";

    /** Creates the provider; picocli calls it. */
    public VersionProvider() {
    }

    @Override
    public String[] getVersion() {
        return new String[] {"millrace " + version(),
                "JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                        + " (" + System.getProperty("java.vendor") + ")"};
    }

    /** Millrace's version, or {@code unknown} when the build did not stamp it. */
    public static String version() {
        try (InputStream in = VersionProvider.class.getResourceAsStream(RESOURCE)) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            // An unfiltered file (run from an IDE without the Maven build) still holds the placeholder.
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
