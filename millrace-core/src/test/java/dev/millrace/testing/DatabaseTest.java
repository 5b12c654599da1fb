package dev.millrace.testing;

import dev.millrace.Millrace;
import dev.millrace.TenantId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Base of the store and engine suites: each test method takes a {@link Db} from
 * {@code @ParameterizedTest @EnumSource(Db.class)} and so runs on H2 and on PostgreSQL. Each test class has
 * its own database (H2) or schema (PostgreSQL), emptied when a test first asks for it; nodes a test builds are closed after it.
 */
public abstract class DatabaseTest {
    private static final Map<Db, TestDatabase> OPEN = new EnumMap<>(Db.class);
    private static String openFor;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final java.util.Set<Db> emptied = java.util.EnumSet.noneOf(Db.class);

    /** This class's database of that kind, emptied at the first call in each test. */
    protected TestDatabase database(Db db) {
        synchronized (OPEN) {
            if (!getClass().getName().equals(openFor)) {
                closeAll();
                openFor = getClass().getName();
            }
            TestDatabase d = OPEN.computeIfAbsent(db, k -> TestDatabase.create(k, getClass().getSimpleName()));
            if (emptied.add(db)) d.reset();
            return d;
        }
    }

    /** A node builder on this class's database of that kind, emptied. */
    protected Millrace.Builder builder(Db db) {
        return database(db).builder();
    }

    /** Builds a node, closed after the test. */
    protected Millrace node(Millrace.Builder builder) {
        Millrace m = builder.build();
        toClose.add(m);
        return m;
    }

    /** Builds and starts a node, closed after the test. */
    protected Millrace started(Millrace.Builder builder) {
        return node(builder).start();
    }

    /** Closes something after the test. */
    protected <T extends AutoCloseable> T closeAfter(T closeable) {
        toClose.add(closeable);
        return closeable;
    }

    /** Creates tenants with default policies. */
    protected static void tenants(Millrace m, TenantId... tenants) {
        for (TenantId t : tenants) m.tenants().create(t);
    }

    @AfterEach
    void closeNodes() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
        toClose.clear();
    }

    @AfterAll
    static void closeDatabases() {
        synchronized (OPEN) {
            closeAll();
            openFor = null;
        }
    }

    private static void closeAll() {
        OPEN.values().forEach(TestDatabase::close);
        OPEN.clear();
    }
}
