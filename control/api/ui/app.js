// The live status page's script (index.html): polls aftr-control's API once
// a second and draws what it answers. No library: the box may be offline.
// Values go into the page as text (textContent), never as markup.
"use strict";

const TOKEN_KEY = "aftr-token";
const POLL_MS = 1000;
const HISTORY = 300; // seconds the chart shows
const TOP_RETRY_MS = 60000; // how often a missing /b4s?top is asked again

let token = sessionStorage.getItem(TOKEN_KEY) || "";
let samples = []; // {rx, tx}: packets per second, one a poll
let rateGen = null; // the dataplane generation the samples are of
let version = null;
let topNextTry = 0;
let running = false; // the dataplane, as /health says

const $ = (id) => document.getElementById(id);

// GET path: {status, body}; status 0 when aftr-control did not answer.
async function api(path) {
  const headers = token ? { Authorization: "Bearer " + token } : {};
  let res;
  try {
    res = await fetch(path, { headers, cache: "no-store" });
  } catch (e) {
    return { status: 0, body: null };
  }
  let body = null;
  try {
    body = await res.json();
  } catch (e) {
    body = null;
  }
  if (res.status === 401) askToken();
  return { status: res.status, body };
}

function askToken() {
  const form = $("login");
  if (!form.hidden) return;
  form.hidden = false;
  $("panels").hidden = true;
  $("signout").hidden = true;
  $("login-msg").textContent = token ? "aftr-control refused this token." : "";
  $("token").focus();
}

function useToken(t) {
  token = t;
  if (t) sessionStorage.setItem(TOKEN_KEY, t);
  else sessionStorage.removeItem(TOKEN_KEY);
  $("login").hidden = true;
  $("panels").hidden = false;
  $("signout").hidden = !t;
  version = null;
  poll();
}

// Numbers for people: 1234567 -> "1.23 M".
function human(v) {
  if (typeof v !== "number" || !isFinite(v)) return "-";
  const a = Math.abs(v);
  if (a >= 1e9) return (v / 1e9).toFixed(2) + " G";
  if (a >= 1e6) return (v / 1e6).toFixed(2) + " M";
  if (a >= 1e4) return (v / 1e3).toFixed(1) + " k";
  return a >= 100 || v === Math.round(v) ? Math.round(v).toString() : v.toFixed(1);
}

