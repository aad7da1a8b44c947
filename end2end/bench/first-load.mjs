// What Chromium transfers for a console page opened with an empty cache, and again on a
// reload: every request with its bytes on the wire (headers and body, as the browser's
// network panel counts them), and how long until the page is hydrated. Run by
// scripts/bench-first-load against a running dlrhub; prints a Markdown table.
//
//   node end2end/bench/first-load.mjs URL EMAIL PASSWORD PATH...
import { chromium } from "@playwright/test";

const [base, email, password, ...paths] = process.argv.slice(2);
if (!base || !email || !password || paths.length === 0) {
  console.error("usage: first-load.mjs URL EMAIL PASSWORD PATH...");
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu"],
});

// A session cookie, so that the console's pages can be opened signed in.
const signing = await browser.newContext({ baseURL: base });
const login = await signing.newPage();
await login.goto("/login");
await login.getByLabel("Email").fill(email);
await login.getByLabel("Password").fill(password);
await login.getByRole("button", { name: "Sign in" }).click();
await login.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
const session = await signing.storageState();
await signing.close();

/** Opens `path` (or reloads the page) and counts what crossed the network. */
async function load(page, client, open) {
  const requests = new Map();
  const onResponse = (event) => {
    const { url, fromDiskCache, fromPrefetchCache, headers } = event.response;
    const encoding = Object.entries(headers).find(([name]) => name.toLowerCase() === "content-encoding");
    requests.set(event.requestId, {
      url: new URL(url).pathname,
      cached: fromDiskCache || fromPrefetchCache,
      encoding: encoding ? encoding[1] : "identity",
      bytes: 0,
    });
  };
  const onFinished = (event) => {
    const request = requests.get(event.requestId);
    if (request) request.bytes = request.cached ? 0 : event.encodedDataLength;
  };
  const onCache = (event) => {
    const request = requests.get(event.requestId);
    if (request) request.cached = true;
  };
  client.on("Network.responseReceived", onResponse);
  client.on("Network.loadingFinished", onFinished);
  client.on("Network.requestServedFromCache", onCache);
  await open();
  await page.locator("body[data-hydrated]").waitFor({ state: "attached", timeout: 30_000 });
  const hydratedMs = await page.evaluate(() => Math.round(performance.now()));
  await page.waitForLoadState("networkidle");
  client.off("Network.responseReceived", onResponse);
  client.off("Network.loadingFinished", onFinished);
  client.off("Network.requestServedFromCache", onCache);
  return { requests: [...requests.values()], hydratedMs };
}

const total = (requests) => requests.reduce((sum, request) => sum + request.bytes, 0);
const kb = (bytes) => (bytes / 1000).toFixed(1);

console.log("| page | cold: requests | cold: KB on the wire | cold: hydrated after | reload: KB | reload: hydrated after |");
console.log("|---|---|---|---|---|---|");
const details = [];
for (const path of paths) {
  const context = await browser.newContext({ baseURL: base, storageState: path === "/login" ? undefined : session });
  const page = await context.newPage();
  const client = await context.newCDPSession(page);
  await client.send("Network.enable");
  const cold = await load(page, client, () => page.goto(path));
  const warm = await load(page, client, () => page.reload());
  console.log(
    `| \`${path}\` | ${cold.requests.length} | ${kb(total(cold.requests))} | ${cold.hydratedMs} ms | ${kb(total(warm.requests))} | ${warm.hydratedMs} ms |`,
  );
  details.push({ path, cold });
  await context.close();
}
await browser.close();

for (const { path, cold } of details) {
  console.log(`\n\`${path}\`, cold, request by request:\n`);
  console.log("| request | encoding | bytes |");
  console.log("|---|---|---|");
  for (const request of cold.requests) {
    console.log(`| \`${request.url}\` | ${request.encoding} | ${request.bytes} |`);
  }
}
