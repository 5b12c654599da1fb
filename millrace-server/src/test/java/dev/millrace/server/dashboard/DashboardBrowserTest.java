package dev.millrace.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.millrace.AsyncOptions;
import dev.millrace.JobId;
import dev.millrace.JobQuery;
import dev.millrace.JobStatus;
import dev.millrace.Queueable;
import dev.millrace.QueueableContext;
import dev.millrace.TenantId;
import dev.millrace.server.MillraceServer;
import dev.millrace.server.ServerConfig;
import dev.millrace.testing.Db;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;

/**
 * The dashboard in a real headless Chromium against a real server on H2 and on PostgreSQL: sign in, every page,
 * filters, paging, a job's log, abort. One browser serves the whole class; screenshots go to target/screenshots.
 */
class DashboardBrowserTest extends BrowserTest {
    private static final String ADMIN_KEY = "dashboard-test-admin-key-0123456789";
    private static final TenantId ACME = TenantId.of("acme");
    private static final TenantId GLOBEX = TenantId.of("globex");


    /** Logs two lines and completes. */
    public static class Greet implements Queueable {
        private int step;

        Greet() {
        }

        Greet(int step) {
            this.step = step;
        }

        @Override
        public void execute(QueueableContext context) {
            context.log().info("Hello from step {0}", step);
            context.log().warn("Step {0} is done", step);
        }
    }

    /** Chains a {@link Greet}. */
    public static class Relay implements Queueable {
        @Override
        public void execute(QueueableContext context) {
            context.enqueue(new Greet(20));
        }
    }

    /** Fails with a message. */
    public static class Crash implements Queueable {
        @Override
        public void execute(QueueableContext context) {
            throw new IllegalStateException("the ledger is closed");
        }
    }

    private void startServer(Db db) {
        node = started(builder(db).register(Greet.class).register(Crash.class).register(Relay.class).workers(2));
        server = MillraceServer.builder(ServerConfig.load(null, Map.of(), Map.of(
                        "server.host", "127.0.0.1", "server.port", "0", "admin.key", ADMIN_KEY)))
                .millrace(node, false).jobTypes(List.of(Greet.class, Crash.class, Relay.class)).start();
    }

    private void open(String hash) {
        browser.open(server.url() + "/dashboard/" + hash);
    }

    private void signIn(String key) {
        open("");
        ((JavascriptExecutor) browser.driver()).executeScript("sessionStorage.clear()");
        open("");
        browser.type(By.id("key"), key);
        browser.click(By.id("sign-in"));
        browser.visible(By.cssSelector(".shell"));
    }

    private void shot(Db db, String name) {
        browser.screenshot(db.name().toLowerCase() + "-" + name);
    }

    /** The statuses of the job rows shown, read in one script so a refresh cannot swap rows mid-read. */
    @SuppressWarnings("unchecked")
    private List<String> jobRows() {
        return (List<String>) ((JavascriptExecutor) browser.driver()).executeScript(
                "return [...document.querySelectorAll('#jobs-table tbody tr[data-job]')].map(r => r.dataset.status)");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void adminClicksThroughEveryPage(Db db) {
        startServer(db);
        tenants(node, ACME, GLOBEX);
        List<JobId> greets = new ArrayList<>();
        for (int i = 1; i <= 3; i++) greets.add(node.enqueue(ACME, new Greet(i)));
        JobId relay = node.enqueue(ACME, new Relay());
        JobId crash = node.enqueue(ACME, new Crash());
        JobId later = node.enqueue(ACME, new Greet(99), AsyncOptions.delayMinutes(5));
        for (int i = 0; i < 27; i++) node.enqueue(GLOBEX, new Greet(i));
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            Map<JobStatus, Long> a = node.jobs().countByStatus(JobQuery.forTenant(ACME).build());
            Map<JobStatus, Long> g = node.jobs().countByStatus(JobQuery.forTenant(GLOBEX).build());
            return a.getOrDefault(JobStatus.COMPLETED, 0L) == 5 && a.getOrDefault(JobStatus.FAILED, 0L) == 1
                    && g.getOrDefault(JobStatus.COMPLETED, 0L) == 27;
        });

