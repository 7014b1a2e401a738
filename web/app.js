// app.js - Nereid's web UI (SPEC section 11): sign-in, project picker, table
// view, run view with its Artifacts pane, file details and previews, compare
// and used-by, over the HTTP API (docs/api/http.md). Plain ES module, no
// build step. Every name reaches the page through textContent, never HTML:
// a file named <img src=x onerror=alert(1)> is text. Not the place for any
// policy the server or the library owns (sorting, diffs, hashes).

const TOKEN_KEY = "nereid.token"; // sessionStorage: the browser session only
const COLS_KEY = "nereid.columns";
const view = document.getElementById("view");

// ---- DOM helpers: strings become text nodes, never markup ----

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function show(...nodes) {
  view.replaceChildren(...nodes);
}

function human(n) {
  if (n === null || n === undefined) return "";
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let v = Number(n), i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return i === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

const short = (hash) => (hash ? hash.slice(0, 12) : "");
const enc = encodeURIComponent;

function copyButton(text, label = "copy") {
  return h("button", {
    class: "copy", title: "copy to the clipboard",
    onclick: async (e) => {
      try { await navigator.clipboard.writeText(text); e.target.textContent = "copied"; }
      catch { e.target.textContent = "select and copy"; }
    },
  }, label);
}

// ---- the API ----

class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

async function api(path) {
  const headers = {};
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  const resp = await fetch(`/api/v1${path}`, { headers });
  let body = null;
  try { body = await resp.json(); } catch { body = null; }
  if (!resp.ok) {
    const err = body && body.error ? body.error : { code: "error", message: `HTTP ${resp.status}` };
    if (resp.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      signIn(`Signed out: ${err.message}`);
    }
    throw new ApiError(resp.status, err.code, err.message);
  }
  return body;
}

function failure(e) {
  if (e instanceof ApiError && e.status === 401) return; // sign-in is shown
  show(h("p", { class: "error", id: "error" }, e.message));
}

function projectPath(project) {
  const [ws, name] = project.split("/");
  return `/projects/${enc(ws)}/${enc(name)}`;
}

function setWhere(project) {
  const where = document.getElementById("where");
  where.replaceChildren(project ? h("a", { href: `#/p/${project.split("/").map(enc).join("/")}`, id: "where-link" }, project) : "");
}

// ---- routing: #/..., every part URI-encoded ----

function go(hash) {
  if (location.hash === hash) route(); else location.hash = hash;
}

function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, query] = raw.split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { parts, params: new URLSearchParams(query || "") };
}

function route() {
  const { parts, params } = parseHash();
  if (parts[0] === "signin") return signIn();
  if (parts[0] !== "p" || parts.length < 3) return projects();
  const project = `${parts[1]}/${parts[2]}`;
  setWhere(project);
  if (parts[3] === "run" && parts[4]) return runView(project, parts[4], params);
  if (parts[3] === "compare") return compareView(project, params);
  if (parts[3] === "used") return usedView(project, params);
  return tableView(project, params);
}

// ---- sign-in and projects ----

function signIn(message) {
  setWhere("");
  document.getElementById("who").textContent = "";
  const input = h("input", { type: "password", id: "token", placeholder: "nrd_…", autocomplete: "off" });
  const form = h("form", {
    class: "card", id: "signin",
    onsubmit: (e) => {
      e.preventDefault();
      const t = input.value.trim();
      if (!t.startsWith("nrd_")) { msg.textContent = "A Nereid token starts with nrd_."; return; }
      sessionStorage.setItem(TOKEN_KEY, t);
      go("#/");
    },
  },
  h("h1", {}, "Sign in"),
  h("p", { class: "muted" }, "Paste an API token (nereid-server token create). It is kept for this browser session only."),
  h("div", { class: "bar" }, input, h("button", { type: "submit" }, "Sign in")));
  const msg = h("p", { class: message ? "error" : "muted", id: "signin-message" }, message || "");
  show(form, msg);
}

