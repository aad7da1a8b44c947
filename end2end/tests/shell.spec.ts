import { expect, test } from "./fixtures";
import { signIn } from "./session";

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

const SECTIONS = ["Overview", "Tenants", "Events", "Dead letters", "Rejected", "Users", "Audit"];

test("the overview shows the title, the navigation and the service status", async ({ page }) => {
  await page.goto("/");

  await expect(page).toHaveTitle("Overview · dlrhub");
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  const nav = page.getByRole("navigation", { name: "Sections" });
  for (const section of SECTIONS) {
    await expect(nav.getByText(section, { exact: true })).toBeVisible();
  }
  await expect(nav.getByRole("link", { name: "Overview" })).toHaveAttribute("aria-current", "page");
  const status = page.getByRole("region", { name: "Service status" });
  await expect(status.getByText("Ready", { exact: true })).toBeVisible();
  await expect(status.getByText(/^\d+ \(current\)$/)).toBeVisible();
});

test("the menu button works once the page has hydrated", async ({ page }) => {
  // The content security policy must let the hydration scripts and the wasm bundle run.
  const refused: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
  });
  // On a phone the sections fold away behind the Menu button.
  await page.setViewportSize({ width: 390, height: 800 });
  await page.goto("/");
  const menu = page.getByRole("button", { name: "Menu" });
  const nav = page.getByRole("navigation", { name: "Sections" });
  await expect(nav).toBeHidden();

  // A click before the wasm bundle has hydrated does nothing: retry until the page reacts.
  await expect(async () => {
    if ((await menu.getAttribute("aria-expanded")) !== "true") await menu.click();
    await expect(menu).toHaveAttribute("aria-expanded", "true", { timeout: 500 });
  }).toPass();
  await expect(nav).toBeVisible();

  await menu.click();
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expect(nav).toBeHidden();
  expect(refused).toEqual([]);
});

test.describe(() => {
  // The browser logs the 404 answer this test asks for.
  test.use({ expectedConsoleErrors: [/status of 404 \(Not Found\)/] });

  test("an unknown address shows the not-found page with a way back", async ({ page }) => {
    const response = await page.goto("/no/such/page");

    expect(response?.status()).toBe(404);
    await expect(page).toHaveTitle("Page not found · dlrhub");
    await page.getByRole("link", { name: "Back to the overview" }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  });
});
