// lib.mjs - what the browser tests share: a scratch store made with the real
// nereid CLI, a nereid-server (ui or serve mode) on a free loopback port,
// and Debian's chromium driven by playwright-core. Not a test itself.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

export const NEREID = process.env.NEREID_BIN;
export const SERVER = path.join(path.dirname(NEREID), "nereid-server");
export const SHOTS = process.env.NEREID_UI_SCREENSHOTS || path.join(tmpdir(), "nereid-ui-screenshots");

export function scratch(name) {
  const dir = mkdtempSync(path.join(tmpdir(), `nereid-ui-${name}-`));
  const env = { ...process.env, NEREID_HOME: path.join(dir, "home"), NEREID_PROJECT: "ws/demo" };
  delete env.NEREID_STORE;
  delete env.NEREID_API_TOKEN;
  delete env.NEPTUNE_API_TOKEN;
  const cli = (...args) => execFileSync(NEREID, args, { env, encoding: "utf8", maxBuffer: 1 << 28 }).trim();
  const srv = (...args) => execFileSync(SERVER, args, { env, encoding: "utf8" }).trim();
  const file = (rel, content) => {
    const p = path.join(dir, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, content);
    return p;
  };
  return { dir, env, cli, srv, file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

// Start nereid-server MODE on port 0; resolves with { url, stop }.
export function startServer(s, mode) {
  return new Promise((resolve, reject) => {
    const child = spawn(SERVER, [mode, "--listen", "127.0.0.1:0"], { env: s.env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    const timer = setTimeout(() => reject(new Error(`nereid-server ${mode} did not start: ${err}`)), 20000);
    child.stderr.on("data", (d) => { err += d; });
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+/);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[0],
          // Stops the server; fails when it did not exit cleanly or its
          // log has a sanitizer report (the tests run under ASan too).
          stop: () => new Promise((done, fail) => {
            child.once("exit", (code) => {
              if (code !== 0) fail(new Error(`nereid-server ${mode} exited ${code}: ${err}`));
              else if (/Sanitizer|runtime error/.test(err)) fail(new Error(`sanitizer report: ${err}`));
              else done();
            });
            child.kill("SIGTERM");
          }),
        });
      }
    });
    child.once("exit", (code) => { clearTimeout(timer); reject(new Error(`nereid-server ${mode} exited ${code} before listening: ${err}`)); });
  });
}

export async function launch() {
  const browser = await chromium.launch({
    executablePath: process.env.NEREID_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: process.getuid && process.getuid() === 0 ? ["--no-sandbox"] : [],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const dialogs = [];
  const errors = [];
  page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });
  page.on("pageerror", (e) => errors.push(e.message));
  // Failed requests the UI shows (a refused preview) are not page errors.
  page.on("console", (m) => { if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text()); });
  return { browser, page, dialogs, errors };
}

export async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });
}

// Records of an artifact field as nereid import reads them.
export function records(n, prefix = "part", hash = "9e107d9d372bb6826bd81d3542a419d6") {
  const out = [];
  for (let i = 0; i < n; i++) {
    const p = `${prefix}/${String(Math.floor(i / 1000)).padStart(4, "0")}/f${String(i).padStart(7, "0")}.bin`;
    out.push(`{"file_path":"${p}","file_hash":"${hash}","type":"Local","size":${i % 5000},"metadata":{"file_path":"file:///data/${p}","last_modified":"2026-01-01 00:00:00"}}`);
  }
  return `[${out.join(",")}]`;
}

// Wait until check() is true (the page answers asynchronously); fails
// after a generous bound so a broken page ends the test, never a timing check.
export async function until(check, what = "the page to update") {
  for (let i = 0; i < 400; i++) {
    try { if (await check()) return; } catch { /* not there yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