async function projects() {
  setWhere("");
  try {
    const body = await api("/projects");
    const token = sessionStorage.getItem(TOKEN_KEY);
    document.getElementById("who").replaceChildren(token
      ? h("a", { href: "#/signin", onclick: () => sessionStorage.removeItem(TOKEN_KEY) }, "Sign out")
      : "this machine's store");
    const list = body.projects || [];
    if (list.length === 1 && !parseHash().params.has("all")) {
      go(`#/p/${list[0].name.split("/").map(enc).join("/")}`);
      return;
    }
    show(h("h1", {}, "Projects"),
      list.length ? h("table", { id: "projects" },
        h("tr", {}, h("th", {}, "Project"), h("th", {}, "Key"), h("th", { class: "num" }, "Runs")),
        list.map((p) => h("tr", {},
          h("td", {}, h("a", { href: `#/p/${p.name.split("/").map(enc).join("/")}` }, p.name)),
          h("td", {}, p.key), h("td", { class: "num" }, p.runs))))
        : h("p", { class: "muted" }, "No project yet."));
  } catch (e) { failure(e); }
}

// ---- table view ----

const SYS = [
  ["id", "ID", true], ["name", "Name", true], ["owner", "Owner", true],
  ["creation_time", "Created", true], ["modification_time", "Modified", true],
  ["tags", "Tags", false], ["custom_run_id", "Custom ID", false], ["description", "Description", false],
  ["uuid", "UUID", false], // off by default: long, and seldom what one scans a table for
];

function chosenColumns() {
  try { const v = JSON.parse(localStorage.getItem(COLS_KEY)); if (Array.isArray(v)) return new Set(v); } catch { /* default */ }
  return new Set(["id", "name", "owner", "creation_time", "tags", "fields"]);
}