function duration(s) {
  const d = Math.floor(s / 86400);
  const hms = new Date((s % 86400) * 1000).toISOString().substring(11, 19);
  return (d ? d + " d " : "") + hms;
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function row(cells) {
  const tr = el("tr");
  cells.forEach((c) => tr.appendChild(c instanceof Node ? c : el("td", c)));
  return tr;
}

function fill(tableId, rows) {
  const body = $(tableId).tBodies[0];
  body.replaceChildren(...rows);
  $(tableId).hidden = rows.length === 0;
}

// A panel's note: why it shows nothing (no dataplane, an error) or "".
function note(id, text) {
  $(id + "-note").textContent = text;
}

// The note for an answer that is not 200.
function failure(r) {
  if (r.status === 0) return "aftr-control does not answer";
  if (!running) return "no dataplane";
  const b = r.body || {};
  return (b.error || "HTTP " + r.status) + (b.detail ? ": " + b.detail : "");
}

// A bar of value out of max; a gauge turns amber past half, red past 80 %.
function meter(value, max, label, gauge) {
  const m = el("meter");
  m.min = 0;
  m.max = max > 0 ? max : 1;
  m.value = value;
  if (gauge) {
    m.low = 0.5 * m.max;
    m.high = 0.8 * m.max;
    m.optimum = 0;
  }
  m.setAttribute("aria-label", label);
  return m;
}

function renderHealth(r) {
  const dp = (r.body && r.body.dataplane) || {};
  running = !!dp.running;
  const state = $("dataplane");
  if (r.status === 0) {
    state.textContent = "unknown: aftr-control does not answer";
  } else if (!running) {
    state.textContent = "DOWN: no dataplane";
  } else {
    const alive = (dp.workers_alive || []).filter((w) => w.responsive).length;
    state.textContent =
      (r.status === 200 ? "up" : "DEGRADED") +
      ` (pid ${dp.pid}, ${alive} of ${dp.workers} workers answering)`;
  }
  state.dataset.state = r.status === 200 ? "up" : "down";
  $("uptime").textContent = running && dp.uptime_s >= 0 ? duration(dp.uptime_s) : "-";
  const p = dp.programming;
  $("programming").textContent = p
    ? `generation ${p.generation} ${p.dataplane}` + (p.error ? ": " + p.error : "")
    : "-";
}

// The rates' rows: [label, counter names summed].
const RATE_ROWS = [
  ["Received, both ports", ["rx_transport", "rx_wan"]],
  ["Sent, both ports", ["tx_transport", "tx_wan"]],
  ["Received, transport (IPv6)", ["rx_transport"]],
  ["Received, WAN (IPv4)", ["rx_wan"]],
  ["Sent, transport (IPv6)", ["tx_transport"]],
  ["Sent, WAN (IPv4)", ["tx_wan"]],
  ["Translated towards the Internet", ["nat_out"]],
  ["Translated towards B4s", ["nat_in"]],
  ["Sessions created", ["session_created"]],
  ["Dropped, all reasons", null],
];

function sum(rates, names, key) {
  const keys = names || Object.keys(rates).filter((n) => n.startsWith("drop_"));
  return keys.reduce((s, n) => s + ((rates[n] && rates[n][key]) || 0), 0);
}

function renderRates(r) {
  if (r.status !== 200 || !r.body) {
    note("rates", failure(r));
    fill("rates-table", []);
    if (!running) samples = [];
    drawChart();
    return;
  }
  const rates = r.body.rates || {};
  if (rateGen !== r.body.generation) samples = [];
  rateGen = r.body.generation;
  samples.push({ rx: sum(rates, RATE_ROWS[0][1], "last"), tx: sum(rates, RATE_ROWS[1][1], "last") });
  if (samples.length > HISTORY) samples.shift();
  note("rates", "");
  fill(
    "rates-table",
    RATE_ROWS.map(([label, names]) => {
      const cells = ["last", "1min", "5min", "15min"].map((k) => {
        const v = sum(rates, names, k);
        const td = el("td", human(v));
        td.dataset.value = v;
        td.dataset.key = k;
        return td;
      });
      return row([el("th", label), ...cells]);
    })
  );
  drawChart();
}

// The chart: received (solid) and sent (dashed), the last HISTORY samples.
function drawChart() {
  const c = $("rates-chart");
  const dpr = window.devicePixelRatio || 1;
  const w = c.clientWidth || c.width;
  const h = c.clientHeight || c.height;
  if (c.width !== Math.round(w * dpr)) c.width = Math.round(w * dpr);
  if (c.height !== Math.round(h * dpr)) c.height = Math.round(h * dpr);
  const g = c.getContext("2d");
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  const left = 64, right = 8, top = 10, bottom = 22;
  const pw = w - left - right, ph = h - top - bottom;
  const max = niceMax(Math.max(1, ...samples.map((p) => Math.max(p.rx, p.tx))));
  const style = getComputedStyle(c);
  g.font = "12px system-ui, sans-serif";
  g.fillStyle = style.color;
  g.strokeStyle = style.getPropertyValue("--grid").trim() || "#ccc";
  g.lineWidth = 1;
  g.textAlign = "right";
  g.textBaseline = "middle";
  for (let i = 0; i <= 4; i++) {
    const y = top + ph - (ph * i) / 4;
    g.beginPath();
    g.moveTo(left, y);
    g.lineTo(left + pw, y);
    g.stroke();
    g.fillText(human((max * i) / 4), left - 6, y);
  }
  g.textAlign = "left";
  g.textBaseline = "alphabetic";
  g.fillText(`${HISTORY / 60} min ago`, left, h - 4);
  g.textAlign = "right";
  g.fillText("now", left + pw, h - 4);
  if (samples.length === 0) {
    g.textAlign = "center";
    g.fillText(running ? "waiting for rates" : "no dataplane", left + pw / 2, top + ph / 2);
    return;
  }
  const x = (i) => left + pw - ((samples.length - 1 - i) * pw) / (HISTORY - 1);
  const y = (v) => top + ph - (v / max) * ph;
  [["rx", "--rx", []], ["tx", "--tx", [6, 4]]].forEach(([key, color, dash]) => {
    g.strokeStyle = style.getPropertyValue(color).trim() || "#000";
    g.lineWidth = 2;
    g.setLineDash(dash);
    g.beginPath();
    samples.forEach((p, i) => (i ? g.lineTo(x(i), y(p[key])) : g.moveTo(x(i), y(p[key]))));
    if (samples.length === 1) g.lineTo(x(0) - 2, y(samples[0][key]));
    g.stroke();
  });
  g.setLineDash([]);
  const last = samples[samples.length - 1];
  c.setAttribute(
    "aria-label",
    `packets per second over the last ${HISTORY / 60} minutes: now ${human(last.rx)} received, ${human(last.tx)} sent`
  );
}

function niceMax(v) {
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((m) => m >= v);
}

function renderDrops(r, rates) {
  if (r.status !== 200 || !r.body) {
    note("drops", failure(r));
    fill("drops-table", []);
    return;
  }
  const drops = (r.body.drops || []).filter((d) => d.count > 0).sort((a, b) => b.count - a.count);
  const total = drops.reduce((s, d) => s + d.count, 0);
  note("drops", drops.length ? "" : "no packet dropped");
  fill(
    "drops-table",
    drops.map((d) => {
      const rate = rates && rates["drop_" + d.reason];
      const name = el("th");
      name.scope = "row";
      name.appendChild(el("span", d.reason, "reason"));
      name.appendChild(el("span", d.help, "help"));
      const share = el("td");
      share.appendChild(meter(d.count, total, `${d.reason}: share of all drops`));
      share.appendChild(el("span", ` ${((100 * d.count) / total).toFixed(1)} %`));
      return row([name, human(d.count), rate ? human(rate.last) : "-", share]);
    })
  );
}

function renderPools(r) {
  const pools = r.status === 200 && r.body ? r.body.pools || [] : null;
  if (pools === null) {
    note("pools", failure(r));
    fill("pools-table", []);
    return;
  }
  note("pools", pools.length ? "" : "no pool");
  fill(
    "pools-table",
    pools.map((p) => {
      const used = el("td");
      used.appendChild(meter(p.blocks_used, p.blocks, `${p.address} ${p.protocol}: blocks used`, true));
      used.appendChild(
        el("span", ` ${p.blocks_used} of ${p.blocks} (${(100 * (p.utilisation || 0)).toFixed(1)} %)`)
      );
      return row([p.address, p.protocol, used, human(p.blocks_free), human(p.ports_used)]);
    })
  );
}

function renderTop(r) {
  if (r.status === 404) {
    note("top", "not available from this aftr-control");
    fill("top-table", []);
    topNextTry = Date.now() + TOP_RETRY_MS;
    return;
  }
  if (r.status !== 200 || !r.body) {
    note("top", failure(r));
    fill("top-table", []);
    return;
  }
  const list = r.body.b4s || [];
  note(
    "top",
    (list.length ? "" : "no B4 had a packet dropped. ") +
      (r.body.tracked !== undefined ? `B4s tracked: ${r.body.tracked} of ${r.body.capacity}` : "")
  );
  fill(
    "top-table",
    list.map((b) => {
      const cell = el("td");
      const link = el("button", b.b4, "link");
      link.type = "button";
      link.title = "look this B4 up";
      link.addEventListener("click", () => lookup(b.b4));
      cell.appendChild(link);
      const reasons = Object.entries(b.reasons || {})
        .sort((x, y) => y[1] - x[1])
        .map(([k, v]) => `${k} ${human(v)}`)
        .join(", ");
      const ago = typeof b.last_drop_s === "number" ? `${b.last_drop_s} s ago` : "-";
      return row([cell, human(b.drops), reasons, ago]);
    })
  );
}

async function poll() {
  clearTimeout(poll.timer);
  const started = Date.now();
  const wantTop = Date.now() >= topNextTry;
  const [health, v, rates, drops, pools, top] = await Promise.all([
    api("/api/v1/health"),
    version ? null : api("/api/v1/version"),
    api("/api/v1/rates"),
    api("/api/v1/counters/drops"),
    api("/api/v1/pools/usage"),
    wantTop ? api("/api/v1/b4s?top=10") : null,
  ]);
  if ($("login").hidden) {
    if (v && v.status === 200 && v.body) version = `${v.body.version} (API ${v.body.api})`;
    $("version").textContent = version || "-";
    renderHealth(health);
    renderRates(rates);
    renderDrops(drops, rates.status === 200 && rates.body ? rates.body.rates : null);
    renderPools(pools);
    if (top) renderTop(top);
    $("updated").textContent = new Date().toLocaleTimeString();
    poll.timer = setTimeout(poll, Math.max(0, POLL_MS - (Date.now() - started)));
  }
}

function showB4(out, b) {
  out.appendChild(el("p", null, "mode")).append(
    el("span", "Mode: ", "label"),
    el("strong", b.mode),
    el("span", ` (dataplane: ${b.dataplane})`)
  );
  const nat = b.nat;
  out.appendChild(
    el("p", nat ? `NAT: external address ${nat.external_address}, worker ${nat.worker}` : "NAT: no sessions now")
  );
  const t = el("table");
  t.appendChild(el("caption", "Sessions and limits, per protocol"));
  t.appendChild(el("thead")).appendChild(
    row(["Protocol", "Sessions", "Limit", "Used", "Port blocks", "New sessions/s limit"].map((h) => el("th", h)))
  );
  const body = t.appendChild(el("tbody"));
  Object.entries(b.limits || {}).forEach(([proto, l]) => {
    const blocks = ((nat && nat.blocks) || [])
      .filter((x) => x.protocol === proto)
      .map((x) => `${x.first}-${x.last}`)
      .join(", ");
    body.appendChild(
      row([proto, l.sessions, l.sessions_max, `${(100 * l.sessions_used).toFixed(1)} %`, blocks || "-", l.new_sessions_per_s])
    );
  });
  out.appendChild(t);
  const d = b.drops;
  const reasons = d
    ? Object.entries(d.reasons || {})
        .sort((x, y) => y[1] - x[1])
        .map(([k, v]) => `${k} ${human(v)}`)
        .join(", ")
    : "";
  out.appendChild(
    el(
      "p",
      d
        ? `Drops: ${human(d.drops)} (${reasons}), the last ${d.last_drop_s} s ago, counted for ${d.since_s} s`
        : "Drops: none among the B4s that drop most",
      "drops"
    )
  );
  const facts = [];
  if (typeof b.pmtu === "number") facts.push(`softwire MTU learned from packet too big: ${b.pmtu}`);
  if (typeof b.last_active_s === "number") facts.push(`last packet of its sessions ${b.last_active_s} s ago`);
  if (facts.length) out.appendChild(el("p", facts.join("; ")));
  const entries = Object.entries(b.entries || {})
    .filter(([, v]) => (Array.isArray(v) ? v.length : v))
    .map(([k, v]) => (Array.isArray(v) ? `${k}: ${v.length}` : `${k}: ${v}`));
  out.appendChild(el("p", "Configuration entries: " + (entries.join("; ") || "none")));
}

async function lookup(addr) {
  const a = addr.trim();
  const out = $("b4-result");
  $("b4").value = a;
  out.replaceChildren(el("p", `looking up ${a} ...`));
  const r = await api("/api/v1/b4s/" + encodeURIComponent(a));
  out.replaceChildren();
  if (r.status === 200 && r.body) {
    out.appendChild(el("h3", `B4 ${r.body.b4}`));
    showB4(out, r.body);
  } else {
    const b = r.body || {};
    const p = out.appendChild(el("p", null, "error"));
    p.setAttribute("role", "alert");
    p.textContent =
      r.status === 0
        ? "aftr-control does not answer"
        : `Error ${r.status}: ${b.error || ""}` + (b.detail ? `: ${b.detail}` : "");
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("host").textContent = location.host;
  $("login").addEventListener("submit", (e) => {
    e.preventDefault();
    useToken($("token").value.trim());
  });
  $("signout").addEventListener("click", () => {
    clearTimeout(poll.timer);
    sessionStorage.removeItem(TOKEN_KEY);
    token = "";
    askToken();
  });
  $("lookup-form").addEventListener("submit", (e) => {
    e.preventDefault();
    lookup($("b4").value);
  });
  $("signout").hidden = !token;
  window.addEventListener("resize", drawChart);
  drawChart();
  poll();
});
