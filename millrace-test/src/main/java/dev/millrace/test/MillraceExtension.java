package dev.millrace.test;

import dev.millrace.TenantId;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

import java.util.Objects;
import java.util.Optional;

/**
 * The JUnit 5 extension behind {@link MillraceTest}: resolves an {@link AsyncTest} parameter of a test method
 * (and of its {@code @BeforeEach} and {@code @AfterEach} methods, which get the same one), opened when first
 * asked for and closed after the test, so every test has its own database, tenant and clock.
 *
 * <p>Declaratively, through {@link MillraceTest} (or {@code @ExtendWith(MillraceExtension.class)}, which uses
 * the annotation's settings when present and the defaults otherwise). Programmatically, with a builder:
 *
 * <pre>{@code
 * @RegisterExtension
 * static MillraceExtension millrace = MillraceExtension.of(AsyncTest.builder()
 *         .register(ChargePayment.class, RetryPayment.class)
 *         .tenantPolicy(TenantPolicy.DEFAULTS.withFinalizerMaxConsecutiveRetries(2)));
 * }</pre>
 */
public final class MillraceExtension implements ParameterResolver, AfterEachCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(MillraceExtension.class);
    private static final String KEY = "asyncTest";

    private final AsyncTest.Builder builder;

    /** The declarative form: settings come from the test class's {@link MillraceTest}, if any. */
    public MillraceExtension() {
        this.builder = null;
    }

    private MillraceExtension(AsyncTest.Builder builder) {
        this.builder = builder;
    }

    /**
     * The programmatic form, for {@code @RegisterExtension}: every test gets an {@link AsyncTest} opened from
     * this configuration (taken now; later changes to the builder do not apply).
     */
    public static MillraceExtension of(AsyncTest.Builder builder) {
        return new MillraceExtension(Objects.requireNonNull(builder, "builder").copy());
    }

    /** Whether the parameter is an {@link AsyncTest}. */
    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == AsyncTest.class;
    }

    /** The test's {@link AsyncTest}, opened on first use. */
    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        if (context.getTestMethod().isEmpty()) {
            // A class-wide one would share a database between tests, and they would see each other's jobs.
            throw new ParameterResolutionException("AsyncTest cannot be a parameter of "
                    + parameter.getDeclaringExecutable() + ": expected it in a @Test, @BeforeEach or @AfterEach"
                    + " method, since every test gets a fresh one");
        }
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(KEY, k -> builder(context).open(), AsyncTest.class);
    }

    /** Closes the test's {@link AsyncTest}, if it had one, after its {@code @AfterEach} methods. */
    @Override
    public void afterEach(ExtensionContext context) {
        AsyncTest test = context.getStore(NAMESPACE).remove(KEY, AsyncTest.class);
        if (test != null) test.close();
    }

    private AsyncTest.Builder builder(ExtensionContext context) {
        if (builder != null) return builder;
        AsyncTest.Builder b = AsyncTest.builder();
        annotation(context.getRequiredTestClass()).ifPresent(a -> b.register(a.register()).registerFutures(a.futures())
                .registerHandlers(a.handlers()).tenant(TenantId.of(a.tenant())));
        return b;
    }

    /** The class's annotation, or that of the nearest enclosing class (a {@code @Nested} test's outer class). */
    private static Optional<MillraceTest> annotation(Class<?> testClass) {
        for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
            Optional<MillraceTest> found = AnnotationSupport.findAnnotation(c, MillraceTest.class);
            if (found.isPresent()) return found;
        }
        return Optional.empty();
    }
}
