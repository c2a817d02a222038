// Drives headless Chromium against the reference service (run by
// demo/tests/test_browser.rs):
//   node cors.mjs <ui-url> <foreign-url> <api-url>
// The playground page (an allowed origin) signs in and reads notes with
// credentialed fetches and reads gRPC-Web statuses and details; a foreign
// page's credentialed reads (gRPC-Web included) fail, and its
// cookie-bearing writes must change nothing (the Rust test checks the
// server). Prints one line `WF_RESULT <json>`; exits non-zero on failure.
// WF_SCREENSHOT=<path> saves a screenshot of the playground.
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";

const [uiUrl, foreignUrl, apiUrl] = process.argv.slice(2);
if (!uiUrl || !foreignUrl || !apiUrl) {
  console.error("usage: node cors.mjs <ui-url> <foreign-url> <api-url>");
  process.exit(2);
}
const api = apiUrl.replace(/\/$/, "");
const userDataDir = mkdtempSync(join(tmpdir(), "wf-chromium-"));
const result = { allowed: {}, foreign: {}, page: {} };
let context;

try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1280, height: 1000 },
    timeout: 30_000,
  });
  context.setDefaultTimeout(15_000);

  // 1. The playground, loaded from an allowed origin.
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleErrors = [];
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  await page.goto(uiUrl);
  await page.waitForFunction(() => window.wf !== undefined);
  assert.equal(await page.textContent("#api-base"), api, "the page calls the API on its host and port");
  assert.equal(
    await page.getAttribute("#openapi-link", "href"),
    `${api}/openapi.json`,
    "the page links to the API's OpenAPI document",
  );

  result.allowed = await page.evaluate(async (api) => {
    const out = {};
    const send = async (path, init) => {
      const res = await fetch(api + path, { credentials: "include", ...init });
      const text = await res.text();
      return {
        status: res.status,
        requestId: res.headers.get("x-request-id"),
        remaining: res.headers.get("x-ratelimit-remaining"),
        body: text ? JSON.parse(text) : null,
      };
    };
    const post = (value) => ({
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(value),
    });
    out.signIn = await send("/session", post({ user: "alice" }));
    out.create = await send("/notes", post({ title: "from the allowed page", body: "hi" }));
    out.list = await send("/notes");
    return out;
  }, api);
  const a = result.allowed;
  assert.equal(a.signIn.status, 201, "sign in");
  assert.equal(a.create.status, 201, "create");
  assert.equal(a.create.body.title, "from the allowed page");
  assert.match(a.create.requestId ?? "", /^[A-Za-z0-9._-]{1,128}$/, "X-Request-Id readable");
  assert.notEqual(a.create.remaining, null, "X-RateLimit-Remaining readable");
  assert.equal(a.list.status, 200, "list");
  assert.ok(a.list.body.some((n) => n.title === "from the allowed page"), "list has the note");
  const cookies = await context.cookies(api);
  const session = cookies.find((c) => c.name === "wf_session");
  assert.ok(session, "wf_session cookie set for the API");
  assert.ok(session.httpOnly && session.sameSite === "Lax", "cookie is HttpOnly, SameSite=Lax");

  // 2. A few clicks on the playground itself.
  const clicks = [
    ["#login", "POST /session", 201],
    ["#create", "POST /notes", 201],
    ["#list", "GET /notes", 200],
    ['[data-fault="404"]', "GET /no-such-path", 404],
    ['[data-fault="422"]', "POST /notes (invalid fields)", 422],
    ['[data-fault="500"]', "GET /debug/panic", 500],
  ];
  for (const [selector, what, status] of clicks) {
    const before = await page.evaluate(() => window.wfLog.length);
    await page.click(selector);
    await page.waitForFunction(
      ([n, what]) => window.wfLog.slice(n).some((e) => e.what === what),
      [before, what],
    );
    const entry = await page.evaluate(
      ([n, what]) => window.wfLog.slice(n).find((e) => e.what === what),
      [before, what],
    );
    assert.equal(entry.status, status, `${what} clicked`);
    assert.ok(entry.requestId, `${what}: X-Request-Id shown`);
    if (status >= 400) assert.equal(entry.body.status, status, `${what}: problem body read`);
  }
  // SSE: the failing stream's ping, then its problem event.
  await page.click("#sse-fail");
  await page.waitForFunction(() => window.wfLog.some((e) => e.what === "event: error"));
  const sseError = await page.evaluate(() => window.wfLog.find((e) => e.what === "event: error"));
  assert.equal(sseError.body.status, 500, "SSE problem event");
  // gRPC-Web: the page reads the status, the message and the decoded
  // details of an invalid note and a missing one (signed in above).
  result.page.grpcWeb = {};
  for (const [button, what] of [
    ["invalid", "Notes/CreateNote (invalid note)"],
    ["missing", "Notes/GetNote (missing note)"],
    ["create", "Notes/CreateNote (valid note)"],
  ]) {
    const before = await page.evaluate(() => window.wfLog.length);
    await page.click(`[data-grpc="${button}"]`);
    await page.waitForFunction(
      ([n, what]) => window.wfLog.slice(n).some((e) => e.what === what),
      [before, what],
    );
    result.page.grpcWeb[button] = await page.evaluate(
      ([n, what]) => window.wfLog.slice(n).find((e) => e.what === what),
      [before, what],
    );
  }
  const g = result.page.grpcWeb;
  assert.equal(g.invalid.grpcStatus, 3, "INVALID_ARGUMENT readable");
  assert.equal(g.invalid.grpcMessage, "the request has invalid fields");
  const info = g.invalid.details.find((d) => d.type === "google.rpc.ErrorInfo");
  assert.equal(info.reason, "UNPROCESSABLE", "ErrorInfo decoded");
  assert.equal(info.metadata.httpStatus, "422");
  const bad = g.invalid.details.find((d) => d.type === "google.rpc.BadRequest");
  assert.deepEqual(
    bad.fieldViolations.map((v) => v.field),
    ["title", "body"],
    "BadRequest field violations decoded",
  );
  const requestInfo = g.invalid.details.find((d) => d.type === "google.rpc.RequestInfo");
  assert.equal(requestInfo.requestId, g.invalid.requestId, "RequestInfo is the exposed X-Request-Id");
  assert.equal(g.missing.grpcStatus, 5, "NOT_FOUND readable");
  assert.equal(g.missing.grpcMessage, "note 999999999 does not exist");
  assert.equal(g.create.grpcStatus, 0, "a valid note is OK (status in the trailers frame)");

  // WebSocket: ping (reported, not asserted here: its own tests cover it).
  await page.click('[data-ws="ping"]');
  await page
    .waitForFunction(() => window.wfLog.some((e) => e.kind === "WS" && (e.what === "message" || e.what === "close")), null, { timeout: 5_000 })
    .catch(() => {});
  result.page.ws = await page.evaluate(() => window.wfLog.filter((e) => e.kind === "WS"));
  result.page.errors = consoleErrors;
  assert.deepEqual(consoleErrors, [], "no script errors on the page");
  if (process.env.WF_SCREENSHOT) {
    await page.screenshot({ path: process.env.WF_SCREENSHOT, fullPage: true });
  }

  // 3. Every other HTTP failure button (429 is left out: it needs 60 writes).
  const more = [
    ["405", "DELETE /notes (no DELETE on /notes)", 405],
    ["415", "POST /notes (text/plain)", 415],
    ["400", "POST /notes (malformed JSON)", 400],
    ["409", "POST /notes (same title again)", 409],
    ["413", "POST /notes (70 KiB body)", 413],
    ["503", "GET /debug/unavailable", 503],
    ["502", "GET /debug/bad-gateway", 502],
    ["401", "GET /notes (after logout)", 401],
  ];
  for (const [fault, what, status] of more) {
    const before = await page.evaluate(() => window.wfLog.length);
    await page.click(`[data-fault="${fault}"]`);
    await page.waitForFunction(
      ([n, what]) => window.wfLog.slice(n).some((e) => e.what === what),
      [before, what],
    );
    const entry = await page.evaluate(
      ([n, what]) => window.wfLog.slice(n).find((e) => e.what === what),
      [before, what],
    );
    assert.equal(entry.status, status, `${what} clicked`);
    assert.ok(entry.requestId, `${what}: X-Request-Id shown`);
    assert.equal(entry.body.status, status, `${what}: problem body read`);
  }
  // Sign in again: the 401 button signed out, and the WebSocket handshake and
  // the foreign page's writes below need a live session cookie.
  await page.click("#login");
  await page.waitForFunction(() => window.wfLog.at(-1).what === "POST /session");
  // WebSocket closes: reported (the WebSocket tests assert them).
  for (const kind of ["malformed", "binary", "unknown", "panic"]) {
    const before = await page.evaluate(() => window.wfLog.length);
    await page.click(`[data-ws="${kind}"]`);
    await page
      .waitForFunction((n) => window.wfLog.slice(n).some((e) => e.what === "close"), before, { timeout: 5_000 })
      .catch(() => {});
  }
  result.page.wsCloses = await page.evaluate(() =>
    window.wfLog.filter((e) => e.what === "close").map((e) => e.body),
  );
  result.page.log = await page.evaluate(() =>
    window.wfLog.map((e) => `${e.kind} ${e.what} ${e.status ?? e.error ?? ""}`),
  );
  result.page.errors = consoleErrors;
  assert.deepEqual(consoleErrors, [], "no script errors on the page");
  result.allowedCreated =
    1 +
    (await page.evaluate(
      () =>
        window.wfLog.filter(
          (e) =>
            (e.what.startsWith("POST /notes") && e.status === 201) ||
            (e.what.startsWith("Notes/CreateNote") && e.grpcStatus === 0),
        ).length,
    ));

  // 4. A foreign page on the same host (so the cookie is same-site and is
  // sent), on a port that is not allowed.
  const foreign = await context.newPage();
  await foreign.goto(foreignUrl);
  result.foreign = await foreign.evaluate(async (api) => {
    const attempt = async (init, path = "/notes") => {
      try {
        const res = await fetch(api + path, { credentials: "include", ...init });
        return { resolved: true, type: res.type, status: res.status };
      } catch (e) {
        return { resolved: false, error: e.name, message: e.message };
      }
    };
    const out = {};
    out.get = await attempt({});
    out.jsonPost = await attempt({
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ title: "foreign json post" }),
    });
    // Cookie-bearing writes that need no preflight.
    out.noCorsPost = await attempt({
      method: "POST",
      mode: "no-cors",
      headers: { "Content-Type": "text/plain" },
      body: JSON.stringify({ title: "foreign no-cors post" }),
    });
    // A classic form CSRF, JSON-looking text/plain body, into an iframe.
    out.form = await new Promise((resolve) => {
      const frame = document.createElement("iframe");
      frame.name = "sink";
      document.body.appendChild(frame);
      const form = document.createElement("form");
      form.method = "POST";
      form.action = api + "/notes";
      form.enctype = "text/plain";
      form.target = "sink";
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = '{"title":"foreign form post","x":"';
      input.value = '"}';
      form.appendChild(input);
      document.body.appendChild(form);
      frame.addEventListener("load", () => resolve({ submitted: true }), { once: true });
      setTimeout(() => resolve({ submitted: true, timeout: true }), 5000);
      form.submit();
    });
    // gRPC-Web: the preflight gets no grant, so the call never leaves
    // the browser and the page reads no status at all.
    out.grpcWeb = await attempt(
      {
        method: "POST",
        headers: { "Content-Type": "application/grpc-web+proto", "X-Grpc-Web": "1" },
        body: new Uint8Array([0, 0, 0, 0, 2, 8, 1]),
      },
      "/wirefault.demo.v1.Notes/GetNote",
    );
    return out;
  }, api);
  const f = result.foreign;
  assert.equal(f.grpcWeb.resolved, false, "foreign gRPC-Web call must fail");
  assert.equal(f.grpcWeb.error, "TypeError");
  assert.equal(f.get.resolved, false, "foreign credentialed GET must fail");
  assert.equal(f.get.error, "TypeError");
  assert.equal(f.jsonPost.resolved, false, "foreign JSON POST must fail");
  assert.equal(f.jsonPost.error, "TypeError");
  assert.equal(f.noCorsPost.type, "opaque", "no-cors response is opaque");
  console.log(`WF_RESULT ${JSON.stringify(result)}`);
} catch (e) {
  console.log(`WF_RESULT ${JSON.stringify(result)}`);
  console.error(e && e.stack ? e.stack : String(e));
  process.exitCode = 1;
} finally {
  if (context) await context.close().catch(() => {});
  rmSync(userDataDir, { recursive: true, force: true });
}
