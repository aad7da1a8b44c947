import { expect, type Page } from "@playwright/test";

// scripts/test creates this admin with `dlrhub user add --password-stdin` before the
// server starts, and passes the credentials here.
export const ADMIN_EMAIL = process.env.E2E_EMAIL ?? "e2e-admin@example.com";
export const ADMIN_PASSWORD = process.env.E2E_PASSWORD ?? "";

/** Signs in through the login form (a plain POST: it works before hydration). */
export async function signIn(page: Page, email = ADMIN_EMAIL, password = ADMIN_PASSWORD) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
}

/** Waits until the wasm bundle has hydrated the page (forms then answer inline). */
export async function hydrated(page: Page) {
  await page.locator("body[data-hydrated]").waitFor({ state: "attached" });
}
