package dev.millrace.server.dashboard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A headless Chromium driven by Selenium through Debian's chromedriver: one per test class, reused by its tests.
 * Missing packages are installed with apt-get; when that fails the test is skipped, or fails with CI=true.
 *
 * <p>The pages redraw their lists every few seconds, so an element found by one WebDriver call may be replaced
 * before the next uses it ({@link StaleElementReferenceException}). The helpers that act on an element ({@link
 * #click}, {@link #select}, {@link #type}, {@link #text}) find it and use it within one waited step, which is
 * tried again with the element found afresh when that happens. An element a test keeps is not safe that way.
 */
final class Browser implements AutoCloseable {
    /** Debian's packages put them here; MILLRACE_CHROMIUM and MILLRACE_CHROMEDRIVER override. */
    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("MILLRACE_CHROMIUM", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getenv().getOrDefault("MILLRACE_CHROMEDRIVER", "/usr/bin/chromedriver"));
    /** Where screenshots go, relative to the module. */
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    /** How long a page may take to show what a test waits for (the test machine is loaded). */
    static final Duration PATIENCE = Duration.ofSeconds(30);

    private final ChromeDriver driver;
    private final WebDriverWait wait;

    private Browser(ChromeDriver driver) {
        this.driver = driver;
        this.wait = new WebDriverWait(driver, PATIENCE, Duration.ofMillis(100));
        wait.ignoring(StaleElementReferenceException.class);
    }

    /** Starts a headless Chromium at 1440×900, installing the browser first when it is missing. */
    static Browser start() {
        ensureInstalled();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--no-first-run",
                "--window-size=1440,900", "--lang=en-US", "--force-device-scale-factor=1");
        var logging = new org.openqa.selenium.logging.LoggingPreferences();
        logging.enable(org.openqa.selenium.logging.LogType.BROWSER, java.util.logging.Level.ALL);
        options.setCapability("goog:loggingPrefs", logging);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(new Dimension(1440, 900));
        return new Browser(driver);
    }

    /** Installs chromium and chromium-driver with apt-get when either is missing. */
    static synchronized void ensureInstalled() {
        if (installed()) return;
        String how;
        try {
            how = aptGet("install", "-y", "chromium", "chromium-driver");
            if (!installed()) how = aptGet("update") + aptGet("install", "-y", "chromium", "chromium-driver");
        } catch (IOException | InterruptedException e) {
            how = e.toString();
        }
        if (installed()) return;
        String why = "Chromium (" + CHROMIUM + ") and chromedriver (" + CHROMEDRIVER + ") are needed for the dashboard's"
                + " browser tests and could not be installed with 'apt-get install -y chromium chromium-driver': "
                + how.strip();
        if ("true".equals(System.getenv("CI"))) throw new IllegalStateException(why + " (CI=true requires them)");
        Assumptions.abort(why);
    }

    private static boolean installed() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    private static String aptGet(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("apt-get", "-q"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(15, TimeUnit.MINUTES)) p.destroyForcibly();
        String text = new String(out);
        return p.exitValue() == 0 ? "" : String.join(" ", command) + " exited " + p.exitValue() + ": "
                + text.substring(Math.max(0, text.length() - 600)) + "\n";
    }

    WebDriver driver() {
        return driver;
    }

    /** Opens a URL. */
    void open(String url) {
        driver.get(url);
    }

    /** Waits until the condition holds (not null and not false), failing after {@link #PATIENCE}. */
    <T> T until(Function<WebDriver, T> condition) {
        return wait.until(condition);
    }

    /** Waits for a visible element. */
    WebElement visible(By by) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    /** Waits for a clickable element and clicks it. */
    void click(By by) {
        wait.until(d -> {
            WebElement e = ExpectedConditions.elementToBeClickable(by).apply(d);
            if (e == null) return false;
            e.click();
            return true;
        });
    }

    /** Waits for a visible select element with an option of that value, and picks that option. */
    void select(By by, String value) {
        wait.until(d -> {
            WebElement e = ExpectedConditions.visibilityOfElementLocated(by).apply(d);
            if (e == null) return false;
            // A missing option is a NoSuchElementException, which the wait ignores: the options may come later.
            new Select(e).selectByValue(value);
            return true;
        });
    }

    /** Waits for a visible field, empties it and types the text. */
    void type(By by, String text) {
        wait.until(d -> {
            WebElement e = ExpectedConditions.visibilityOfElementLocated(by).apply(d);
            if (e == null) return false;
            e.clear();
            e.sendKeys(text);
            return true;
        });
    }

    /** Waits for a visible element and returns its text. */
    String text(By by) {
        return wait.until(d -> {
            WebElement e = ExpectedConditions.visibilityOfElementLocated(by).apply(d);
            return e == null ? null : e.getText();
        });
    }

    /** Waits until the element's text contains the text. */
    void textIn(By by, String text) {
        wait.until(ExpectedConditions.textToBePresentInElementLocated(by, text));
    }

    /** Saves a screenshot of the whole page (the window grown to its height) as target/screenshots/{name}.png. */
    Path screenshot(String name) {
        Dimension window = driver.manage().window().getSize();
        try {
            long inner = ((Number) driver.executeScript("return window.innerHeight")).longValue();
            long page = ((Number) driver.executeScript("return document.documentElement.scrollHeight")).longValue();
            if (page > inner) {
                driver.manage().window().setSize(new Dimension(window.width, (int) (window.height + page - inner)));
            }
            Files.createDirectories(SCREENSHOTS);
            Path to = SCREENSHOTS.resolve(name + ".png");
            Files.write(to, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
            return to;
        } catch (IOException e) {
            throw new IllegalStateException("could not save screenshot " + name + ": " + e.getMessage(), e);
        } finally {
            driver.manage().window().setSize(window);
        }
    }

    /**
     * The browser console's errors since the last call (JavaScript exceptions, modules that failed to load), less
     * the network log of API answers of 4xx, which the pages handle (a tenant key's 403 on /tenants at sign-in).
     */
    List<String> consoleErrors() {
        return driver.manage().logs().get("browser").getAll().stream()
                .filter(e -> e.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue())
                .map(e -> e.getMessage())
                .filter(m -> !(m.contains("/api/v1/") && m.matches(".*status of 4\\d\\d.*")))
                .toList();
    }

    @Override
    public void close() {
        driver.quit();
    }
}
