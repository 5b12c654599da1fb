package dev.millrace.server;

/** A bad server setting, named with its key and what was expected; the server refuses to start. */
public final class ConfigException extends RuntimeException {
    /** A problem with one key. */
    public ConfigException(String message) {
        super(message);
    }
}
