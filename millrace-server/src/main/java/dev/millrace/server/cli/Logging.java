package dev.millrace.server.cli;

import java.nio.file.Path;

/** Where the CLI's log file goes; {@code logback.xml} reads the property when logging starts. */
final class Logging {
    /** The system property naming the folder of {@code millrace.log}. */
    static final String DIR_PROPERTY = "millrace.log.dir";

    private Logging() {
    }

    /**
     * Sends the log file to this folder. Only effective before the first logger is created, which is why
     * commands call it first; an explicit {@code -Dmillrace.log.dir} wins.
     */
    static void toDirectory(Path dir) {
        if (System.getProperty(DIR_PROPERTY) == null) {
            System.setProperty(DIR_PROPERTY, dir.toAbsolutePath().normalize().toString());
        }
    }
}
