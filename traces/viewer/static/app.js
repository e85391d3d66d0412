"use strict";
// Every piece of trace data reaches the page through textContent or attribute setters on elements we
// create: never innerHTML, so span content (LLM output, tool results) can never become markup.
const $ = (id) => document.getElementById(id);
function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (k === "text") node.textContent = v;
    else if (k === "class") node.className = v;
    else if (k === "style") Object.assign(node.style, v);  // CSSOM: allowed by the page's CSP, unlike style=""
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c != null) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}
async function api(path) {
  const r = await fetch(path, {headers: {"Accept": "application/json"}});
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}
const ms = (v) => v == null ? "running" : (v < 1000 ? v.toFixed(1) + " ms" : (v / 1000).toFixed(2) + " s");
const when = (ns) => new Date(ns / 1e6).toLocaleString();
let selected = [];

async function showRuns() {
  const q = $("q").value, status = $("status").value;
  const params = new URLSearchParams({q, status});
  const data = await api("/api/runs?" + params);
  const table = el("table", {id: "runs"}, el("thead", {}, el("tr", {},
    ...["", "agent", "start", "duration", "status", "spans", "errors", "tokens in/out", "trace"].map((h) => el("th", {text: h})))));
  const body = el("tbody");
  for (const run of data.runs) {
    const box = el("input", {type: "checkbox", title: "select two runs to diff", onclick: (e) => { e.stopPropagation(); toggle(run.trace_id, e.target.checked); }});
    body.append(el("tr", {class: "run", "data-trace": run.trace_id, onclick: () => { location.hash = "#/run/" + run.trace_id; }},
      el("td", {}, box), el("td", {text: run.agent || ""}), el("td", {text: when(run.start_ns)}),
      el("td", {text: ms(run.duration_ms)}), el("td", {class: run.status, text: run.status}),
      el("td", {text: run.span_count}), el("td", {text: run.error_count}),
      el("td", {text: run.input_tokens + " / " + run.output_tokens}), el("td", {text: run.trace_id.slice(0, 12)})));
  }
  table.append(body);
  $("main").replaceChildren(el("p", {text: data.runs.length + " of " + data.total + " runs"}), table);
}
function toggle(id, on) {
  selected = selected.filter((x) => x !== id);
  if (on) selected.push(id);
  const box = $("diffbox");
  box.replaceChildren();
  if (selected.length === 2) box.append(el("a", {href: "#/diff/" + selected[0] + "/" + selected[1], text: "diff selected runs"}));
}

function tree(spans) {
  const ids = new Set(spans.map((s) => s.span_id)), kids = new Map();
  for (const s of spans) {
    const p = ids.has(s.parent_id) ? s.parent_id : null;
    if (!kids.has(p)) kids.set(p, []);
    kids.get(p).push(s);
  }
  const out = [];
  const walk = (p, depth) => { for (const s of kids.get(p) || []) { out.push([depth, s]); walk(s.span_id, depth + 1); } };
  walk(null, 0);
  return out;
}
async function showRun(id) {
  const run = await api("/api/runs/" + encodeURIComponent(id));
  const t0 = run.start_ns, now = Date.now() * 1e6;
  const t1 = Math.max(...run.spans.map((s) => s.end_ns || now), t0 + 1);
  const rows = el("div", {class: "tree", id: "tree"});
  const panel = el("div", {class: "panel", id: "panel"}, el("p", {text: "Click a span to see its details."}));
  for (const [depth, s] of tree(run.spans)) {
    const left = ((s.start_ns - t0) / (t1 - t0) * 100).toFixed(2) + "%";
    const width = (((s.end_ns || now) - s.start_ns) / (t1 - t0) * 100).toFixed(2) + "%";
    const label = el("div", {style: {paddingLeft: depth * 14 + "px"}, title: s.name},
      el("span", {class: "kind", text: s.kind || "SPAN"}), el("span", {class: "name " + s.status, text: s.name}), " ", el("small", {text: ms(s.duration_ms)}));
    const row = el("div", {class: "row", "data-span": s.span_id, onclick: () => {
      for (const r of rows.children) r.classList.remove("sel");
      row.classList.add("sel");
      panel.replaceChildren(...spanPanel(s));
    }}, label, el("div", {class: "bar"}, el("span", {class: s.status, style: {left, width}})));
    rows.append(row);
  }
  const head = el("h2", {}, (run.agent || run.name) + " ", el("small", {class: run.status, text: run.status}));
  const info = el("p", {text: `${when(run.start_ns)} · ${ms(run.duration_ms)} · ${run.span_count} spans · ${run.error_count} errors · tokens ${run.input_tokens} in / ${run.output_tokens} out · ${run.trace_id}`});
  $("main").replaceChildren(head, info, el("div", {class: "runpage"}, rows, panel));
}

