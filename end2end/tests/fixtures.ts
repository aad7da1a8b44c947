import { expect, test as base } from "@playwright/test";

/**
 * The suite's `test`: every page a test opens is watched, and the test fails when any of
 * them logs a console error, throws (a page error), or has something refused by its
 * Content-Security-Policy. A blocked inline style or a failed hydration is then caught by
 * CI, not by a person. A test that provokes an error on purpose (a 403 page, a refused
 * request) lists what it expects with `test.use({ expectedConsoleErrors: [/.../] })`.
 */
export const test = base.extend<{ expectedConsoleErrors: RegExp[]; watchPages: void }>({
  expectedConsoleErrors: [[], { option: true }],
  watchPages: [
    async ({ context, expectedConsoleErrors }, use) => {
      const problems: string[] = [];
      const watch = (page: import("@playwright/test").Page) => {
        page.on("console", (message) => {
          if (message.type() !== "error") return;
          const text = message.text();
          if (expectedConsoleErrors.some((expected) => expected.test(text))) return;
          problems.push(`console error on ${page.url()}: ${text}`);
        });
        page.on("pageerror", (error) => problems.push(`page error on ${page.url()}: ${error.message}`));
      };
      context.pages().forEach(watch);
      context.on("page", watch);
      // Chromium reports CSP refusals as console errors too; the event also catches those
      // raised before a listener could see the message.
      await context.addInitScript(() => {
        document.addEventListener("securitypolicyviolation", (event) => {
          console.error(`CSP refused ${event.violatedDirective}: ${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`);
        });
      });
      await use();
      expect(problems, "the pages logged no error and broke no policy").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