        signIn(ADMIN_KEY);
        // Overview: the chart with its axes, the counts per tenant.
        browser.visible(By.cssSelector("#throughput svg.chart path.line"));
        assertThat(browser.text(By.cssSelector("#throughput svg.chart")))
                .contains("jobs / min").contains("time (local)");
        browser.textIn(By.id("stat-completed"), "32");
        browser.textIn(By.id("stat-queue"), "1");
        browser.textIn(By.cssSelector("#by-tenant tr[data-tenant='acme']"), "acme");
        browser.visible(By.cssSelector("#nodes .node"));
        // The node's own worker count (2), not the settings' default (8): the server was given this node.
        browser.until(d -> "2".equals(((JavascriptExecutor) d).executeScript("const dt = [...document.querySelectorAll("
                + "'#nodes .node dt')].find(e => e.textContent === 'Workers'); return dt ? dt.nextElementSibling.textContent : null")));
        shot(db, "1-overview");

        // Jobs of acme: every job, then filtered by status.
        browser.click(By.cssSelector("a.nav-link[data-page='jobs']"));
        browser.select(By.id("tenant"), "acme");
        browser.until(d -> jobRows().size() == 7);
        browser.select(By.id("filter-status"), "COMPLETED");
        browser.until(d -> jobRows().size() == 5 && jobRows().stream().allMatch("COMPLETED"::equals));
        assertThat(browser.driver().getCurrentUrl()).contains("status=COMPLETED");
        shot(db, "2-jobs-completed");
        browser.select(By.id("filter-status"), "FAILED");
        browser.until(d -> jobRows().equals(List.of("FAILED")));
        browser.select(By.id("filter-type"), "FUTURE");
        browser.textIn(By.id("jobs-table"), "No jobs match these filters.");
        browser.select(By.id("filter-type"), "QUEUEABLE");
        browser.until(d -> jobRows().equals(List.of("FAILED")));

        // A job with its log.
        browser.click(By.cssSelector("#jobs-table tr[data-job='" + crash + "']"));
        browser.textIn(By.id("job-status"), "FAILED");
        shot(db, "3-job-failed");
        open("#/jobs/" + greets.get(1));
        browser.textIn(By.id("job-log"), "Hello from step 2");
        browser.textIn(By.id("job-log"), "Step 2 is done");
        shot(db, "3-job-log");

        // A job and the job it chained.
        open("#/jobs/" + relay);
        browser.visible(By.cssSelector("#job-children tr[data-job]"));
        shot(db, "3-job-chained");
        browser.click(By.cssSelector("#job-children tr[data-job]"));
        browser.textIn(By.id("job-log"), "Hello from step 20");
        assertThat(browser.driver().findElement(By.cssSelector(".facts a[href='#/jobs/" + relay + "']"))).isNotNull();

        // Abort a queued job.
        open("#/jobs/" + later);
        browser.textIn(By.id("job-status"), "QUEUED");
        browser.click(By.id("abort"));
        browser.click(By.id("confirm-abort"));
        browser.textIn(By.id("job-status"), "ABORTED");
        assertThat(node.jobs().find(ACME, later).orElseThrow().status()).isEqualTo(JobStatus.ABORTED);
        assertThat(browser.driver().findElements(By.id("abort"))).isEmpty();
        shot(db, "4-job-aborted");

        // Keyset paging through globex's 27 jobs, 25 a page.
        browser.select(By.id("tenant"), "globex");
        open("#/jobs");
        browser.until(d -> jobRows().size() == 25);
        assertThat(browser.driver().findElement(By.id("prev")).isEnabled()).isFalse();
        browser.click(By.id("next"));
        browser.until(d -> jobRows().size() == 2);
        assertThat(browser.driver().findElement(By.id("next")).isEnabled()).isFalse();
        browser.textIn(By.id("page-info"), "Page 2");
        browser.click(By.id("prev"));
        browser.until(d -> jobRows().size() == 25);

