// Drives code-server (VS Code) with the dockls extension installed, through headless Chromium,
// as a user would with the keyboard: open the Dockerfile, read the Problems panel, hover,
// complete a stage name, apply a quick fix, format. Usage: test.mjs <url> <screenshot path>.
import { createRequire } from "module";
const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");

const [url, screenshot] = process.argv.slice(2);
const failures = [];
function check(ok, what) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
}

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
const mod = "Control";
async function command(name) {
  await page.keyboard.press("F1");
  await page.waitForSelector(".quick-input-widget input", { state: "visible" });
  await page.keyboard.type(name);
  await page.waitForTimeout(400);
  await page.keyboard.press("Enter");
  await page.waitForTimeout(300);
}
async function gotoLine(line, column) {
  await page.keyboard.press(`${mod}+g`);
  await page.waitForSelector(".quick-input-widget input", { state: "visible" });
  await page.keyboard.type(`${line}:${column}`);
  await page.keyboard.press("Enter");
  await page.waitForTimeout(200);
}
async function editorText() {
  return page.evaluate(() => {
    const lines = [...document.querySelectorAll(".editor-instance .monaco-editor .view-lines .view-line")];
    const top = (el) => parseFloat(el.style.top || "0");
    return lines.sort((a, b) => top(a) - top(b)).map((l) => l.textContent.replace(/\u00a0/g, " ")).join("\n");
  });
}

try {
  // Wait until the workbench is up, with retries while code-server starts.
  for (let i = 0; ; i++) {
    try {
      await page.goto(url, { waitUntil: "domcontentloaded", timeout: 10000 });
      await page.waitForSelector(".monaco-workbench", { timeout: 30000 });
      break;
    } catch (e) {
      if (i >= 5) throw e;
      await page.waitForTimeout(2000);
    }
  }
  await page.waitForTimeout(2000);
  // Open the Dockerfile from the Explorer (quick open's file index may not be ready yet).
  const row = page.locator(".explorer-folders-view .monaco-list-row", { hasText: "Dockerfile" }).first();
  await row.waitFor({ timeout: 30000 });
  await row.dblclick();
  await page.waitForSelector(".editor-instance .monaco-editor .view-lines .view-line", { timeout: 30000 });
  await page.click(".editor-instance .monaco-editor .view-lines");

  // The extension found the bundled binary and the server publishes our rule ids.
  await command("dockls: Show Output");
  let output = "";
  for (let i = 0; i < 20 && !/bundled with the extension/.test(output); i++) {
    await page.waitForTimeout(500);
    // Monaco draws spaces as no-break spaces.
    output = await page.evaluate(() => [...document.querySelectorAll(".part.panel .view-line")].map((l) => l.textContent.replace(/\u00a0/g, " ")).join("\n"));
  }
  check(/from the binary bundled with the extension/.test(output), "the extension starts the bundled dockls");

  await page.keyboard.press(`${mod}+Shift+m`);
  let problems = "";
  for (let i = 0; i < 40 && !/image-latest/.test(problems); i++) {
    await page.waitForTimeout(500);
    problems = await page.evaluate(() => document.querySelector(".markers-panel")?.textContent ?? "");
  }
  check(/image-latest/.test(problems) && /maintainer-deprecated/.test(problems), "Problems panel lists dockls rule ids");

  // Hover (keyboard: Ctrl+K Ctrl+I) on the FROM keyword shows our docs.
  await page.click(".editor-instance .monaco-editor .view-lines");
  await gotoLine(1, 2);
  await page.keyboard.press(`${mod}+k`);
  await page.keyboard.press(`${mod}+i`);
  await page.waitForSelector(".monaco-hover", { state: "visible", timeout: 10000 }).catch(() => {});
  await page.waitForTimeout(500);
  const hover = await page.evaluate(() => [...document.querySelectorAll(".monaco-hover")].map((h) => h.textContent).join(" "));
  check(/Starts a build stage/.test(hover), "hover shows the FROM docs");
  await page.keyboard.press("Escape");

  // Completion: instructions at the start of a line, the stage name after --from=.
  await gotoLine(8, 13);
  await page.keyboard.press(`${mod}+Space`);
  await page.waitForSelector(".suggest-widget .monaco-list-row", { timeout: 10000 }).catch(() => {});
  await page.waitForTimeout(500);
  const stages = await page.evaluate(() => [...document.querySelectorAll(".suggest-widget .monaco-list-row")].map((r) => r.textContent).join("|"));
  check(/build/.test(stages), `completion after --from= offers the stage (${stages.slice(0, 80)})`);
  await page.keyboard.press("Escape");
  await gotoLine(10, 1);
  await page.keyboard.type("HEALTH");
  await page.keyboard.press(`${mod}+Space`);
  await page.waitForSelector(".suggest-widget .monaco-list-row", { timeout: 10000 }).catch(() => {});
  await page.waitForTimeout(500);
  const keywords = await page.evaluate(() => [...document.querySelectorAll(".suggest-widget .monaco-list-row")].map((r) => r.textContent).join("|"));
  check(/HEALTHCHECK/.test(keywords), "completion offers instructions");
  await page.keyboard.press("Escape");
  for (let i = 0; i < 6; i++) await page.keyboard.press("Backspace");

  // A quick fix (Ctrl+.) on the MAINTAINER line changes the text.
  await gotoLine(7, 2);
  await page.waitForTimeout(500);
  await page.keyboard.press(`${mod}+.`);
  await page.waitForSelector(".action-widget, .context-view .monaco-list", { timeout: 10000 }).catch(() => {});
  await page.waitForTimeout(500);
  const actions = await page.evaluate(() => document.querySelector(".action-widget, .context-view")?.textContent ?? "");
  check(/LABEL/.test(actions), "Ctrl+. offers the MAINTAINER → LABEL fix");
  await page.keyboard.press("Enter");
  await page.waitForTimeout(1000);
  const fixed = await editorText();
  check(/LABEL org\.opencontainers\.image\.authors/.test(fixed) && !/MAINTAINER/.test(fixed), "applying the quick fix changed the text");

  if (process.env.DOCKLS_TEST_FORMAT !== "0") {
    // Format Document: a lower-case keyword becomes upper case.
    await gotoLine(11, 1);
    await page.keyboard.type("expose 8080");
    await command("Format Document");
    await page.waitForTimeout(1500);
    const formatted = await editorText();
    check(/EXPOSE 8080/.test(formatted) && !/expose 8080/.test(formatted), "Format Document formats");
  }
  await page.screenshot({ path: screenshot });
  console.log(`screenshot: ${screenshot}`);
} catch (e) {
  failures.push(String(e));
  console.error(e);
  await page.screenshot({ path: screenshot }).catch(() => {});
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(`${failures.length} check(s) failed`);
  process.exit(1);
}
console.log("VS Code end-to-end: all checks passed");
