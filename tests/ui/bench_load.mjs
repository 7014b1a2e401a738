// bench_load.mjs - load times of the web UI in Chromium over a large store
// (made by bench/ui_data.c): the table view of 100,000 runs (first page,
// a sort, a filter, the next page) and the run view of a 1,000,000-file
// field (first page, a path prefix). Not a test: it prints figures and
// asserts nothing. From the time of the navigation to the rows on screen.
//   NEREID_BIN=build/nereid NEREID_HOME=STORE node tests/ui/bench_load.mjs
import { launch, startServer } from "./lib.mjs";

const env = { ...process.env };
const server = await startServer({ env }, "ui");
const b = await launch();
const base = `${server.url}/#/p/bench/ui`;

async function timed(label, url, selector, check = async () => true) {
  const times = [];
  for (let i = 0; i < 5; i++) {
    await b.page.goto("about:blank");
    const t = performance.now();
    await b.page.goto(url);
    await b.page.waitForSelector(selector);
    while (!(await check())) await new Promise((r) => setTimeout(r, 5));
    times.push(performance.now() - t);
  }
  times.sort((x, y) => x - y);
  console.log(`${label}: median ${times[2].toFixed(0)} ms (min ${times[0].toFixed(0)}, max ${times[4].toFixed(0)})`);
}

await timed("table view, 100,000 runs, first page (newest first)", base, "#runs tr[data-run]");
await timed("table view, sorted by name", `${base}?sort=name&order=asc`, "#runs tr[data-run]");
await timed("table view, filter 'run-9999'", `${base}?q=run-9999`, "#runs tr[data-run]");
await timed("run view, 1,000,000-file field, first page", `${base}/run/BUI-1?field=data%2Fbig`, "#file-table tr.file");
await timed("run view, 1,000,000-file field, prefix big/0999/", `${base}/run/BUI-1?field=data%2Fbig&prefix=big%2F0999%2F`,
  "#file-table tr.file", async () => (await b.page.locator("#file-table tr.file").first().getAttribute("data-path")).startsWith("big/0999/"));
await b.browser.close();
await server.stop();
