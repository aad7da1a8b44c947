import { expect, test } from "./fixtures";
import { ADMIN_EMAIL, hydrated, signIn } from "./session";

test("sign in, see the shell, sign out, and the session is gone", async ({ page, context }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
  await expect(page).toHaveTitle("Sign in · dlrhub");

  await signIn(page);
  await expect(page.getByRole("navigation", { name: "Sections" })).toBeVisible();
  await expect(page.getByRole("link", { name: new RegExp(ADMIN_EMAIL) })).toBeVisible();
  const session = (await context.cookies()).find((cookie) => cookie.name === "dlrhub_session");
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe("Lax");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login\?signed_out=here$/);
  await expect(page.getByText("You are signed out.")).toBeVisible();

  // The old cookie, put back, opens nothing: the session was deleted on the server.
  await context.addCookies([session!]);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
});

test("a wrong password gets one generic error and no session", async ({ page, context }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill("nobody@example.com");
  await page.getByLabel("Password").fill("not the password at all");
  await page.getByRole("button", { name: "Sign in" }).click();

  await expect(page.getByRole("alert")).toHaveText("Wrong email or password.");
  expect((await context.cookies()).some((cookie) => cookie.name === "dlrhub_session")).toBe(false);
});

test("an admin adds a viewer, who signs in and sees no admin sections", async ({ page, browser }) => {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await signIn(page);
  // Loaded directly (server-rendered, then hydrated), not reached by client-side navigation.
  await page.goto("/users");
  await expect(page.getByRole("heading", { level: 1, name: "Users" })).toBeVisible();

  const email = `viewer-${Date.now()}@example.com`;
  const form = page.getByRole("region", { name: "Add a user" });
  await hydrated(page);
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Role").selectOption("viewer");
  await form.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByText(`${email} can sign in now.`)).toBeVisible();
  const password = await page.locator("code.secret").innerText();
  await expect(page.getByRole("cell", { name: email })).toBeVisible();
  expect(errors).toEqual([]);

  const other = await browser.newContext();
  const viewer = await other.newPage();
  await signIn(viewer, email, password);
  const nav = viewer.getByRole("navigation", { name: "Sections" });
  await expect(nav.getByText("Overview", { exact: true })).toBeVisible();
  await expect(nav.getByText("Users", { exact: true })).toHaveCount(0);
  const denied = await viewer.goto("/users");
  expect(denied?.status()).toBe(404);
  await other.close();
});
