package dev.millrace.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.millrace.JobId;
import dev.millrace.JobStatus;
import dev.millrace.TenantId;
import dev.millrace.batch.BatchContext;
import dev.millrace.batch.BatchSource;
import dev.millrace.batch.Batchable;
import dev.millrace.event.ChannelDefinition;
import dev.millrace.event.DeliveryContext;
import dev.millrace.event.Event;
import dev.millrace.event.EventHandler;
import dev.millrace.event.EventRecord;
import dev.millrace.event.FieldDefinition;
import dev.millrace.event.FieldType;
import dev.millrace.event.PublishBehavior;
import dev.millrace.event.RetryableException;
import dev.millrace.event.Subscription;
import dev.millrace.event.SubscriptionState;
import dev.millrace.schedule.Schedulable;
import dev.millrace.schedule.ScheduleContext;
import dev.millrace.schedule.ScheduleId;
import dev.millrace.schedule.ScheduleState;
import dev.millrace.server.MillraceServer;
import dev.millrace.server.ServerConfig;
import dev.millrace.testing.Db;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;

/**
 * The dashboard's pages for batches, schedules, feature flags and channels, the tenant's limits and the overview's
 * governor in a real headless Chromium, against a real
 * server on H2 and on PostgreSQL: each page is clicked through, its changes reach the store, changes made in the
 * store reach the page without a reload, and a screenshot of each is saved to target/screenshots. One browser
 * serves the whole class.
 */
class DashboardFeaturePagesBrowserTest extends BrowserTest {
    private static final String ADMIN_KEY = "dashboard-pages-test-admin-key-0123456789";
    private static final TenantId ACME = TenantId.of("acme");
    private static final TenantId GLOBEX = TenantId.of("globex");


    /** A schedulable that does nothing: the pages show schedules, they do not need them to run. */
    public static class NightlyReport implements Schedulable {
        @Override
        public void execute(ScheduleContext context) {
        }
    }

    /** Counts what it is given. */
    public static class Tally implements EventHandler {
        @Override
        public void handle(List<EventRecord> events, DeliveryContext context) {
        }
    }

    /** Fails retryably while {@link #failing}: after nine retries its subscription is suspended. */
    public static class Flaky implements EventHandler {
        static volatile boolean failing = true;

        @Override
        public void handle(List<EventRecord> events, DeliveryContext context) {
            if (failing) throw new RetryableException("the ledger service answered 503");
        }
    }

    /** Six items in chunks of two; the chunk holding item 3 fails, so the batch ends with one chunk error. */
    public static class Reconcile implements Batchable<Integer> {
        @Override
        public BatchSource<Integer> start(BatchContext ctx) {
            return BatchSource.of(List.of(1, 2, 3, 4, 5, 6));
        }

        @Override
        public void execute(BatchContext ctx, List<Integer> scope) {
            if (scope.contains(3)) throw new IllegalStateException("invoice 3 has no customer");
        }

        @Override
        public void finish(BatchContext ctx) {
        }
    }

    /** A server on a node that is not started: nothing fires or delivers unless the test says so. */
    private void startServer(Db db) {
        node = node(builder(db).register(NightlyReport.class).register(Reconcile.class).registerHandler(Tally.class).registerHandler(Flaky.class));
        server = MillraceServer.builder(ServerConfig.load(null, Map.of(), Map.of(
                        "server.host", "127.0.0.1", "server.port", "0", "admin.key", ADMIN_KEY)))
                .millrace(node, false).scheduleTypes(List.of(NightlyReport.class)).start();
        tenants(node, ACME, GLOBEX);
    }

    private void open(String hash) {
        browser.open(server.url() + "/dashboard/" + hash);
    }

    private void signIn() {
        open("");
        js("sessionStorage.clear()");
        open("");
        browser.type(By.id("key"), ADMIN_KEY);
        browser.click(By.id("sign-in"));
        browser.visible(By.cssSelector(".shell"));
        browser.select(By.id("tenant"), "acme");
    }

    private Object js(String script) {
        return ((JavascriptExecutor) browser.driver()).executeScript(script);
    }

    private void shot(Db db, String name) {
        browser.screenshot(db.name().toLowerCase() + "-" + name);
    }

