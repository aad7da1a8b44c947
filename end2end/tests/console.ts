import { expect, type Page } from "@playwright/test";

import { hydrated } from "./session";

/** Registers a workspace through the console's form and opens its page. */
export async function register(page: Page, tenant: { appKey: string; key: string }, name: string) {
  await page.goto("/tenants");
  await hydrated(page);
  const form = page.getByRole("region", { name: "Register a tenant" });
  await form.getByLabel("Workspace id").fill(tenant.appKey);
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Data center").selectOption("DC-03");
  await form.getByLabel("Data API key").fill(tenant.key);
  await form.getByRole("button", { name: "Register" }).click();
  await expect(form.getByRole("status")).toContainText("Registered.");
  await form.getByRole("link", { name: "its page" }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await hydrated(page);
}

export async function setIntegration(page: Page, on: boolean) {
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByText(on ? "Enable the integration" : "Disable the integration…").click();
  await page.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByText(on ? "Enabled" : "Disabled", { exact: true })).toBeVisible();
}