async function tableView(project, params) {
  const sort = params.get("sort") || "id";
  const order = params.get("order") || "desc";
  const filter = params.get("q") || "";
  const cursor = params.get("cursor") || "";
  const back = params.getAll("back");
  const cols = chosenColumns();
  const q = new URLSearchParams({ sort, order, limit: "50" });
  if (filter) q.set("q", filter);
  if (cursor) q.set("cursor", cursor);
  const base = `#/p/${project.split("/").map(enc).join("/")}`;
  const link = (over) => {
    const p = new URLSearchParams({ sort, order });
    if (filter) p.set("q", filter);
    for (const [k, v] of Object.entries(over)) {
      if (v === null) p.delete(k); else if (Array.isArray(v)) { p.delete(k); v.forEach((x) => p.append(k, x)); } else p.set(k, v);
    }
    return `${base}?${p}`;
  };
  const started = performance.now();
  let body, total = null;
  try {
    [body, total] = await Promise.all([api(`${projectPath(project)}/run-table?${q}`), api(projectPath(project)).then((p) => p.runs)]);
  } catch (e) { return failure(e); }
  const runs = body.runs;
  const fields = [...new Set(runs.flatMap((r) => r.fields.map((f) => f.field)))].sort();

  const search = h("input", { type: "search", id: "filter", placeholder: "filter: ID, name, owner, tag", value: filter });
  let timer = null;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => go(link({ q: search.value || null, cursor: null, back: [] })), 300);
  });
  const picker = h("div", { class: "columns", id: "columns", hidden: true },
    [...SYS.slice(1), ["fields", "Artifact fields"]].map(([key, label]) => h("label", {},
      h("input", {
        type: "checkbox", "data-col": key, checked: cols.has(key),
        onchange: (e) => {
          if (e.target.checked) cols.add(key); else cols.delete(key);
          localStorage.setItem(COLS_KEY, JSON.stringify([...cols]));
          route();
        },
      }), ` ${label}`)));
  const head = h("tr", {});
  for (const [key, label, sortable] of SYS) {
    if (key !== "id" && !cols.has(key)) continue; // the ID is always leftmost
    const th = h("th", { class: sortable ? "sortable" : "", "data-col": key }, label);
    if (sortable) {
      if (sort === key) th.classList.add("sorted", order);
      th.addEventListener("click", () => go(link({
        sort: key, order: sort === key && order === "asc" ? "desc" : "asc", cursor: null, back: [],
      })));
    }
    head.append(th);
  }
  if (cols.has("fields")) {
    for (const f of fields) head.append(h("th", { class: "field" }, f), h("th", { class: "num" }, "files"), h("th", { class: "num" }, "size"));
  }
  const rows = runs.map((r) => {
    const tr = h("tr", { "data-run": r.id });
    for (const [key] of SYS) {
      if (key !== "id" && !cols.has(key)) continue;
      if (key === "id") tr.append(h("td", {}, h("a", { href: `${base}/run/${enc(r.id)}` }, r.id)));
      else if (key === "tags") tr.append(h("td", {}, (r.tags || []).join(", ")));
      else tr.append(h("td", {}, r[key] ?? ""));
    }
    if (cols.has("fields")) {
      for (const f of fields) {
        const got = r.fields.find((x) => x.field === f);
        tr.append(h("td", { class: "hash", title: got ? got.hash : "" },
          got ? h("a", { href: `${base}/run/${enc(r.id)}?field=${enc(f)}` }, short(got.hash)) : ""),
          h("td", { class: "num" }, got ? got.file_count : ""), h("td", { class: "num" }, got ? human(got.total_size) : ""));
      }
    }
    return tr;
  });
  const ms = Math.round(performance.now() - started);
  show(
    h("h1", {}, "Runs"),
    h("div", { class: "bar" }, search,
      h("button", { id: "pick-columns", onclick: () => { picker.hidden = !picker.hidden; } }, "Columns"),
      h("a", { href: `${base}/compare` }, "Compare"), h("a", { href: `${base}/used` }, "Used by"),
      h("span", { class: "muted", id: "load-time" }, `${runs.length} of ${total} runs${filter ? " (filtered)" : ""} on this page, ${ms} ms`)),
    picker,
    h("table", { id: "runs" }, head, rows),
    h("div", { class: "bar" },
      h("button", { id: "prev", disabled: !cursor, onclick: () => go(link({ cursor: back.length > 1 ? back[back.length - 1] : null, back: back.slice(0, -1) })) }, "← Previous"),
      h("button", { id: "next", disabled: !body.next, onclick: () => go(link({ cursor: body.next, back: [...back, cursor] })) }, "Next →")));
}

// ---- run view and Artifacts pane ----

// A run with its field summaries: the table's query filtered on its ID. By
// ID ascending the run itself comes first among the runs whose ID contains
// it, so a small page nearly always holds it; a second, larger one if not.
async function runSummary(project, runId) {
  for (const limit of ["20", "1000"]) {
    const body = await api(`${projectPath(project)}/run-table?${new URLSearchParams({ q: runId, sort: "id", order: "asc", limit })}`);
    const run = body.runs.find((r) => r.id === runId);
    if (run || !body.next) return run || null;
  }
  return null;
}

function fieldPath(field) {
  return field.split("/").map(enc).join("/");
}

async function runView(project, runId, params) {
  const base = `#/p/${project.split("/").map(enc).join("/")}`;
  let run;
  try { run = await runSummary(project, runId); } catch (e) { return failure(e); }
  if (!run) return show(h("p", { class: "error", id: "error" }, `run ${runId}: not found in ${project}`));
  const fieldName = params.get("field") || (run.fields[0] && run.fields[0].field);
  const pane = h("div", { class: "pane", id: "artifacts-pane" }, h("h2", {}, "Artifacts"),
    run.fields.length ? h("ul", {}, run.fields.map((f) => h("li", {
      class: f.field === fieldName ? "selected" : "", "data-field": f.field,
      onclick: () => go(`${base}/run/${enc(runId)}?field=${enc(f.field)}`),
    }, f.field))) : h("p", { class: "muted" }, "No artifact field."));
  const main = h("div", { id: "field" });
  show(h("h1", {}, `${run.id} `, h("span", { class: "muted" }, run.name || "")),
    h("dl", { class: "meta", id: "run-meta" },
      ["owner", "creation_time", "modification_time", "uuid", "custom_run_id", "description"].flatMap((k) =>
        run[k] ? [h("dt", {}, `sys/${k}`), h("dd", {}, run[k])] : []),
      run.tags && run.tags.length ? [h("dt", {}, "sys/tags"), h("dd", {}, run.tags.join(", "))] : []),
    h("div", { class: "split" }, pane, main));
  const field = run.fields.find((f) => f.field === fieldName);
  if (field) await fieldView(project, run, field, params, main);
}

