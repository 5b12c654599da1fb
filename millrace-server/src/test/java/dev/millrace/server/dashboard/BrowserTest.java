package dev.millrace.server.dashboard;

import dev.millrace.Millrace;
import dev.millrace.server.MillraceServer;
import dev.millrace.testing.DatabaseTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * A dashboard test class: one headless Chromium for the whole class (starting one per test would dominate the
 * run), a real server per test, a screenshot of what the browser showed when a test fails.
 */
abstract class BrowserTest extends DatabaseTest {
    static Browser browser;
    MillraceServer server;
    Millrace node;

    /** A failed test leaves a screenshot of what the browser showed. */
    @RegisterExtension
    final TestWatcher screenshotOnFailure = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (browser != null) {
                browser.screenshot("FAILED-" + getClass().getSimpleName() + "-"
                        + context.getDisplayName().replaceAll("\\W+", "_"));
            }
        }
    };

    @BeforeAll
    static void startBrowser() {
        browser = Browser.start();
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) browser.close();
        browser = null;
    }

    @BeforeEach
    void forgetEarlierConsole() {
        browser.consoleErrors();
    }

    @AfterEach
    void stopServer() {
        // Leave the page first, so its polling cannot reach the next test's console.
        browser.open("about:blank");
        if (server != null) server.close();
        server = null;
    }
}
