package dev.millrace.test;

import dev.millrace.JobStatus;
import dev.millrace.TenantId;
import dev.millrace.TenantPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import static dev.millrace.test.TestJobs.ran;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/** The JUnit extension: one fresh AsyncTest per test, shared with its @BeforeEach/@AfterEach, closed after it. */
@MillraceTest(register = TestJobs.Record.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExtensionTest {
    private static AsyncTest previous;
    private AsyncTest fromBeforeEach;

    @BeforeEach
    void remember(AsyncTest test) {
        fromBeforeEach = test;
        TestJobs.createRanTable(test);
    }

    @AfterEach
    void stillOpenInAfterEach(AsyncTest test) {
        assertThat(test).isSameAs(fromBeforeEach);
        assertThat(test.jobs()).isNotNull();
    }

    @Test
    @Order(1)
    void beforeEachAndTheTestShareOneAsyncTest(AsyncTest test) {
        assertThat(test).isSameAs(fromBeforeEach);
        assertThat(test.tenant()).isEqualTo(AsyncTest.DEFAULT_TENANT);
        assertThat(test.millrace().tenants().list()).containsExactly(AsyncTest.DEFAULT_TENANT);
        test.enqueue(new TestJobs.Record("left behind"));
        previous = test;
    }

    @Test
    @Order(2)
    void everyTestHasAFreshDatabaseAndThePreviousOneIsClosed(AsyncTest test) {
        assertThat(test).isNotSameAs(previous);
        assertThat(test.jobs()).isEmpty();
        assertThat(ran(test)).isEmpty();
        assertThatThrownBy(() -> previous.jobs()).isInstanceOf(RuntimeException.class);
    }

    @Nested
    class NestedTests {
        @Test
        void nestedClassesUseTheEnclosingAnnotation(AsyncTest test) {
            test.startTest();
            var id = test.enqueue(new TestJobs.Record("nested"));
            test.stopTest();
            test.assertCompleted(id);
        }
    }

    @Test
    void anAsyncTestCanBeOpenedWithoutJUnit() {
        try (AsyncTest test = AsyncTest.builder().register(TestJobs.Record.class).tenant(TenantId.of("acme"))
                .tenantPolicy(TenantPolicy.DEFAULTS.withDefaultMaxStackDepth(2)).open()) {
            assertThat(test.tenant()).isEqualTo(TenantId.of("acme"));
            assertThat(test.millrace().tenants().policy(test.tenant())).contains(
                    TenantPolicy.DEFAULTS.withDefaultMaxStackDepth(2));
            TestJobs.createRanTable(test);
            test.startTest();
            var id = test.enqueue(new TestJobs.Record("standalone"));
            test.stopTest();
            assertThat(test.job(id).status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(ran(test)).containsExactly("standalone");
        }
    }

    @Test
    void theBuilderRejectsAClassThatIsNotAJob() {
        assertThatThrownBy(() -> AsyncTest.builder().register(String.class)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("class java.lang.String cannot be registered as a job: expected an implementation of"
                        + " Queueable, Finalizer, Schedulable or Batchable (register futures with registerFutures)");
    }

    @Test
    void openingFailsWhenTheNodeRejectsARegistration() {
        assertThatThrownBy(() -> AsyncTest.builder().registerFutures(String.class).open())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("class java.lang.String has no @Future method");
    }

    @Test
    void anAsyncTestInBeforeAllIsRefused() {
        TestExecutionSummary summary = run(SharedAcrossTests.class);
        assertThat(summary.getFailures()).singleElement().satisfies(f -> assertThat(f.getException())
                .hasMessageContaining("AsyncTest cannot be a parameter of")
                .hasMessageContaining("expected it in a @Test, @BeforeEach or @AfterEach method, since every test gets"
                        + " a fresh one"));
    }

    @Test
    void theProgrammaticFormConfiguresTheTenant() {
        TestExecutionSummary summary = run(ProgrammaticConfiguration.class);
        assertThat(summary.getTestsSucceededCount()).isEqualTo(1);
        assertThat(summary.getFailures()).isEmpty();
    }

    private static TestExecutionSummary run(Class<?> testClass) {
        var listener = new SummaryGeneratingListener();
        // A launcher of its own, without the listeners found on the class path: those report to the build.
        LauncherConfig config = LauncherConfig.builder().enableTestExecutionListenerAutoRegistration(false)
                .enableLauncherSessionListenerAutoRegistration(false).enableLauncherDiscoveryListenerAutoRegistration(false)
                .enablePostDiscoveryFilterAutoRegistration(false).build();
        LauncherFactory.create(config).execute(LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(testClass)).build(), listener);
        return listener.getSummary();
    }

    /** Asks for an AsyncTest where it would be shared by every test; run by a test above, not by the build. */
    @MillraceTest
    static class SharedAcrossTests {
        @BeforeAll
        static void setUp(AsyncTest test) {
        }

        @Test
        void test() {
        }
    }

    /** The @RegisterExtension form; run by a test above, not by the build. */
    static class ProgrammaticConfiguration {
        @RegisterExtension
        static final MillraceExtension MILLRACE = MillraceExtension.of(AsyncTest.builder()
                .register(TestJobs.Record.class).tenant(TenantId.of("acme")));

        @Test
        void test(AsyncTest test) {
            assertThat(test.tenant()).isEqualTo(TenantId.of("acme"));
            TestJobs.createRanTable(test);
            test.startTest();
            test.enqueue(new TestJobs.Record("acme"));
            test.stopTest();
            assertThat(ran(test)).containsExactly("acme");
        }
    }
}
