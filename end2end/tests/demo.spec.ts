import { expect, test } from "./fixtures";
import { hydrated, signIn } from "./session";

// Runs while the console is still empty (access.spec.ts registers no tenant; the files
// run in name order, one at a time): a new admin's first minutes.
test("an empty console offers the demo, which fills every page and leaves as it came", async ({ page }) => {
  test.setTimeout(60_000);
  await signIn(page);
  await hydrated(page);
  await expect(page.getByText("No tenants to show yet.")).toBeVisible();

  // scripts/test forwards to the MoEngage simulator, so the demo is on offer.
  await page.getByRole("button", { name: "Try it with simulated traffic" }).click();
  const heading = page.getByRole("heading", { level: 1, name: /^Demo shop / });
  await expect(heading).toBeVisible();
  const name = (await heading.textContent()) ?? "";
  await expect(page.getByRole("note")).toContainText("Demo workspace.");
  await hydrated(page);

  // Simulated Sinch reports arrive and are forwarded within seconds.
  await expect(async () => {
    await page.reload();
    await expect(page.locator("tbody tr").first()).toBeVisible({ timeout: 1_000 });
    await expect(page.locator("tbody")).toContainText("Forwarded", { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });

  // The simulator refused one request: a dead letter under the demo workspace.
  await expect(async () => {
    await page.goto("/dead-letters");
    const group = page.getByRole("region", { name: `Dead letters of ${name}` });
    await expect(group).toContainText("HTTP 400", { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });

  // A malformed call and reports without a uid are on the Rejected page.
  await expect(async () => {
    await page.goto("/rejected");
    const rejected = page.getByRole("region", { name: `Rejected reports of ${name}` });
    await expect(rejected).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });

  // One click removes the demo workspace.
  await page.goto("/tenants");
  await page.getByRole("link", { name }).first().click();
  await hydrated(page);
  await page.getByRole("button", { name: "Remove the demo workspace" }).click();
  await expect(page).toHaveURL(/\/tenants$/);
  await expect(page.getByRole("link", { name })).toHaveCount(0);
});