    /**
     * Clicks the element the selector finds, found and clicked in one script: the pages redraw their lists every few
     * seconds, and an element found by one WebDriver call can be gone by the next.
     */
    private void press(String css) {
        browser.until(d -> Boolean.TRUE.equals(js("const e = document.querySelector(" + jsString(css) + ");"
                + " if (!e || e.disabled) return false; e.click(); return true;")));
    }

    private static String jsString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private String rowOf(String attribute, String value) {
        return "tr[data-" + attribute + "='" + value + "']";
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void schedulesAreListedPausedResumedEditedAndCreated(Db db) {
        startServer(db);
        ScheduleId nightly = node.schedule(ACME, "nightly-report", "0 0 2 * * ?", new NightlyReport(), ZoneId.of("UTC"));
        node.schedule(ACME, "every-quarter-hour", "0 0/15 * * * ?", new NightlyReport(), ZoneId.of("Europe/Paris"));
        node.schedule(GLOBEX, "globex-only", "0 0 3 * * ?", new NightlyReport(), ZoneId.of("UTC"));
        signIn();

        browser.click(By.cssSelector("a.nav-link[data-page='schedules']"));
        String row = "#schedules-table " + rowOf("name", "nightly-report");
        browser.visible(By.cssSelector(row + " .fire-list li"));
        assertThat(browser.driver().findElements(By.cssSelector(row + " .fire-list li"))).hasSize(3);
        assertThat(browser.driver().findElements(By.cssSelector("#schedules-table " + rowOf("name", "globex-only")))).isEmpty();
        shot(db, "7-schedules");

        // Pause, then resume: the store follows, the row says so.
        press(row + " button.pause");
        browser.visible(By.cssSelector("#schedules-table tr[data-name='nightly-report'][data-state='PAUSED']"));
        assertThat(node.schedules().find(ACME, nightly).orElseThrow().state()).isEqualTo(ScheduleState.PAUSED);
        press(row + " button.resume");
        browser.visible(By.cssSelector("#schedules-table tr[data-name='nightly-report'][data-state='WAITING']"));

        // A bad cron: the parser's message under the field, the stored cron unchanged.
        press(row + " button.edit-cron");
        browser.type(By.cssSelector(row + " input.cron-input"), "0 0 25 * * ?");
        press(row + " button.save-cron");
        browser.textIn(By.cssSelector(row + " .field-error"), "25");
        String message = browser.text(By.cssSelector(row + " .field-error"));
        assertThat(message).containsIgnoringCase("hour").contains("0–23");
        assertThat(node.schedules().find(ACME, nightly).orElseThrow().cron()).isEqualTo("0 0 2 * * ?");
        shot(db, "8-schedule-bad-cron");
        // The editor survives the page's refresh, then a good cron is saved.
        browser.until(d -> ((Number) js("return document.querySelectorAll('input.cron-input').length")).intValue() == 1);
        browser.type(By.cssSelector(row + " input.cron-input"), "0 30 4 * * ?");
        press(row + " button.save-cron");
        browser.textIn(By.cssSelector(row), "0 30 4 * * ?");
        assertThat(node.schedules().find(ACME, nightly).orElseThrow().cron()).isEqualTo("0 30 4 * * ?");

        // Create one: a bad cron first, then a good one.
        browser.click(By.id("new-schedule"));
        browser.type(By.id("new-name"), "hourly-sync");
        browser.type(By.id("new-cron"), "0 0 * * *");
        // The parser's message shows while typing, and again when the form is sent.
        browser.textIn(By.cssSelector("#schedule-form .field-error[data-field='cron']"), "expected");
        browser.click(By.id("create-schedule"));
        browser.textIn(By.cssSelector("#schedule-form .field-error[data-field='cron']"), "expected");
        assertThat(node.schedules().findByName(ACME, "hourly-sync")).isEmpty();
        shot(db, "9-schedule-create-refused");
        browser.type(By.id("new-cron"), "0 0 * * * ?");
        browser.textIn(By.cssSelector("#schedule-form .cron-preview"), "Next:");
        browser.select(By.id("new-type"), "NightlyReport");
        browser.click(By.id("create-schedule"));
        browser.visible(By.cssSelector("#schedules-table " + rowOf("name", "hourly-sync") + " .fire-list li"));
        assertThat(node.schedules().findByName(ACME, "hourly-sync")).isPresent();

        // Live: a schedule made elsewhere shows up without a reload.
        Object page = js("return window.performance.timeOrigin");
        node.schedule(ACME, "made-elsewhere", "0 0 5 * * ?", new NightlyReport(), ZoneId.of("UTC"));
        browser.visible(By.cssSelector("#schedules-table " + rowOf("name", "made-elsewhere")));
        assertThat(js("return window.performance.timeOrigin")).isEqualTo(page);
        shot(db, "10-schedules-after");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void flagsAreSwitchedPerTenant(Db db) {
        startServer(db);
        node.flags().set(ACME, "new-checkout", true);
        node.flags().set(ACME, "beta-reports", false);
        node.flags().set(GLOBEX, "globex-flag", true);
        signIn();

        browser.click(By.cssSelector("a.nav-link[data-page='flags']"));
        browser.visible(By.cssSelector("#flags-list [data-flag='new-checkout'][data-enabled='true']"));
        browser.visible(By.cssSelector("#flags-list [data-flag='beta-reports'][data-enabled='false']"));
        assertThat(browser.driver().findElements(By.cssSelector("#flags-list [data-flag='globex-flag']"))).isEmpty();
        shot(db, "11-flags");

        press("#flags-list [data-flag='beta-reports'] .switch");
        browser.visible(By.cssSelector("#flags-list [data-flag='beta-reports'][data-enabled='true']"));
        assertThat(node.flags().list(ACME)).containsEntry("beta-reports", true);
        assertThat(node.flags().list(GLOBEX)).doesNotContainKey("beta-reports");

        browser.type(By.id("new-flag"), "dark-mode");
        browser.click(By.id("add-flag"));
        browser.visible(By.cssSelector("#flags-list [data-flag='dark-mode'][data-enabled='true']"));
        assertThat(node.flags().list(ACME)).containsEntry("dark-mode", true);

        // Live: switched off elsewhere, the switch follows.
        node.flags().set(ACME, "new-checkout", false);
        browser.visible(By.cssSelector("#flags-list [data-flag='new-checkout'][data-enabled='false']"));

        // The other tenant's flags, picked at the top right.
        browser.select(By.id("tenant"), "globex");
        browser.visible(By.cssSelector("#flags-list [data-flag='globex-flag'][data-enabled='true']"));
        assertThat(browser.driver().findElements(By.cssSelector("#flags-list [data-flag='dark-mode']"))).isEmpty();
        shot(db, "12-flags-globex");

        // The tenant page: its governor limits with units, and its flags at a glance.
        open("#/tenants/acme");
        browser.visible(By.cssSelector("#tenant-limits tr[data-limit='QUERIES']"));
        browser.visible(By.cssSelector("#tenant-flags [data-flag='dark-mode']"));
        assertThat(browser.text(By.id("tenant-limits"))).contains("Asynchronous");
        shot(db, "15-tenant-limits");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aFlagsHistoryShowsWhoSwitchedItWhenAndFromWhatToWhat(Db db) {
        startServer(db);
        node.flags().set(ACME, "new-checkout", true, "ops-alice");
        node.flags().set(ACME, "new-checkout", false, "ops-bob");
        node.flags().set(ACME, "beta-reports", true, "ops-carol");
        signIn();
        browser.click(By.cssSelector("a.nav-link[data-page='flags']"));
        assertThat(browser.driver().findElements(By.id("flag-history"))).as("none until a flag is picked").isEmpty();

        press("#flags-list [data-flag='new-checkout'] .history-btn");
        browser.visible(By.cssSelector("#flag-history[data-flag='new-checkout']"
                + " tr[data-changed-by='ops-alice'][data-old='new'][data-new='true']"));
        browser.until(d -> historyShown().equals(List.of("ops-bob", "ops-alice")));
        browser.textIn(By.cssSelector("#flag-history tr[data-changed-by='ops-bob']"), "On → Off");
        browser.visible(By.cssSelector("#flags-list [data-flag='new-checkout'].selected"));
        assertThat(browser.driver().getCurrentUrl()).endsWith("#/flags?flag=new-checkout");
        shot(db, "12b-flag-history");

        // Switched on the page: the change is audited as the admin key's and shows at the top.
        press("#flags-list [data-flag='new-checkout'] .switch");
        browser.until(d -> historyShown().equals(List.of("admin", "ops-bob", "ops-alice")));
        browser.visible(By.cssSelector("#flag-history tr[data-changed-by='admin'][data-old='false'][data-new='true']"));

        // Live: switched elsewhere, the history follows without a reload.
        Object page = js("return window.performance.timeOrigin");
        node.flags().set(ACME, "new-checkout", false, "deploy-bot");
        browser.until(d -> historyShown().equals(List.of("deploy-bot", "admin", "ops-bob", "ops-alice")));
        assertThat(js("return window.performance.timeOrigin")).isEqualTo(page);

        // Another flag's history replaces it; pressing History again hides it.
        press("#flags-list [data-flag='beta-reports'] .history-btn");
        browser.until(d -> historyShown().equals(List.of("ops-carol")));
        browser.visible(By.cssSelector("#flag-history[data-flag='beta-reports']"));
        press("#flags-list [data-flag='beta-reports'] .history-btn");
        browser.until(d -> d.findElements(By.id("flag-history")).isEmpty());

        // The pick is kept in the address; a flag the tenant does not have shows nothing.
        open("#/flags?flag=new-checkout");
        browser.until(d -> historyShown().equals(List.of("deploy-bot", "admin", "ops-bob", "ops-alice")));
        browser.select(By.id("tenant"), "globex");
        browser.visible(By.cssSelector("#flags-list .empty"));
        browser.until(d -> d.findElements(By.id("flag-history")).isEmpty());
        assertThat(browser.consoleErrors()).isEmpty();
    }

    /** Who made each change in the history shown, newest first. */
    @SuppressWarnings("unchecked")
    private List<String> historyShown() {
        return (List<String>) js("return [...document.querySelectorAll('#flag-history tr[data-changed-by]')]"
                + ".map(r => r.dataset.changedBy)");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void channelsShowRateEventsAndSubscriptionsAndResumeASuspendedOne(Db db) {
        startServer(db);
        node.events().declare(ACME, new ChannelDefinition("OrderPlaced", List.of(
                new FieldDefinition("orderId", FieldType.STRING, true),
                new FieldDefinition("amount", FieldType.NUMBER, false)), PublishBehavior.IMMEDIATE,
                ChannelDefinition.DEFAULT_RETENTION));
        node.events().declare(ACME, new ChannelDefinition("Shipment", List.of(
                new FieldDefinition("parcel", FieldType.STRING, true)), PublishBehavior.IMMEDIATE,
                ChannelDefinition.DEFAULT_RETENTION));
        node.events().subscribe(ACME, Subscription.of("billing", "OrderPlaced", Tally.class).withRunAs("billing-bot"));
        node.events().subscribe(ACME, Subscription.of("ledger", "OrderPlaced", Flaky.class));
        Flaky.failing = true;
        publish(12);
        node.events().deliverNow(ACME);
        assertThat(node.events().status(ACME, "ledger").get(0).state()).isEqualTo(SubscriptionState.SUSPENDED);
        signIn();

        browser.click(By.cssSelector("a.nav-link[data-page='channels']"));
        browser.visible(By.cssSelector("#channels-table " + rowOf("channel", "OrderPlaced")));
        browser.visible(By.cssSelector("#channel-rate svg.chart path.line"));
        assertThat(browser.text(By.cssSelector("#channel-rate svg.chart")))
                .contains("events / min").contains("time (local)");
        browser.visible(By.cssSelector("#recent-events tr[data-replay]"));
        String ledger = "#subscriptions-table tr[data-subscription='ledger']";
        browser.visible(By.cssSelector(ledger + "[data-state='SUSPENDED']"));
        browser.textIn(By.cssSelector(ledger), "12 events");
        browser.textIn(By.cssSelector(ledger), "503");
        browser.visible(By.cssSelector("#subscriptions-table tr[data-subscription='billing'][data-state='ACTIVE']"));
        browser.textIn(By.cssSelector("#subscriptions-table tr[data-subscription='billing']"), "runs as billing-bot");
        browser.textIn(By.cssSelector(ledger), "runs as automated-process");
        shot(db, "13-channels");

        // Live: the page follows the channel's stream, and new events show up at once, newest first, ten of them.
        browser.visible(By.cssSelector("#recent-live[data-state='streaming']"));
        publish(3);
        browser.until(d -> "15:10".equals(js("const rows = document.querySelectorAll('#recent-events tr[data-replay]');"
                + " return rows.length ? rows[0].dataset.replay + ':' + rows.length : ''")));

        // Resume the suspended one from its checkpoint; once delivered, its lag is gone.
        Flaky.failing = false;
        press(ledger + " button.resume-sub");
        browser.visible(By.cssSelector(ledger + "[data-state='ACTIVE']"));
        assertThat(node.events().status(ACME, "ledger").get(0).state()).isEqualTo(SubscriptionState.ACTIVE);
        node.events().deliverNow(ACME);
        browser.textIn(By.cssSelector(ledger), "0 events");
        shot(db, "14-channels-resumed");

        // A subscription is created from the page, naming a handler registered on the node, then deleted.
        browser.visible(By.cssSelector("#sub-handler option[value='" + Tally.class.getName() + "']"));
        browser.select(By.id("sub-handler"), Tally.class.getName());
        browser.type(By.id("sub-name"), "audit");
        browser.type(By.id("sub-batch"), "100");
        browser.select(By.id("sub-from"), "earliest");
        press("#sub-create");
        String audit = "#subscriptions-table tr[data-subscription='audit']";
        browser.visible(By.cssSelector(audit + "[data-state='ACTIVE']"));
        assertThat(node.events().status(ACME, "audit")).singleElement()
                .satisfies(st -> assertThat(st.channel()).isEqualTo("OrderPlaced"));
        shot(db, "14-channels-subscription-created");
        // The same name again: the server's problem is shown, nothing changes.
        browser.select(By.id("sub-handler"), Tally.class.getName());
        browser.type(By.id("sub-name"), "audit");
        press("#sub-create");
        browser.textIn(By.cssSelector(".alert.error"), "already exists");
        press(audit + " button.delete-sub");
        browser.textIn(By.cssSelector(audit + " button.delete-sub"), "Confirm delete");
        press(audit + " button.delete-sub");
        browser.until(d -> d.findElements(By.cssSelector(audit)).isEmpty());
        assertThat(node.events().subscriptions(ACME)).noneMatch(st -> st.subscription().equals("audit"));

        // The other channel, picked from the list.
        press("#channels-table " + rowOf("channel", "Shipment"));
        browser.textIn(By.id("subscriptions"), "Nothing subscribes to this channel.");
        assertThat(browser.driver().getCurrentUrl()).contains("channel=Shipment");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void batchesShowLiveProgressChunkErrorsAndTheFlexQueueIsReorderedByDragging(Db db) {
        startServer(db);
        // One batch run to its end with a failed chunk, five admitted and waiting, four holding in the flex queue.
        JobId done = node.executeBatch(ACME, new Reconcile(), 2);
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            node.runReadyJobs(ACME, 10);
            return node.jobs().find(ACME, done).orElseThrow().status() == JobStatus.COMPLETED;
        });
        List<JobId> admitted = new ArrayList<>();
        for (int i = 0; i < 5; i++) admitted.add(node.executeBatch(ACME, new Reconcile(), 2));
        List<JobId> held = new ArrayList<>();
        for (int i = 0; i < 4; i++) held.add(node.executeBatch(ACME, new Reconcile(), 2));
        assertThat(node.batches().flexQueue(ACME)).containsExactlyElementsOf(held);
        signIn();

        browser.click(By.cssSelector("a.nav-link[data-page='batches']"));
        String doneRow = "#batches-table " + rowOf("batch", done.toString());
        browser.visible(By.cssSelector(doneRow + " [role='progressbar'][aria-valuenow='100']"));
        browser.textIn(By.cssSelector(doneRow), "3 / 3");
        assertThat(flexQueueShown()).containsExactlyElementsOf(ids(held));
        shot(db, "16-batches");

        // Live: a batch run to its end now shows full without a reload, and the flex queue's front is admitted.
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            node.runReadyJobs(ACME, 1);
            return admitted.stream().anyMatch(b -> node.jobs().find(ACME, b).orElseThrow().status() == JobStatus.COMPLETED);
        });
        JobId ended = admitted.stream().filter(b -> node.jobs().find(ACME, b).orElseThrow().status() == JobStatus.COMPLETED)
                .findFirst().orElseThrow();
        browser.visible(By.cssSelector("#batches-table " + rowOf("batch", ended.toString())
                + " [role='progressbar'][aria-valuenow='100']"));
        held.remove(0);
        browser.until(d -> flexQueueShown().equals(ids(held)));

        // The finished batch's chunk error, with its chunk, exception and record ids.
        press(doneRow);
        browser.textIn(By.id("batch-errors"), "invoice 3 has no customer");
        browser.textIn(By.id("batch-errors"), "IllegalStateException");
        browser.textIn(By.id("batch-errors"), "3, 4");
        assertThat(browser.driver().findElements(By.cssSelector("#batch-chunks tr[data-chunk]"))).hasSize(3);
        shot(db, "17-batch-errors");

        // Drag the last holding batch to the front of the flex queue: the store's order follows.
        dragOnto(held.get(2), held.get(0), false);
        browser.until(d -> flexQueueShown().equals(ids(List.of(held.get(2), held.get(0), held.get(1)))));
        assertThat(node.batches().flexQueue(ACME)).containsExactly(held.get(2), held.get(0), held.get(1));
        // Drag the front one below the last.
        dragOnto(held.get(2), held.get(1), true);
        browser.until(d -> flexQueueShown().equals(ids(List.of(held.get(0), held.get(1), held.get(2)))));
        assertThat(node.batches().flexQueue(ACME)).containsExactly(held.get(0), held.get(1), held.get(2));
        // The buttons do the same without a mouse.
        press("#flex-queue li[data-batch='" + held.get(1) + "'] .move-front");
        browser.until(d -> flexQueueShown().equals(ids(List.of(held.get(1), held.get(0), held.get(2)))));
        assertThat(node.batches().flexQueue(ACME)).containsExactly(held.get(1), held.get(0), held.get(2));
        press("#flex-queue li[data-batch='" + held.get(1) + "'] .move-end");
        browser.until(d -> flexQueueShown().equals(ids(List.of(held.get(0), held.get(2), held.get(1)))));
        assertThat(node.batches().flexQueue(ACME)).containsExactly(held.get(0), held.get(2), held.get(1));
        // Live: reordered elsewhere, the page follows.
        node.batches().moveTo(ACME, held.get(2), 0);
        browser.until(d -> flexQueueShown().equals(ids(List.of(held.get(2), held.get(0), held.get(1)))));
        shot(db, "18-flex-queue-reordered");

        // The overview shows the node's resource governor.
        browser.click(By.cssSelector("a.nav-link[data-page='overview']"));
        browser.visible(By.cssSelector("#governor[data-governor='NORMAL']"));
        browser.textIn(By.id("governor"), "May run at once");
        shot(db, "19-overview-governor");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    /** The flex queue's batch ids as the page lists them, front first. */
    @SuppressWarnings("unchecked")
    private List<String> flexQueueShown() {
        return (List<String>) js("return [...document.querySelectorAll('#flex-queue li[data-batch]')].map(li => li.dataset.batch)");
    }

    private static List<String> ids(List<JobId> ids) {
        return ids.stream().map(JobId::toString).toList();
    }

    /**
     * Drags one flex queue row onto another (its lower half when {@code after}) with the HTML5 drag events a mouse
     * drag fires; WebDriver's own drag-and-drop does not fire them in Chromium.
     */
    private void dragOnto(JobId from, JobId onto, boolean after) {
        js("const src = document.querySelector(\"#flex-queue li[data-batch='" + from + "']\");"
                + " const dst = document.querySelector(\"#flex-queue li[data-batch='" + onto + "']\");"
                + " const dt = new DataTransfer(); const r = dst.getBoundingClientRect();"
                + " const y = r.top + (" + after + " ? r.height * 0.75 : r.height * 0.25);"
                + " const at = {bubbles: true, cancelable: true, dataTransfer: dt, clientX: r.left + 40, clientY: y};"
                + " src.dispatchEvent(new DragEvent('dragstart', at));"
                + " dst.dispatchEvent(new DragEvent('dragover', at));"
                + " dst.dispatchEvent(new DragEvent('drop', at));"
                + " src.dispatchEvent(new DragEvent('dragend', at));");
    }

    private void publish(int n) {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < n; i++) events.add(Event.on("OrderPlaced").with("orderId", "o-" + i).with("amount", 10 + i));
        node.events().publish(ACME, events);
    }
}