async function fieldView(project, run, field, params, into) {
  const base = `#/p/${project.split("/").map(enc).join("/")}`;
  let info = null;
  try { info = await api(`${projectPath(project)}/runs/${enc(run.id)}/fields/${fieldPath(field.field)}`); } catch (e) { if (e.status === 401) return; }
  const roots = info && info.roots ? info.roots : [];
  const prefix = params.get("prefix") || "";
  const listing = h("div", { id: "files" });
  const details = h("div", { id: "file-details" });
  const prefixBox = h("input", { type: "search", id: "prefix", placeholder: "path prefix, e.g. images/", value: prefix });
  prefixBox.addEventListener("change", () => go(`${base}/run/${enc(run.id)}?field=${enc(field.field)}&prefix=${enc(prefixBox.value)}`));
  into.replaceChildren(
    h("h2", {}, field.field),
    h("dl", { class: "meta", id: "field-meta" },
      h("dt", {}, "hash"), h("dd", { class: "hash" }, field.hash, " ", copyButton(field.hash)),
      h("dt", {}, "content hash"), h("dd", { class: "hash" }, field.content_hash, " ", copyButton(field.content_hash)),
      h("dt", {}, "files"), h("dd", { id: "file-count" }, String(field.file_count)),
      h("dt", {}, "total size"), h("dd", {}, human(field.total_size)),
      h("dt", {}, "tracked from"), h("dd", {}, roots.length ? roots.map((r) => h("div", {}, r.location, r.destination ? ` → ${r.destination}` : "")) : "—")),
    h("div", { class: "bar" },
      h("a", { href: `${base}/used?hash=${enc(field.hash)}`, id: "used-by-link" }, "Used by…"),
      h("a", { href: `${base}/compare?a=${enc(`${run.id}:${field.field}`)}` }, "Compare with…")),
    h("div", { class: "bar" }, prefixBox, h("span", { class: "muted", id: "files-time" })),
    listing, details);
  await filesPage(project, run, field, prefix, startCursor(prefix), listing, details, []);
}

