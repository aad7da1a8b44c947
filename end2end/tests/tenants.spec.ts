import { type Page } from "@playwright/test";

import { register, setIntegration } from "./console";
import { expect, test } from "./fixtures";
import { hydrated, signIn } from "./session";

// scripts/test starts the MoEngage simulator with these workspaces and keys, and points
// dlrhub at it; any other key is refused with a 401, as MoEngage would.
const SHOP = { appKey: "E2ESHOP", key: "moe-e2e-key-0001" };
const GATE = { appKey: "E2EGATE", key: "moe-e2e-key-0002" };
const GONE = { appKey: "E2EGONE", key: "moe-e2e-key-0003" };

/** The callback URL as the copy button puts it on the clipboard. */
async function copyCallbackUrl(page: Page): Promise<URL> {
  await page.getByRole("link", { name: "Set-up" }).click();
  await page.getByRole("button", { name: "Copy the callback URL" }).click();
  await expect(page.getByRole("button", { name: "Copy the callback URL" })).toHaveText("Copied");
  return new URL(await page.evaluate(() => navigator.clipboard.readText()));
}

test.describe(() => {
  // Wrong input on purpose: the server answers 422, which the browser logs.
  test.use({ expectedConsoleErrors: [/status of 422 \(Unprocessable Entity\)/] });

  test("register with checked credentials, enable, copy the URL, and see a test report arrive", async ({
    page,
    context,
  }) => {
    // Waits for forwarding and for the overview's roll-up (every 10 s).
    test.setTimeout(60_000);
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await signIn(page);
    await page.goto("/tenants");
    await hydrated(page);

    // Field errors come back beside their fields; wrong credentials are refused by MoEngage.
    const form = page.getByRole("region", { name: "Register a tenant" });
    await form.getByLabel("Workspace id").fill("not valid!");
    await form.getByLabel("Name").fill("End to end shop");
    await form.getByLabel("Data center").selectOption("DC-03");
    await form.getByLabel("Data API key").fill("a wrong key");
    await form.getByRole("button", { name: "Register" }).click();
    await expect(form.getByRole("alert")).toContainText("workspace id may hold only");
    await form.getByLabel("Workspace id").fill(SHOP.appKey);
    await form.getByRole("button", { name: "Test credentials" }).click();
    await expect(form.getByText("MoEngage refused these credentials (401)")).toBeVisible();
    await form.getByLabel("Data API key").fill(SHOP.key);
    await form.getByRole("button", { name: "Test credentials" }).click();
    await expect(form.getByText("accepted the workspace id and Data API key")).toBeVisible();
    await form.getByRole("button", { name: "Register" }).click();
    await expect(form.getByRole("status")).toContainText("Registered.");
    await form.getByRole("link", { name: "its page" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "End to end shop" })).toBeVisible();
    await hydrated(page);

    // Disabled: the self-check says why nothing arrives.
    await page.getByRole("button", { name: "Send test report" }).click();
    await expect(page.getByText("the callback answered 403")).toBeVisible();

    await setIntegration(page, true);
    const url = await copyCallbackUrl(page);
    expect(url.pathname).toBe(`/webhooks/sinch/${SHOP.appKey}`);
    expect(url.username).toMatch(/^sinch-[a-z0-9]+$/);

    await page.getByRole("button", { name: "Send test report" }).click();
    await expect(page.getByText("dlrhub accepted the test report")).toBeVisible();
    const row = page.locator("tr.row--highlight");
    await expect(row).toContainText("dlrhub-self-check");
    await expect(row).toContainText("SMS Delivered");
    // The event is forwarded to MoEngage (the simulator) within moments.
    await expect(async () => {
      await page.reload();
      await expect(page.locator("tbody tr").first()).toContainText("Forwarded");
    }).toPass({ timeout: 15_000 });

    // The event explorer finds it by uid; the filter lives in the URL.
    await page.getByRole("link", { name: "Events", exact: true }).click();
    await hydrated(page);
    const filters = page.getByRole("search", { name: "Filter the events" });
    await filters.getByLabel("uid", { exact: true }).fill("dlrhub-self-check");
    await filters.getByRole("button", { name: "Filter" }).click();
    await expect(page).toHaveURL(/uid=dlrhub-self-check/);
    // (Other specs send test reports to their own tenants too.)
    // The Tenant column names the tenant as people know it, its workspace id on hover.
    const ours = page.getByRole("row", { name: /dlrhub-self-check/ }).filter({ hasText: "End to end shop" });
    await expect(ours).toHaveCount(1);
    await expect(ours.getByRole("link", { name: "End to end shop" })).toHaveAttribute("title", SHOP.appKey);
    await page.goto("/events?uid=nobody-at-all");
    await expect(page.getByText("No event matches.")).toBeVisible();

    // The overview counts it once the next roll-up has run (every 10 s).
    await expect(async () => {
      await page.goto("/");
      await expect(page.locator(".stat", { hasText: "Received" }).locator(".stat__value")).toHaveText(/^[1-9]\d*$/);
    }).toPass({ timeout: 25_000 });

    // The tenant's charts draw the same hour, and its category, once rolled up.
    await expect(async () => {
      await page.goto(`/tenants/${SHOP.appKey}?tab=activity`);
      await expect(
        page.getByRole("img", { name: /Events per hour, last 24 hours: 1 delivered/ }),
      ).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 25_000 });
    await hydrated(page);
    await expect(page.locator(".rates__row", { hasText: "self-check" })).toContainText("100.0 %");
    // Its numbers, hour by hour, are a table for the keyboard and screen readers, opened
    // from the chart with Enter.
    const chart = page
      .locator("figure.chart")
      .filter({ has: page.getByRole("img", { name: /Events per hour, last 24 hours/ }) });
    await chart.getByText("The numbers").focus();
    await page.keyboard.press("Enter");
    const hour = chart.getByRole("row").filter({ has: page.locator('td[data-label="SMS Delivered"]', { hasText: /^1$/ }) });
    await expect(hour).toHaveCount(1);
    await expect(hour.locator('td[data-label="Hour"]')).toHaveText(/^\d{4}-\d\d-\d\d \d\d:00 UTC$/);
    expect(errors).toEqual([]);
  });
});

