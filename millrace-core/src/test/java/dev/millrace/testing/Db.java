package dev.millrace.testing;

/** The databases every store and engine test runs on. */
public enum Db {
    /** H2 in memory: one database per test class. */
    H2,
    /** PostgreSQL on 127.0.0.1:5432 (user postgres, database test): one schema per test class. */
    POSTGRES
}