// The cursor that starts a page at the first path >= prefix: the hex of a
// path just below it (its last byte one less, then 0xff bytes).
function startCursor(prefix) {
  const bytes = new TextEncoder().encode(prefix);
  if (!bytes.length || bytes[bytes.length - 1] <= 1) return "";
  const out = [...bytes];
  out[out.length - 1] -= 1;
  for (let i = 0; i < 16; i++) out.push(0xff);
  return out.map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function filesPage(project, run, field, prefix, cursor, listing, details, back) {
  const q = new URLSearchParams({ limit: "200" });
  if (cursor) q.set("cursor", cursor);
  const started = performance.now();
  let body;
  try { body = await api(`${projectPath(project)}/artifacts/${field.hash}/files?${q}`); } catch (e) { return failure(e); }
  let files = body.files;
  let next = body.next;
  if (prefix) {
    const inside = files.filter((f) => f.file_path.startsWith(prefix));
    if (inside.length < files.length) next = null; // past the prefix
    files = inside;
  }
  const t = document.getElementById("files-time");
  if (t) t.textContent = `${files.length} files on this page, ${Math.round(performance.now() - started)} ms`;
  const base = `#/p/${project.split("/").map(enc).join("/")}`;
  let lastDir = null;
  const rows = [];
  for (const f of files) {
    const slash = f.file_path.lastIndexOf("/");
    const dir = slash >= 0 ? f.file_path.slice(0, slash + 1) : "";
    if (dir !== lastDir && dir) {
      rows.push(h("tr", { class: "dirrow" }, h("td", { colspan: 5 },
        h("span", { class: "dir", onclick: () => go(`${base}/run/${enc(run.id)}?field=${enc(field.field)}&prefix=${enc(dir)}`) }, dir))));
    }
    lastDir = dir;
    const tr = h("tr", { class: "file", "data-path": f.file_path },
      h("td", {}, "\u00a0\u00a0".repeat(dir ? dir.split("/").length - 1 : 0), slash >= 0 ? f.file_path.slice(slash + 1) : f.file_path),
      h("td", { class: "num" }, human(f.size)), h("td", { class: "hash" }, f.file_hash),
      h("td", {}, (f.metadata && f.metadata.last_modified) || ""),
      h("td", {}, (f.metadata && f.metadata.file_path) || ""));
    tr.addEventListener("click", () => {
      listing.querySelectorAll("tr.selected").forEach((x) => x.classList.remove("selected"));
      tr.classList.add("selected");
      fileDetails(project, run, field, f, details);
    });
    rows.push(tr);
  }
  listing.replaceChildren(
    h("table", { id: "file-table" },
      h("tr", {}, h("th", {}, "Path"), h("th", { class: "num" }, "Size"), h("th", {}, "MD5"), h("th", {}, "Last modified"), h("th", {}, "Source")),
      rows),
    h("div", { class: "bar" },
      h("button", { id: "files-prev", disabled: !back.length, onclick: () => filesPage(project, run, field, prefix, back[back.length - 1], listing, details, back.slice(0, -1)) }, "← Previous"),
      h("button", { id: "files-next", disabled: !next, onclick: () => filesPage(project, run, field, prefix, next, listing, details, [...back, cursor]) }, "Next →")));
}

function fileDetails(project, run, field, f, into) {
  const base = `#/p/${project.split("/").map(enc).join("/")}`;
  const meta = f.metadata || {};
  const cli = `nereid download --project ${project} '${run.id}:${field.field}' --destination ./${run.id}`;
  const py = `nereid.init_run(project="${project}", with_id="${run.id}", mode="read-only")["${field.field}"].download("./${run.id}")`;
  const preview = h("div", { id: "preview" });
  into.replaceChildren(h("div", { class: "card", id: "file-card" },
    h("h2", {}, f.file_path),
    h("dl", { class: "meta" },
      h("dt", {}, "file_path"), h("dd", {}, f.file_path),
      h("dt", {}, "file_hash (MD5)"), h("dd", { class: "hash" }, f.file_hash, " ", copyButton(f.file_hash),
        " ", h("a", { href: `${base}/used?file=${enc(f.file_hash)}`, id: "file-used-by" }, "in which artifacts?")),
      h("dt", {}, "type"), h("dd", {}, f.type),
      h("dt", {}, "size"), h("dd", {}, f.size === null ? "—" : `${human(f.size)} (${f.size} bytes)`),
      Object.entries(meta).flatMap(([k, v]) => [h("dt", {}, `metadata.${k}`), h("dd", {}, String(v))])),
    h("p", { class: "muted" }, "Download the field this file belongs to:"),
    h("div", { class: "cli" }, h("code", { id: "cli-line" }, cli), copyButton(cli)),
    h("div", { class: "cli" }, h("code", { id: "python-line" }, py), copyButton(py)),
    h("button", { id: "preview-button", onclick: () => loadPreview(project, field, f, preview) }, "Preview"),
    preview));
}

function decodeBase64(text) {
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

function parseCsv(text, maxRows) {
  const rows = [];
  let row = [], cell = "", quoted = false;
  for (let i = 0; i < text.length && rows.length < maxRows; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(cell); cell = ""; }
    else if (c === "\n") { row.push(cell.replace(/\r$/, "")); rows.push(row); row = []; cell = ""; }
    else cell += c;
  }
  if ((cell || row.length) && rows.length < maxRows) { row.push(cell); rows.push(row); }
  return rows;
}

async function loadPreview(project, field, f, into) {
  let body;
  try {
    body = await api(`${projectPath(project)}/artifacts/${field.hash}/preview?path=${enc(f.file_path)}`);
  } catch (e) {
    into.replaceChildren(h("p", { class: "error", id: "preview-error" }, e.message));
    return;
  }
  const bytes = decodeBase64(body.data);
  const note = h("p", { class: "muted" }, body.truncated ? `The first ${human(bytes.length)} of ${human(body.size)}.` : "",
    body.verified ? " Checked against the recorded MD5." : "");
  const lower = f.file_path.toLowerCase();
  if (body.mime.startsWith("image/")) {
    const url = URL.createObjectURL(new Blob([bytes], { type: body.mime }));
    into.replaceChildren(note, h("img", { class: "preview", src: url, alt: f.file_path }));
    return;
  }
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  if (lower.endsWith(".csv")) {
    const rows = parseCsv(text, 200);
    into.replaceChildren(note, h("table", { id: "csv-preview" }, rows.map((r, i) => h("tr", {}, r.map((c) => h(i ? "td" : "th", {}, c))))));
    return;
  }
  let shown = text;
  if (lower.endsWith(".json") && !body.truncated) {
    try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch { /* shown as it is */ }
  }
  // HTML and SVG too: text in a <pre>, never markup.
  into.replaceChildren(note, h("pre", { class: "preview", id: "text-preview" }, shown));
}

// ---- compare ----

async function compareView(project, params) {
  const base = `#/p/${project.split("/").map(enc).join("/")}`;
  const a = params.get("a") || "", b = params.get("b") || "";
  const only = params.get("all") !== "1";
  const ia = h("input", { type: "text", id: "compare-a", placeholder: "RUN:FIELD (from)", value: a });
  const ib = h("input", { type: "text", id: "compare-b", placeholder: "RUN:FIELD (to)", value: b });
  const form = h("form", {
    class: "bar", onsubmit: (e) => { e.preventDefault(); go(`${base}/compare?a=${enc(ia.value)}&b=${enc(ib.value)}`); },
  }, ia, "→", ib, h("button", { type: "submit", id: "compare-go" }, "Compare"));
  if (!a || !b) return show(h("h1", {}, "Compare two artifact fields"), form);
  const PAGE = 500;
  const cursor = params.get("cursor") || "";
  const back = params.getAll("back");
  const link = (over) => {
    const p = new URLSearchParams({ a, b });
    if (!only) p.set("all", "1");
    for (const [k, v] of Object.entries(over)) {
      if (v === null) p.delete(k); else if (Array.isArray(v)) { p.delete(k); v.forEach((x) => p.append(k, x)); } else p.set(k, v);
    }
    return `${base}/compare?${p}`;
  };
  let diff, to = null;
  try {
    // Only changes: a page of the server's diff, with the counts of all of it.
    const q = new URLSearchParams({ from: a, to: b });
    if (only) { q.set("limit", String(PAGE)); if (cursor) q.set("cursor", cursor); }
    diff = await api(`${projectPath(project)}/diff?${q}`);
    if (!only) {
      const [rb] = b.split(":");
      to = ((await runSummary(project, rb)) || { fields: [] }).fields.find((f) => f.field === b.slice(rb.length + 1));
    }
  } catch (e) { return failure(e); }
  const counts = diff.counts;
  let rows = diff.changes;
  let shown = rows, next = diff.next;
  if (!only && to) {
    // Every file of "to" with its kind, and the removed ones, paged here.
    const kinds = new Map(diff.changes.map((c) => [c.path, c.kind]));
    const all = [];
    let fc = "";
    do {
      const q = new URLSearchParams({ limit: "10000" });
      if (fc) q.set("cursor", fc);
      const body = await api(`${projectPath(project)}/artifacts/${to.hash}/files?${q}`);
      for (const f of body.files) all.push({ path: f.file_path, kind: kinds.get(f.file_path) || "unchanged" });
      fc = body.next;
    } while (fc && all.length < 100000);
    rows = [...all, ...diff.changes.filter((c) => c.kind === "removed")].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
    const page = parseInt(cursor || "0", 10) || 0;
    shown = rows.slice(page, page + PAGE);
    next = page + PAGE < rows.length ? String(page + PAGE) : null;
  }
  show(h("h1", {}, "Compare"), form,
    h("div", { class: "counts", id: "counts" },
      h("span", { class: "count added", id: "count-added" }, `${counts.added} added`),
      h("span", { class: "count removed", id: "count-removed" }, `${counts.removed} removed`),
      h("span", { class: "count changed", id: "count-changed" }, `${counts.changed} changed`),
      h("span", { class: "count unchanged", id: "count-unchanged" }, `${counts.unchanged} unchanged`)),
    h("div", { class: "bar" },
      h("label", {}, h("input", { type: "checkbox", id: "only-changes", checked: only, onchange: (e) => go(link({ all: e.target.checked ? null : "1", cursor: null, back: [] })) }), " only changes")),
    h("table", { id: "diff" }, h("tr", {}, h("th", {}, "Change"), h("th", {}, "Path")),
      shown.map((c) => h("tr", { class: c.kind }, h("td", { class: "kind" }, c.kind), h("td", {}, c.path)))),
    h("div", { class: "bar" },
      h("button", { id: "diff-prev", disabled: !cursor, onclick: () => go(link({ cursor: back.length > 1 ? back[back.length - 1] : null, back: back.slice(0, -1) })) }, "← Previous"),
      h("span", { class: "muted" }, shown.length ? `${shown.length} rows on this page` : "no difference"),
      h("button", { id: "diff-next", disabled: !next, onclick: () => go(link({ cursor: next, back: [...back, cursor] })) }, "Next →")));
}

// ---- used by ----

async function usedView(project, params) {
  const base = `#/p/${project.split("/").map(enc).join("/")}`;
  const hash = params.get("hash") || "", file = params.get("file") || "";
  const input = h("input", { type: "text", id: "used-input", placeholder: "artifact hash (64 hex) or file MD5 (32 hex)", value: hash || file });
  const form = h("form", {
    class: "bar", onsubmit: (e) => {
      e.preventDefault();
      const v = input.value.trim();
      go(`${base}/used?${v.length === 32 ? "file" : "hash"}=${enc(v)}`);
    },
  }, input, h("button", { type: "submit" }, "Find"));
  if (!hash && !file) return show(h("h1", {}, "Used by"), form);
  let body;
  try {
    body = hash ? await api(`${projectPath(project)}/artifacts/${enc(hash)}/users`)
      : await api(`${projectPath(project)}/file-hashes/${enc(file)}/users`);
  } catch (e) {
    if (e.status === 401) return;
    return show(h("h1", {}, "Used by"), form, h("p", { class: "error", id: "error" }, e.message));
  }
  const refs = body.refs;
  const runs = new Set(refs.map((r) => r.run));
  show(h("h1", {}, "Used by"), form,
    h("p", { id: "used-summary" }, hash
      ? `Artifact ${short(hash)} is held by ${refs.length} field(s) in ${runs.size} run(s).`
      : `A file with MD5 ${file} is in ${refs.length} place(s), in ${runs.size} run(s).`),
    h("table", { id: "used" }, h("tr", {}, h("th", {}, "Run"), h("th", {}, "Field"), file ? h("th", {}, "File path") : null),
      refs.map((r) => h("tr", {},
        h("td", {}, h("a", { href: `${base}/run/${enc(r.run)}` }, r.run)),
        h("td", {}, h("a", { href: `${base}/run/${enc(r.run)}?field=${enc(r.field)}` }, r.field)),
        file ? h("td", {}, r.file_path) : null))));
}

window.addEventListener("hashchange", route);
route();