        // Tenants and one tenant's policy.
        browser.click(By.cssSelector("a.nav-link[data-page='tenants']"));
        browser.visible(By.cssSelector("#tenants-table tr[data-tenant='globex']"));
        // Usage of the allowances: globex's 27 enqueues of its 250,000 a day.
        browser.textIn(By.cssSelector("#tenants-table tr[data-tenant='globex']"), "27 / 250,000");
        // Shares of worker time: both tenants ran jobs on this node, and the shares add up to the whole.
        browser.until(d -> {
            Object sum = ((JavascriptExecutor) d).executeScript("const c = [...document.querySelectorAll("
                    + "'#tenants-table td[data-share]')].map(e => Number(e.dataset.share));"
                    + " return c.length === 2 && c.every(x => x > 0) ? c.reduce((a, b) => a + b, 0) : null");
            return sum != null && Math.abs(((Number) sum).doubleValue() - 1) < 0.01;
        });
        browser.textIn(By.cssSelector("#fair-lanes tr[data-lane='globex/QUEUEABLE']"), "27");
        browser.visible(By.cssSelector("#fair-lanes tr[data-lane='acme/QUEUEABLE'][data-tier='0']"));
        browser.textIn(By.id("shares-governor"), "normal");
        browser.textIn(By.id("shares-node"), node.nodeId());
        // Work of acme alone from now on: its recent share (since the page's earlier reads) is all of it.
        for (int i = 0; i < 5; i++) node.enqueue(ACME, new Greet(50 + i));
        browser.textIn(By.cssSelector("#tenants-table tr[data-tenant='acme'] .share-recent"), ": 100 %");
        browser.textIn(By.cssSelector("#tenants-table tr[data-tenant='globex'] .share-recent"), ": 0 %");
        shot(db, "5-tenants");
        browser.click(By.cssSelector("#tenants-table tr[data-tenant='acme']"));
        browser.textIn(By.id("tenant-policy"), "250,000 executions");
        browser.textIn(By.id("tenant-usage"), "Async executions, rolling 24 h");
        browser.textIn(By.id("tenant-usage"), "/ 250,000");
        shot(db, "6-tenant");

        assertThat(browser.consoleErrors()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void tenantKeySeesOnlyItsTenant(Db db) {
        startServer(db);
        tenants(node, ACME, GLOBEX);
        JobId acmeJob = node.enqueue(ACME, new Greet(1), AsyncOptions.delayMinutes(5));
        node.enqueue(GLOBEX, new Greet(2), AsyncOptions.delayMinutes(5));
        String key = node.apiKeys().issue(GLOBEX, "dashboard test").secret();

        signIn(key);
        browser.visible(By.cssSelector("#by-tenant tr[data-tenant='globex']"));
        assertThat(browser.driver().findElements(By.cssSelector("#by-tenant tr[data-tenant='acme']"))).isEmpty();
        assertThat(browser.driver().findElements(By.cssSelector("a.nav-link[data-page='tenants']"))).isEmpty();
        browser.textIn(By.cssSelector(".tenant-picker"), "globex");
        shot(db, "tenant-key-overview");

        browser.click(By.cssSelector("a.nav-link[data-page='jobs']"));
        browser.until(d -> jobRows().size() == 1);
        // Live: a job enqueued now shows up without a reload.
        Object page = ((JavascriptExecutor) browser.driver()).executeScript("return window.performance.timeOrigin");
        node.enqueue(GLOBEX, new Greet(3), AsyncOptions.delayMinutes(5));
        browser.until(d -> jobRows().size() == 2);
        assertThat(((JavascriptExecutor) browser.driver()).executeScript("return window.performance.timeOrigin"))
                .isEqualTo(page);
        open("#/jobs/" + acmeJob);
        browser.textIn(By.id("page"), "No job " + acmeJob);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void wrongKeyIsRefusedWithAMessage(Db db) {
        startServer(db);
        open("");
        ((JavascriptExecutor) browser.driver()).executeScript("sessionStorage.clear()");
        open("");
        browser.type(By.id("key"), "not-a-key-of-this-server");
        browser.click(By.id("sign-in"));
        browser.textIn(By.cssSelector(".form-error"), "not accepted");
        assertThat(browser.driver().findElements(By.cssSelector(".shell"))).isEmpty();
        shot(db, "sign-in-refused");
    }
}
