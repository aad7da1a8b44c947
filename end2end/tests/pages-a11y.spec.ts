import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";

import { register, setIntegration } from "./console";
import { expect, test } from "./fixtures";
import { hydrated, signIn } from "./session";

// A workspace of its own with one event, so that every page has content to check. The
// simulator does not know its key: its forwarding pauses, one more state on the pages.
const A11Y = { appKey: "E2EA11Y", key: "moe-e2e-unknown-key" };

/** axe-core's serious and critical findings on the page as it stands, one line each. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes
          .slice(0, 3)
          .map((node) => node.target.join(" "))
          .join(", ")}`,
    );
}

test.describe.configure({ mode: "serial" });

let tenantPage = "";
let eventPage = "";

test("a tenant with an event to look at", async ({ page }) => {
  await signIn(page);
  await register(page, A11Y, "Accessible shop");
  await setIntegration(page, true);
  await page.getByRole("link", { name: "Set-up" }).click();
  await page.getByRole("button", { name: "Send test report" }).click();
  await expect(page.getByText("dlrhub accepted the test report")).toBeVisible();
  tenantPage = `/tenants/${A11Y.appKey}`;
  const link = page.locator("tr.row--highlight a").first();
  eventPage = (await link.getAttribute("href")) ?? "";
  expect(eventPage).toMatch(/^\/events\//);
});

/** Every page and tab of the console, once the first test has made its tenant and event. */
function consolePages(): string[] {
  return [
    "/",
    "/tenants",
    `${tenantPage}?tab=setup`,
    `${tenantPage}?tab=activity`,
    `${tenantPage}?tab=settings`,
    "/events",
    eventPage,
    "/dead-letters",
    "/rejected",
    "/search?q=dlrhub-self-check",
    "/users",
    "/audit",
    "/account",
  ];
}

/**
 * Runs `check` on the sign-in page, then on every console page and tab signed in, and
 * returns what it found, each finding prefixed with its page.
 */
async function onEveryPage(page: Page, check: (page: Page) => Promise<string[]>): Promise<string[]> {
  const found: string[] = [];
  for (const path of ["/login", ...consolePages()]) {
    await page.goto(path);
    await hydrated(page);
    found.push(...(await check(page)).map((problem) => `${path}: ${problem}`));
    if (path === "/login") await signIn(page);
  }
  return found;
}

for (const scheme of ["light", "dark"] as const) {
  test.describe(`in the ${scheme} colour scheme`, () => {
    test.use({ colorScheme: scheme });

    test("every page and tab has no serious or critical accessibility violation", async ({ page }) => {
      test.setTimeout(90_000);
      expect(await onEveryPage(page, seriousViolations), "serious or critical violations").toEqual([]);
    });
  });
}

/**
 * What does not fit the screen: a page wider than the screen, a table that needs
 * scrolling sideways, or a table cell whose label (its card's, on a phone) is not its
 * column's name.
 */
async function fitProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    // An element, or text that does not wrap inside it, reaching past `edge`.
    const sticksOut = (element: Element, edge: number) => {
      const box = element.getBoundingClientRect();
      const text = getComputedStyle(element).overflowX === "visible" ? box.left + element.scrollWidth : 0;
      return Math.max(box.right, text) > edge + 1;
    };
    const problems: string[] = [];
    const screen = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > screen + 1) {
      // What sticks out, leaving aside what is inside a box that scrolls or clips it.
      const clipped = (element: Element) => {
        for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
          if (getComputedStyle(up).overflowX !== "visible") return true;
        }
        return false;
      };
      const wide = Array.from(document.querySelectorAll<HTMLElement>("body *"))
        .filter((element) => sticksOut(element, screen) && !clipped(element))
        .map((element) => `${element.tagName.toLowerCase()}.${element.className}`);
      problems.push(
        `the page is ${document.documentElement.scrollWidth} px wide on a ${screen} px screen (too wide: ${[...new Set(wide)].slice(-3).join(", ")})`,
      );
    }
    for (const wrap of Array.from(document.querySelectorAll<HTMLElement>(".table-wrap"))) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        const edge = wrap.getBoundingClientRect().right;
        const wide = Array.from(wrap.querySelectorAll<HTMLElement>("td *, td"))
          .filter((element) => sticksOut(element, edge))
          .map((element) => `${element.closest("td")?.dataset.label} (${element.tagName.toLowerCase()})`);
        problems.push(
          `a table scrolls sideways (${wrap.scrollWidth} px in ${wrap.clientWidth} px; too wide: ${[...new Set(wide)].join(", ")})`,
        );
      }
    }
    for (const table of Array.from(document.querySelectorAll("table"))) {
      const columns = Array.from(table.querySelectorAll("thead th")).map((th) => th.textContent?.trim());
      for (const row of Array.from(table.querySelectorAll("tbody tr"))) {
        Array.from(row.querySelectorAll("td")).forEach((cell, i) => {
          if (cell.dataset.label !== columns[i]) {
            problems.push(`a cell of column '${columns[i]}' is labelled '${cell.dataset.label}'`);
          }
        });
      }
    }
    return [...new Set(problems)];
  });
}

