// ui.test.mjs - the web UI in a real Chromium (issue 13): nereid ui's views
// over a store made with the CLI (table, run view and Artifacts pane, file
// details and previews, compare with highlighting, used by, paging through
// a large field, a hostile file name), then a team server's sign-in and the
// 401 after the token is revoked. Screenshots go to NEREID_UI_SCREENSHOTS.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { launch, records, scratch, shot, startServer, until } from "./lib.mjs";

const HOSTILE = "<img src=x onerror=alert(1)>";

describe("nereid ui", () => {
  let s, server, b, run1, run2, big;

  before(async () => {
    s = scratch("local");
    s.cli("project", "new", "ws/demo", "--key", "DEM");
    run1 = s.cli("run", "new", "--name", "baseline", "--tag", "golden");
    s.file("data/train/a.txt", "hello\n");
    s.file("data/train/b.csv", "x,y\n1,2\n3,<b>4</b>\n");
    s.file("data/config.json", '{"lr": 0.1, "layers": [1, 2]}');
    s.file("data/page.html", "<script>alert(1)</script><h1>hi</h1>");
    s.file(`data/${HOSTILE}`, "hostile\n");
    s.cli("track", `${run1}:datasets/train`, path.join(s.dir, "data"));
    run2 = s.cli("run", "new", "--name", "tuned");
    s.file("data2/train/a.txt", "hello again\n"); // changed
    s.file("data2/train/b.csv", "x,y\n1,2\n3,<b>4</b>\n"); // unchanged
    s.file("data2/new.txt", "new\n"); // added; config.json, page.html, hostile: removed
    s.cli("track", `${run2}:datasets/train`, path.join(s.dir, "data2"));
    // A large field, through nereid import (paging).
    big = s.cli("run", "new", "--name", "large");
    const json = path.join(s.dir, "big.json");
    writeFileSync(json, records(2500));
    s.cli("import", `${big}:big`, json);
    server = await startServer(s, "ui");
    b = await launch();
  });

  after(async () => {
    if (b) await b.browser.close();
    if (server) await server.stop();
    if (s) s.cleanup();
  });

  test("the table view lists the runs, ID leftmost, with artifact field summaries", async () => {
    await b.page.goto(`${server.url}/`);
    await b.page.waitForSelector("#runs tr[data-run]");
    const first = await b.page.locator("#runs tr").first().locator("th").first().textContent();
    assert.equal(first, "ID");
    const ids = await b.page.locator("#runs tr[data-run]").evaluateAll((rows) => rows.map((r) => r.dataset.run));
    assert.deepEqual(ids, [big, run2, run1]); // newest first by default
    assert.match(await b.page.locator("#load-time").textContent(), /^3 of 3 runs/);
    const row1 = await b.page.locator(`#runs tr[data-run="${run1}"] td`).allTextContents();
    assert.ok(row1.includes("baseline"));
    assert.ok(row1.includes("golden"));
    assert.ok(row1.includes("5"), "the file count of datasets/train"); 
    assert.ok(row1.some((c) => /^\d+ B$/.test(c)), "its total size");
    await shot(b.page, "table");
  });

  test("sort and filter run on the server", async () => {
    await b.page.locator('#runs th[data-col="name"]').click();
    await b.page.waitForSelector('#runs th.sorted[data-col="name"]');
    const ids = await b.page.locator("#runs tr[data-run]").evaluateAll((rows) => rows.map((r) => r.dataset.run));
    assert.deepEqual(ids, [run1, big, run2]); // baseline, large, tuned
    await b.page.fill("#filter", "gold");
    await until(async () => (await b.page.locator("#runs tr[data-run]").count()) === 1);
    assert.equal(await b.page.locator("#runs tr[data-run]").getAttribute("data-run"), run1);
  });

  test("the column picker hides and shows columns", async () => {
    await b.page.goto(`${server.url}/#/p/ws/demo`);
    await b.page.waitForSelector('#runs th[data-col="owner"]');
    assert.equal(await b.page.locator("#columns").isVisible(), false, "the picker is closed at first");
    await b.page.click("#pick-columns");
    assert.equal(await b.page.locator("#columns").isVisible(), true);
    await b.page.uncheck('#columns input[data-col="owner"]');
    await b.page.waitForSelector('#runs th[data-col="owner"]', { state: "detached" });
    await b.page.click("#pick-columns");
    await b.page.check('#columns input[data-col="owner"]');
    await b.page.waitForSelector('#runs th[data-col="owner"]');
  });

  test("a field's hash in the table opens the run view on that field; the header leads back", async () => {
    await b.page.goto(`${server.url}/#/p/ws/demo`);
    await b.page.locator(`#runs tr[data-run="${run2}"] td.hash a`).click();
    await b.page.waitForSelector('#artifacts-pane li.selected[data-field="datasets/train"]');
    assert.match(await b.page.locator("h1").textContent(), new RegExp(`^${run2}`));
    await b.page.click("#where-link");
    await b.page.waitForSelector("#runs tr[data-run]");
  });

  test("the run view's Artifacts pane shows the field, its files as a tree, and a hostile name as text", async () => {
    await b.page.goto(`${server.url}/#/p/ws/demo/run/${run1}`);
    await b.page.waitForSelector("#artifacts-pane li[data-field]");
    assert.equal(await b.page.locator("#artifacts-pane li").first().textContent(), "datasets/train");
    await b.page.waitForSelector("#file-table tr.file");
    assert.equal(await b.page.locator("#file-count").textContent(), "5");
    const meta = await b.page.locator("#field-meta").textContent();
    assert.match(meta, /file:\/\//); // tracked from
    const hostile = b.page.locator(`#file-table tr.file[data-path="${HOSTILE}"]`);
    assert.equal(await hostile.count(), 1);
    assert.equal((await hostile.locator("td").first().textContent()).trim(), HOSTILE);
    assert.equal(await b.page.locator("img").count(), 0, "no element was made from the name");
    await hostile.click();
    await b.page.waitForSelector("#file-card");
    assert.equal(await b.page.locator("#file-card h2").textContent(), HOSTILE);
    assert.deepEqual(b.dialogs, [], "no dialog opened");
    await shot(b.page, "run-artifacts");
  });

  test("the run view shows the run's sys/ fields, its UUID included", async () => {
    const uuid = JSON.parse(s.cli("show", run1, "--json"))["sys/uuid"];
    assert.match(uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await b.page.goto(`${server.url}/#/p/ws/demo/run/${run1}`);
    await b.page.waitForSelector("#run-meta dt");
    const terms = await b.page.locator("#run-meta dt").allTextContents();
    const values = await b.page.locator("#run-meta dd").allTextContents();
    assert.ok(terms.includes("sys/uuid"), `sys/uuid among ${terms}`);
    assert.equal(values[terms.indexOf("sys/uuid")], uuid, "the UUID the CLI shows");
    assert.equal(values[terms.indexOf("sys/tags")], "golden");
    // The table view: a UUID column, off until picked.
    await b.page.goto(`${server.url}/#/p/ws/demo`);
    await b.page.waitForSelector('#runs th[data-col="owner"]');
    assert.equal(await b.page.locator('#runs th[data-col="uuid"]').count(), 0, "no UUID column at first");
    await b.page.click("#pick-columns");
    await b.page.check('#columns input[data-col="uuid"]');
    await b.page.waitForSelector('#runs th[data-col="uuid"]');
    const cells = await b.page.locator(`#runs tr[data-run="${run1}"] td`).allTextContents();
    assert.ok(cells.includes(uuid), `the UUID in ${run1}'s row: ${cells}`);
    await b.page.click("#pick-columns");
    await b.page.uncheck('#columns input[data-col="uuid"]');
    await b.page.waitForSelector('#runs th[data-col="uuid"]', { state: "detached" });
    // Back where the next test starts: the run view and its files.
    await b.page.goto(`${server.url}/#/p/ws/demo/run/${run1}`);
    await b.page.waitForSelector("#file-table tr.file");
  });

  test("file details: metadata, hashes, CLI and Python lines, and previews", async () => {
    await b.page.locator('#file-table tr.file[data-path="train/b.csv"]').click();
    await b.page.waitForSelector("#file-card");
    const card = await b.page.locator("#file-card").textContent();
    assert.match(card, /metadata\.last_modified/);
    assert.match(await b.page.locator("#cli-line").textContent(), new RegExp(`nereid download --project ws/demo '${run1}:datasets/train'`));
    assert.match(await b.page.locator("#python-line").textContent(), /\.download\(/);
    await b.page.click("#preview-button");
    await b.page.waitForSelector("#csv-preview");
    assert.equal(await b.page.locator("#csv-preview tr").nth(2).locator("td").nth(1).textContent(), "<b>4</b>");
    await shot(b.page, "file-preview");
    // HTML is text, never markup.
    await b.page.locator('#file-table tr.file[data-path="page.html"]').click();
    await b.page.click("#preview-button");
    await b.page.waitForSelector("#text-preview");
    assert.equal(await b.page.locator("#text-preview").textContent(), "<script>alert(1)</script><h1>hi</h1>");
    assert.deepEqual(b.dialogs, []);
    // JSON is pretty-printed.
    await b.page.locator('#file-table tr.file[data-path="config.json"]').click();
    await b.page.click("#preview-button");
    await b.page.waitForSelector("#text-preview");
    assert.match(await b.page.locator("#text-preview").textContent(), /"lr": 0\.1/);
  });

  test("a preview of a file changed since it was tracked is refused", async () => {
    s.file("data/train/a.txt", "HELLO\n"); // same size, other bytes
    await b.page.locator('#file-table tr.file[data-path="train/a.txt"]').click();
    await b.page.click("#preview-button");
    await b.page.waitForSelector("#preview-error");
    assert.match(await b.page.locator("#preview-error").textContent(), /MD5 changed/);
  });

  test("compare highlights added, removed and changed files, only changes by default", async () => {
    await b.page.goto(`${server.url}/#/p/ws/demo/compare?a=${encodeURIComponent(`${run1}:datasets/train`)}&b=${encodeURIComponent(`${run2}:datasets/train`)}`);
    await b.page.waitForSelector("#counts");
    assert.equal(await b.page.locator("#count-added").textContent(), "1 added");
    assert.equal(await b.page.locator("#count-removed").textContent(), "3 removed");
    assert.equal(await b.page.locator("#count-changed").textContent(), "1 changed");
    assert.equal(await b.page.locator("#count-unchanged").textContent(), "1 unchanged");
    assert.equal(await b.page.locator("#diff tr.added").count(), 1);
    assert.equal(await b.page.locator("#diff tr.removed").count(), 3);
    assert.equal(await b.page.locator("#diff tr.changed").count(), 1);
    assert.equal(await b.page.locator("#diff tr.unchanged").count(), 0);
    const bg = await b.page.locator("#diff tr.added").evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.notEqual(bg, "rgba(0, 0, 0, 0)", "an added row is highlighted");
    await shot(b.page, "compare");
    await b.page.uncheck("#only-changes");
    await b.page.waitForSelector("#diff tr.unchanged");
    assert.equal(await b.page.locator("#diff tr.unchanged td").nth(1).textContent(), "train/b.csv");
    assert.deepEqual(b.dialogs, []);
  });

  test("used by: the runs holding an artifact, and the artifacts holding a file hash", async () => {
    await b.page.goto(`${server.url}/#/p/ws/demo/run/${run1}`);
    await b.page.click("#used-by-link");
    await b.page.waitForSelector("#used-summary");
    assert.match(await b.page.locator("#used-summary").textContent(), /1 field\(s\) in 1 run/);
    // b.csv is the same file in both runs: training-test overlap at a glance.
    const md5 = s.cli("ls", `${run1}:datasets/train`, "--json");
    const rec = JSON.parse(md5).find((r) => r.file_path === "train/b.csv");
    await b.page.goto(`${server.url}/#/p/ws/demo/used?file=${rec.file_hash}`);
    await until(async () => (await b.page.locator("#used-summary").textContent()).includes(rec.file_hash));
    const runs = await b.page.locator("#used tr td:first-child").allTextContents();
    assert.deepEqual(runs.sort(), [run1, run2].sort());
    await shot(b.page, "used-by");
  });

  test("a large field is paged by the server", async () => {
    await b.page.goto(`${server.url}/#/p/ws/demo/run/${big}`);
    await b.page.waitForSelector("#file-table tr.file");
    assert.equal(await b.page.locator("#file-count").textContent(), "2500");
    assert.equal(await b.page.locator("#file-table tr.file").count(), 200);
    const firstPage = await b.page.locator("#file-table tr.file").first().getAttribute("data-path");
    await b.page.click("#files-next");
    const firstPath = () => b.page.locator("#file-table tr.file").first().getAttribute("data-path");
    await until(async () => (await firstPath()) !== firstPage);
    assert.equal(await b.page.locator("#file-table tr.file").first().getAttribute("data-path"), "part/0000/f0000200.bin");
    await b.page.click("#files-prev");
    await until(async () => (await firstPath()) === firstPage);
    // A path prefix starts the page there (one index seek).
    await b.page.fill("#prefix", "part/0002/");
    await b.page.press("#prefix", "Enter");
    await until(async () => (await firstPath()) === "part/0002/f0002000.bin");
    assert.equal(await b.page.locator("#file-table tr.file").count(), 200);
    assert.deepEqual(b.errors, []);
  });

  test("compare of large fields is paged by the server, counts of the whole diff on top", async () => {
    await b.page.goto(`${server.url}/#/p/ws/demo/compare?a=${encodeURIComponent(`${big}:big`)}&b=${encodeURIComponent(`${run2}:datasets/train`)}`);
    await b.page.waitForSelector("#counts");
    assert.equal(await b.page.locator("#count-removed").textContent(), "2500 removed");
    assert.equal(await b.page.locator("#count-added").textContent(), "3 added");
    assert.equal(await b.page.locator("#diff tr.removed, #diff tr.added").count(), 500);
    const first = () => b.page.locator("#diff tr").nth(1).locator("td").nth(1).textContent();
    const before = await first();
    await b.page.click("#diff-next");
    await until(async () => (await first()) !== before);
    assert.equal(await b.page.locator("#diff tr.removed, #diff tr.added").count(), 500);
    await b.page.click("#diff-prev");
    await until(async () => (await first()) === before);
  });
});

describe("a team server", () => {
  let s, server, b, token, tokenId;

  before(async () => {
    s = scratch("team");
    s.srv("project", "create", "ws/demo", "--key", "DEM");
    s.cli("project", "new", "ws/demo", "--key", "DEM");
    s.cli("run", "new", "--name", "served");
    server = await startServer(s, "serve");
    const out = s.srv("token", "create", "--project", "ws/demo", "--role", "read", "--name", "ui-test", "--url", server.url);
    token = out.split(/\s+/).find((w) => w.startsWith("nrd_"));
    tokenId = s.srv("token", "list").split("\n").find((l) => l.includes("ui-test")).split(/\s+/)[0];
    b = await launch();
  });

  after(async () => {
    if (b) await b.browser.close();
    if (server) await server.stop();
    if (s) s.cleanup();
  });

  test("the UI's files carry a strict CSP and nosniff, and need no token", async () => {
    const resp = await fetch(`${server.url}/`);
    assert.equal(resp.status, 200);
    const csp = resp.headers.get("content-security-policy");
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(resp.headers.get("x-content-type-options"), "nosniff");
    assert.equal((await fetch(`${server.url}/api/v1/projects`)).status, 401);
    assert.equal((await fetch(`${server.url}/nope.js`)).status, 404);
  });

  test("sign-in with a token, kept for the session, and a 401 once it is revoked", async () => {
    await b.page.goto(`${server.url}/`);
    await b.page.waitForSelector("#signin");
    await shot(b.page, "sign-in");
    await b.page.fill("#token", "not-a-token");
    await b.page.click("#signin button");
    assert.match(await b.page.locator("#signin-message").textContent(), /starts with nrd_/);
    await b.page.fill("#token", token);
    await b.page.click("#signin button");
    await b.page.waitForSelector("#runs tr[data-run]");
    assert.equal(await b.page.evaluate(() => sessionStorage.getItem("nereid.token")), token);
    assert.equal(await b.page.evaluate(() => localStorage.getItem("nereid.token")), null);
    s.srv("token", "revoke", tokenId);
    await b.page.reload();
    await b.page.waitForSelector("#signin-message.error");
    assert.match(await b.page.locator("#signin-message").textContent(), /revoked/);
    assert.equal(await b.page.evaluate(() => sessionStorage.getItem("nereid.token")), null);
  });
});

describe("nereid ui refuses what is not its own", () => {
  let s, server;

  before(async () => {
    s = scratch("guard");
    s.cli("project", "new", "ws/demo", "--key", "DEM");
    server = await startServer(s, "ui");
  });

  after(async () => {
    if (server) await server.stop();
    if (s) s.cleanup();
  });

  test("another host name (DNS rebinding) is refused; writes are refused", async () => {
    const { request } = await import("node:http");
    const status = await new Promise((resolve, reject) => {
      const u = new URL(server.url);
      const req = request({ host: u.hostname, port: u.port, path: "/api/v1/projects", headers: { Host: `evil.example:${u.port}` } }, (r) => { r.resume(); resolve(r.statusCode); });
      req.on("error", reject);
      req.end();
    });
    assert.equal(status, 403);
    assert.equal((await fetch(`${server.url}/api/v1/projects`)).status, 200);
    const put = await fetch(`${server.url}/api/v1/projects/ws/other`, { method: "PUT", body: "{}", headers: { "Content-Type": "application/json" } });
    assert.equal(put.status, 403);
  });

  test("a preview is only of a path a record names", async () => {
    const resp = await fetch(`${server.url}/api/v1/projects/ws/demo/artifacts/${"0".repeat(64)}/preview?path=${encodeURIComponent("/etc/passwd")}`);
    assert.equal(resp.status, 404);
    const body = await resp.json();
    assert.doesNotMatch(JSON.stringify(body), /root:/);
  });
});
