/**
 * Test support for Millrace users, modelled on Salesforce's {@code Test.startTest()} / {@code Test.stopTest()}:
 * work enqueued between the two runs synchronously at {@code stopTest()}, through the real executor, on an H2
 * in-memory database, so a test asserts on outcomes without sleeping.
 *
 * <ul>
 *   <li>{@link dev.millrace.test.MillraceTest}: annotate a JUnit 5 class, take an
 *       {@link dev.millrace.test.AsyncTest} parameter;</li>
 *   <li>{@link dev.millrace.test.MillraceExtension}: the same, configured with a builder through
 *       {@code @RegisterExtension};</li>
 *   <li>{@link dev.millrace.test.AsyncTest}: the node, the tenant, {@code startTest}/{@code stopTest},
 *       {@code runChainedJobs}, and assertions on the job table;</li>
 *   <li>{@link dev.millrace.test.TestClock}: the settable clock the node reads.</li>
 * </ul>
 */
package dev.millrace.test;
