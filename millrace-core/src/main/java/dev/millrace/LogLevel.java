package dev.millrace;

/** The level of a job log entry. */
public enum LogLevel { DEBUG, INFO, WARN, ERROR }