test("a disabled integration makes the webhook answer 403", async ({ page, context, request }) => {
  // Waits for the overview to follow the roll-up (every 10 s) and its refresh (every 15 s).
  test.setTimeout(90_000);
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signIn(page);
  await register(page, GATE, "Gatekeeper");
  await setIntegration(page, true);
  const url = await copyCallbackUrl(page);
  const endpoint = `${url.origin}${url.pathname}`;
  const headers = {
    authorization: `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")}`,
    "content-type": "application/json",
  };
  const report = (batch: string) => ({
    type: "recipient_delivery_report_sms",
    batch_id: batch,
    recipient: "+447700900555",
    code: 0,
    status: "Delivered",
    at: new Date().toISOString(),
    client_reference: "$uid=e2e-user-1$cat=otp",
  });

  // The open overview follows the new report without a reload.
  await page.goto("/");
  await hydrated(page);
  const received = page.locator(".stat", { hasText: "Received" }).locator(".stat__value");
  const before = Number(await received.innerText());
  const accepted = await request.post(endpoint, { headers, data: report("gate-1") });
  expect(accepted.status()).toBe(200);
  await expect(received).toHaveText(String(before + 1), { timeout: 40_000 });
  await page.goto(`/tenants/${GATE.appKey}`);
  await hydrated(page);

  await setIntegration(page, false);
  const refused = await request.post(endpoint, { headers, data: report("gate-2") });
  expect(refused.status()).toBe(403);
  expect(await refused.json()).toHaveProperty("error");

  // The console shows that Sinch is calling while the integration is off (refused calls
  // are written a second after they arrive, gathered per workspace).
  await expect(async () => {
    await page.goto("/tenants");
    await expect(page.getByRole("row", { name: /Gatekeeper/ })).toContainText("traffic waiting (1)", {
      timeout: 1_000,
    });
  }).toPass({ timeout: 20_000 });
});

test.describe(() => {
  // The browser logs the 404 answer this test asks for, and the 422s of wrong input.
  // (One pattern: Playwright would read a second element as the option's settings.)
  test.use({ expectedConsoleErrors: [/status of (404 \(Not Found\)|422 \(Unprocessable Entity\))/] });

  test("settings check their fields, and deleting a tenant asks for its workspace id", async ({ page }) => {
    await signIn(page);
    await register(page, GONE, "Short lived");
    await page.getByRole("link", { name: "Settings" }).click();

    const forwarding = page.getByRole("region", { name: "Forwarding" });
    // The browser holds back what MoEngage would not take (the server checks it again).
    await forwarding.getByLabel("Events per second").fill("5000");
    await forwarding.getByRole("button", { name: "Save" }).click();
    await expect(forwarding.locator("#rate_per_s:invalid")).toHaveCount(1);
    await expect(forwarding.getByRole("status")).toHaveCount(0);
    await forwarding.getByLabel("Events per second").fill("100");
    await forwarding.getByLabel(/Bulk mode/).check();
    await forwarding.getByRole("button", { name: "Save" }).click();
    await expect(forwarding.getByRole("status")).toContainText("Saved");
    await page.reload();
    await expect(page.getByRole("region", { name: "Forwarding" }).getByLabel("Events per second")).toHaveValue("100");
    await expect(page.getByRole("region", { name: "Forwarding" }).getByLabel(/Bulk mode/)).toBeChecked();
    // A confirmation opened from the keyboard closes with Escape and gives the focus back.
    await hydrated(page);
    const opener = page.getByText("Delete this tenant…");
    const confirmation = page.getByLabel(`Type ${GONE.appKey} to confirm`);
    await opener.focus();
    await page.keyboard.press("Enter");
    await confirmation.focus();
    await page.keyboard.press("Escape");
    await expect(confirmation).toBeHidden();
    await expect(opener).toBeFocused();
    await opener.click();
    await confirmation.fill("E2EGON");
    await page.getByRole("button", { name: "Delete", exact: true }).click();
    await expect(page.getByRole("alert")).toContainText(`type ${GONE.appKey} to confirm`);
    await confirmation.fill(GONE.appKey);
    await page.getByRole("button", { name: "Delete", exact: true }).click();
    await expect(page).toHaveURL(/\/tenants$/);
    await expect(page.getByRole("link", { name: "Short lived" })).toHaveCount(0);
    const gone = await page.goto(`/tenants/${GONE.appKey}`);
    expect(gone?.status()).toBe(404);
  });
});
