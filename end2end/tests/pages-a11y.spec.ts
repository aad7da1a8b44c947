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

for (const scheme of ["light", "dark"] as const) {
  test.describe(`in the ${scheme} colour scheme`, () => {
    test.use({ colorScheme: scheme });

    test("every page and tab has no serious or critical accessibility violation", async ({ page }) => {
      test.setTimeout(90_000);
      await page.goto("/login");
      const found: string[] = (await seriousViolations(page)).map((v) => `/login: ${v}`);
      await signIn(page);
      const pages = [
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
      for (const path of pages) {
        await page.goto(path);
        await hydrated(page);
        found.push(...(await seriousViolations(page)).map((v) => `${path}: ${v}`));
      }
      expect(found, "serious or critical violations").toEqual([]);
    });
  });
}
