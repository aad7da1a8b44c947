import { readFile } from "node:fs/promises";

import { register, setIntegration } from "./console";
import { expect, test } from "./fixtures";
import { hydrated, signIn } from "./session";

// scripts/test starts the MoEngage simulator knowing this workspace, and passes its address
// so that a test can make it refuse the next request.
const DEAD = { appKey: "E2EDEAD", key: "moe-e2e-key-0004" };
const SIMULATOR = process.env.MOENGAGE_SIM_URL ?? "http://127.0.0.1:3998";

// The export reads the events the first test makes.
test.describe.configure({ mode: "serial" });

test("a refused event: find it by filter, read its story, replay it", async ({ page, request }) => {
  test.setTimeout(60_000);
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await signIn(page);
  await register(page, DEAD, "Refused shop");
  await setIntegration(page, true);

  // MoEngage refuses the next request with a 400: the test report's event dies.
  const faults = await request.post(`${SIMULATOR}/_sim/faults`, {
    data: { fail_next: 1, error_status: 400 },
  });
  expect(faults.ok()).toBeTruthy();
  await page.getByRole("link", { name: "Set-up" }).click();
  await page.getByRole("button", { name: "Send test report" }).click();
  await expect(page.getByText("dlrhub accepted the test report")).toBeVisible();

  // The dead letters page groups it under its tenant and MoEngage's reason.
  await expect(async () => {
    await page.goto("/dead-letters");
    const group = page.getByRole("region", { name: "Dead letters of Refused shop" });
    await expect(group).toContainText("HTTP 400", { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await expect(page.getByRole("button", { name: "Replay these 1" })).toBeVisible();

  // The explorer finds it by tenant and forwarding state; the filters live in the URL.
  await page.getByRole("link", { name: "Events", exact: true }).click();
  await hydrated(page);
  const filters = page.getByRole("search", { name: "Filter the events" });
  await filters.getByLabel("Tenant").selectOption(DEAD.appKey);
  await filters.getByLabel("Forwarding").selectOption("dead");
  await filters.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/tenant=E2EDEAD/);
  await expect(page).toHaveURL(/state=dead/);
  const row = page.locator("tbody tr");
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("Dead letter");

  // Its page tells the whole story.
  await row.getByRole("link").first().click();
  await expect(
    page.getByRole("heading", { level: 1, name: "SMS Delivered for dlrhub-self-check" }),
  ).toBeVisible();
  await hydrated(page);
  await expect(page.getByRole("alert")).toContainText("HTTP 400");
  await expect(page.getByLabel("The report as received")).toContainText('"status": "Delivered"');
  await expect(page.getByLabel("The MoEngage request body")).toContainText('"SMS Delivered"');
  const attempts = page.getByRole("region", { name: "Forwarding attempts" }).locator("tbody tr");
  await expect(attempts).toHaveCount(1);
  await expect(attempts.first()).toContainText("400");

  // Replay: MoEngage takes it this time, and the page shows both attempts.
  await page.getByRole("button", { name: "Replay" }).click();
  await expect(page.getByText("Queued")).toBeVisible();
  await expect(async () => {
    await page.reload();
    await expect(attempts).toHaveCount(2, { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await expect(attempts.nth(1)).toContainText("200");
  await expect(page.locator(".chips")).toContainText("Forwarded");
  await page.goto("/dead-letters");
  await expect(page.getByRole("region", { name: "Dead letters of Refused shop" })).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("an export downloads the filtered events as CSV", async ({ page }) => {
  await signIn(page);
  await page.goto(`/events?tenant=${DEAD.appKey}`);
  await hydrated(page);
  const rows = page.locator("tbody tr");
  await expect(rows.first()).toBeVisible();
  const batches = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-batch")));

  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const file = await (await download).path();
  const lines = (await readFile(file, "utf8")).trim().split("\n");
  expect(lines[0]).toMatch(/^time,tenant,event_id,event,uid,phone,/);
  // Every field is quoted (none of these hold a comma or a quote).
  const exported = lines.slice(1).map((line) => line.split(",").map((field) => field.replace(/^"|"$/g, "")));
  expect(exported.map((fields) => fields[7])).toEqual(batches);
  expect(exported.every((fields) => fields[1] === DEAD.appKey)).toBeTruthy();
  expect(exported.every((fields) => fields[4] === "dlrhub-self-check")).toBeTruthy();
  // The page followed the export to its end.
  const rowsWord = exported.length === 1 ? "row" : "rows";
  await expect(page.getByRole("status").filter({ hasText: "Exported" })).toHaveText(
    `Exported ${exported.length} ${rowsWord}. The file is in your downloads.`,
  );
});

test("the live tail shows new events, pauses, and keeps a filter being typed", async ({
  page,
  context,
}) => {
  test.setTimeout(60_000);
  await signIn(page);
  await page.goto(`/events?tenant=${DEAD.appKey}`);
  await hydrated(page);
  const rows = page.locator("tbody tr");
  await expect(rows.first()).toBeVisible();
  const before = await rows.count();
  const live = page.getByLabel("Live");
  await live.check();
  const uid = page.getByRole("search", { name: "Filter the events" }).getByLabel("uid");
  await uid.fill("still-typing");

  // Another tab sends the tenant's test report: its event appears here without a reload.
  const other = await context.newPage();
  const sendTestReport = async () => {
    await other.goto(`/tenants/${DEAD.appKey}`);
    await hydrated(other);
    await other.getByRole("button", { name: "Send test report" }).click();
    await expect(other.getByText("dlrhub accepted the test report")).toBeVisible();
  };
  await sendTestReport();
  await expect(rows).toHaveCount(before + 1, { timeout: 15_000 });
  await expect(uid).toHaveValue("still-typing");

  // Paused, the list stays as it is until Live is ticked again.
  await live.uncheck();
  await sendTestReport();
  await page.waitForTimeout(4_000);
  await expect(rows).toHaveCount(before + 1);
  await live.check();
  await expect(rows).toHaveCount(before + 2, { timeout: 15_000 });
});

test("the top bar's search finds an event by its batch id, and / jumps to it", async ({ page }) => {
  await signIn(page);
  await page.goto(`/events?tenant=${DEAD.appKey}`);
  await hydrated(page);
  const batch = await page.locator("tbody tr").first().getAttribute("data-batch");
  expect(batch).toBeTruthy();

  const search = page.getByRole("searchbox", {
    name: "Search events by uid, phone number or batch id",
  });
  await page.keyboard.press("/");
  await expect(search).toBeFocused();
  await search.fill(batch ?? "");
  await search.press("Enter");
  await expect(page).toHaveURL(/\/search\?q=selfcheck-/);
  await expect(search).toHaveValue(batch ?? "");
  const found = page.getByRole("region", { name: `Batch ${batch}` });
  await expect(found.locator("tbody tr")).toHaveCount(1);
  await found.locator("tbody tr").getByRole("link").first().click();
  await expect(
    page.getByRole("heading", { level: 1, name: "SMS Delivered for dlrhub-self-check" }),
  ).toBeVisible();

  // Typing "/" in a field is just a character.
  await search.fill("");
  await search.press("/");
  await expect(search).toHaveValue("/");
});
