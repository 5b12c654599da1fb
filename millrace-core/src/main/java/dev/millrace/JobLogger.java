package dev.millrace;

/**
 * An execution's log. Entries are buffered and written beside the job on {@link #saveLog()} and when the
 * execution ends, in a transaction of their own, so entries survive a rollback of the job's work.
 * Messages take {@code {0}}-style parameters.
 */
public interface JobLogger {

    /** Logs at {@link LogLevel#DEBUG}. */
    void debug(String message, Object... args);

    /** Logs at {@link LogLevel#INFO}. */
    void info(String message, Object... args);

    /** Logs at {@link LogLevel#WARN}. */
    void warn(String message, Object... args);

    /** Logs at {@link LogLevel#ERROR}. */
    void error(String message, Object... args);

    /** Logs an exception at {@link LogLevel#ERROR}, keeping its type, message and stack trace. */
    void error(String message, Throwable error);

    /** Names the scenario this execution belongs to; later entries carry it. */
    void setScenario(String scenario);

    /** Links this execution's log to the transaction that started it. */
    void setParentTransactionId(String parentTransactionId);

    /** This execution's transaction id. */
    String transactionId();

    /** Writes buffered entries now. */
    void saveLog();
}
