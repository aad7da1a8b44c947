import { expect, test } from "@playwright/test";

import { hydrated, signIn } from "./session";

test("register a tenant, enable it, copy its callback URL", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await signIn(page);
  await page.goto("/tenants");
  await hydrated(page);

  const form = page.getByRole("region", { name: "Register a tenant" });
  const appKey = `E2E${Date.now()}`;
  await form.getByLabel("Workspace id").fill("not valid!");
  await form.getByLabel("Name").fill("End to end shop");
  await form.getByLabel("Data center").selectOption("DC-03");
  await form.getByLabel("Data API key").fill("moe-e2e-key-0001");
  await form.getByRole("button", { name: "Register" }).click();
  await expect(form.getByRole("alert")).toContainText("workspace id may hold only");

  await form.getByLabel("Workspace id").fill(appKey);
  await form.getByRole("button", { name: "Register" }).click();
  await expect(form.getByRole("status")).toContainText("Registered.");
  await page.getByRole("link", { name: "End to end shop" }).first().click();

  await expect(page.getByRole("heading", { level: 1, name: "End to end shop" })).toBeVisible();
  await expect(page.getByText("Disabled", { exact: true })).toBeVisible();
  await page.getByText("Enable the integration").click();
  await page.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByText("Enabled", { exact: true })).toBeVisible();

  await page.getByRole("button", { name: "Copy the callback URL" }).click();
  await expect(page.getByRole("button", { name: "Copy the callback URL" })).toHaveText("Copied");
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toMatch(new RegExp(`^http://sinch-[a-z0-9]+:[A-Za-z0-9]+@.*/webhooks/sinch/${appKey}$`));
  expect(errors).toEqual([]);
});