function parse(v) { if (typeof v !== "string") return v; try { return JSON.parse(v); } catch (e) { return v; } }
function pretty(v) { const p = parse(v); return typeof p === "string" ? p : JSON.stringify(p, null, 2); }
function chat(messages) {
  const box = el("div", {class: "chat"});
  for (const m of Array.isArray(messages) ? messages : []) {
    const msg = el("div", {class: "msg " + (m.role || "")}, el("span", {class: "role", text: m.role || "?"}));
    for (const part of m.parts || []) {
      if (part.type === "text" || part.type === "thinking") msg.append(el("div", {text: part.content}));
      else if (part.type === "tool_call") msg.append(el("div", {text: "→ call " + part.name + " " + JSON.stringify(part.arguments)}));
      else if (part.type === "tool_call_response") msg.append(el("div", {text: "← " + part.name + ": " + pretty(part.result)}));
      else if (part.type === "blob" && String(part.mime_type || "").startsWith("image/")) msg.append(el("img", {class: "thumb", src: "data:" + part.mime_type + ";base64," + part.content}));
      else msg.append(el("pre", {text: JSON.stringify(part, null, 2)}));
    }
    box.append(msg);
  }
  return box;
}
function spanPanel(s) {
  const a = s.attributes, out = [el("h3", {text: s.name}),
    el("p", {}, el("span", {class: "kind", text: s.kind || "SPAN"}), el("span", {class: s.status, text: s.status}), " " + ms(s.duration_ms))];
  if (s.status_message) out.push(el("p", {class: "ERROR", text: s.status_message}));
  const sys = a["gen_ai.system_instructions"], input = a["gen_ai.input.messages"], output = a["gen_ai.output.messages"];
  if (input || output) {
    out.push(el("h4", {text: "Messages"}));
    const msgs = [...(sys ? [{role: "system", parts: [].concat(parse(sys)).map((p) => typeof p === "string" ? {type: "text", content: p} : p)}] : []), ...[].concat(parse(input) || []), ...[].concat(parse(output) || [])];
    out.push(chat(msgs));
  }
  if (a["gen_ai.tool.call.arguments"] !== undefined) out.push(el("h4", {text: "Tool arguments"}), el("pre", {class: "toolargs", text: pretty(a["gen_ai.tool.call.arguments"])}));
  if (a["gen_ai.tool.call.result"] !== undefined) out.push(el("h4", {text: "Tool result"}), el("pre", {class: "toolresult", text: pretty(a["gen_ai.tool.call.result"])}));
  const images = Object.keys(a).filter((k) => k.startsWith("goalgraph.image.") && typeof a[k] === "string" && !k.endsWith(".omitted"));
  if (images.length) {
    out.push(el("h4", {text: "Images"}));
    for (const k of images) {
      const src = a[k].startsWith("data:image/") ? a[k] : "/api/spans/" + s.span_id + "/image?key=" + encodeURIComponent(k);
      out.push(el("figure", {}, el("img", {class: "thumb", src, alt: k}), el("figcaption", {text: k.slice(16)})));
    }
  }
  for (const e of s.events.filter((e) => e.name === "exception")) {
    out.push(el("h4", {class: "ERROR", text: "Exception: " + (e.attributes["exception.type"] || "")}),
      el("pre", {text: (e.attributes["exception.message"] || "") + "\n" + (e.attributes["exception.stacktrace"] || "")}));
  }
  const table = el("table", {class: "attrs"});
  for (const k of Object.keys(a).sort()) table.append(el("tr", {}, el("td", {text: k}), el("td", {text: typeof a[k] === "string" ? a[k] : JSON.stringify(a[k])})));
  out.push(el("h4", {text: "Attributes"}), table);
  return out;
}

async function showDiff(a, b) {
  const data = await api("/api/diff?" + new URLSearchParams({a, b}));
  const table = el("table", {class: "diff"}, el("tr", {}, ...["", "run A: " + data.a.trace_id.slice(0, 12), "run B: " + data.b.trace_id.slice(0, 12)].map((h) => el("th", {text: h}))));
  const cell = (x) => el("td", {text: x ? " ".repeat(x.depth * 2) + x.name + " [" + x.status + "] " + x.output : ""});
  for (const row of data.steps) table.append(el("tr", {class: row.op}, el("td", {text: row.op}), cell(row.a), cell(row.b)));
  $("main").replaceChildren(el("h2", {text: "Diff"}), table);
}

async function route() {
  const parts = location.hash.replace(/^#\/?/, "").split("/");
  try {
    if (parts[0] === "run" && parts[1]) await showRun(parts[1]);
    else if (parts[0] === "diff" && parts[2]) await showDiff(parts[1], parts[2]);
    else await showRuns();
  } catch (err) { $("main").replaceChildren(el("p", {class: "ERROR", text: String(err.message || err)})); }
}
window.addEventListener("hashchange", route);
document.addEventListener("DOMContentLoaded", () => {
  $("search").addEventListener("submit", (e) => { e.preventDefault(); if (location.hash && location.hash !== "#/") location.hash = "#/"; else route(); });
  route();
});