test("on a phone every page fits the screen and each table's rows read as labelled cards", async ({ page }) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await onEveryPage(page, fitProblems), "what does not fit a phone").toEqual([]);

  // What people look for in an event's card is on the screen without scrolling sideways.
  await page.goto("/events");
  const forwarding = page.locator('td[data-label="Forwarding"]').first();
  await expect(forwarding).toBeVisible();
  const box = await forwarding.boundingBox();
  expect(box && box.x + box.width).toBeLessThanOrEqual(390);
});

test("on a 1280 px laptop the event tables fit the screen, ids shortened with the whole on hover", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await signIn(page);
  const found: string[] = [];
  for (const path of ["/events", `${tenantPage}?tab=activity`, "/search?q=dlrhub-self-check", eventPage]) {
    await page.goto(path);
    await hydrated(page);
    found.push(...(await fitProblems(page)).map((problem) => `${path}: ${problem}`));
  }
  expect(found, "what does not fit a laptop").toEqual([]);
  await page.goto("/events");
  const batch = page.locator('td[data-label="Batch"]').first();
  expect(await batch.getAttribute("title")).toBe((await batch.textContent())?.trim());
});

/**
 * Walks a page with the Tab key, as a keyboard user does, until the focus comes round
 * again. Returns what was wrong: a stop whose focus cannot be seen (no outline), and any
 * visible control the walk never reached.
 */
async function keyboardProblems(page: Page): Promise<string[]> {
  const problems: string[] = [];
  // Start at the top of the page, as a fresh visit does (a field with autofocus would
  // otherwise be the starting point, and the walk would begin after it).
  await page.evaluate(() => {
    const start = document.createElement("span");
    start.tabIndex = -1;
    document.body.prepend(start);
    start.focus();
  });
  let first: string | null = null;
  for (let stop = 0; stop < 600; stop++) {
    await page.keyboard.press("Tab");
    const at = await page.evaluate((n) => {
      const element = document.activeElement as HTMLElement | null;
      if (!element || element === document.body) return null;
      if (element.dataset.kbStop) return { id: element.dataset.kbStop, seen: true, name: "" };
      element.dataset.kbStop = String(n);
      const style = getComputedStyle(element);
      const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 1;
      const name = `${element.tagName.toLowerCase()} '${(element.getAttribute("aria-label") ?? element.textContent ?? "").trim().slice(0, 40)}'`;
      return { id: element.dataset.kbStop, seen: false, name: outlined ? "" : name };
    }, stop);
    if (at === null) {
      if (first !== null) break; // back on the page itself: the walk is round
      continue;
    }
    if (at.seen && at.id === first) break;
    first ??= at.id;
    if (at.name) problems.push(`no visible focus on ${at.name}`);
  }
  const unreached = await page.evaluate(() => {
    const controls = document.querySelectorAll<HTMLElement>(
      "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex='-1'])",
    );
    return Array.from(controls)
      // Visible: not hidden by CSS nor inside a closed <details>.
      .filter((element) => element.checkVisibility({ visibilityProperty: true }) && !element.dataset.kbStop)
      .map((element) => `${element.tagName.toLowerCase()} '${(element.getAttribute("aria-label") ?? element.textContent ?? "").trim().slice(0, 40)}'`);
  });
  problems.push(...unreached.map((name) => `never reached with Tab: ${name}`));
  return problems;
}

test("every control on every page is reached with Tab and shows where the focus is", async ({ page }) => {
  test.setTimeout(180_000);
  expect(await onEveryPage(page, keyboardProblems), "what a keyboard user cannot reach or see").toEqual([]);

  // The first stop is the way past the sidebar and the top bar to the page itself.
  await page.goto("/events");
  await hydrated(page);
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to the page" })).toBeFocused();
  await page.keyboard.press("Enter");
  await page.keyboard.press("Tab");
  expect(await page.evaluate(() => document.activeElement?.closest("main") !== null)).toBe(true);
});
