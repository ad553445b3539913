// detente web app: plain JavaScript, no libraries, no network beyond this server's /api.
"use strict";

const state = {
  info: null,
  current: null,      // {id, origin, filename, data}
  problems: [],
  job: null,          // last job status
  simJob: null,       // last simulation job status
  uncJob: null,       // last uncertainty job status
  btJob: null,        // last backtest job status
  wiJob: null,        // last what-if comparison job status
  interventions: null,  // the shipped interventions (GET /api/interventions)
};

const $ = (sel, root = document) => root.querySelector(sel);
async function api(method, url, body) {
  const opts = { method, headers: {} };
  if (body instanceof FormData) opts.body = body;
  else if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const res = await fetch(url, opts);
  const type = res.headers.get("content-type") || "";
  const data = type.includes("json") ? await res.json() : await res.text();
  if (!res.ok) {
    const err = new Error((data && data.error) || `${res.status} ${res.statusText}`);
    err.problems = (data && data.problems) || [];
    err.status = res.status;
    throw err;
  }
  return data;
}

function flash(message, bad = false) {
  const box = $("#flash");
  box.textContent = message;
  box.className = bad ? "flash bad" : "flash";
  box.hidden = false;
  clearTimeout(flash.timer);
  flash.timer = setTimeout(() => { box.hidden = true; }, 4000);
}

function showProblems(box, message, problems) {
  box.replaceChildren(el("div", { text: message }));
  if (problems && problems.length) {
    const ul = el("ul");
    for (const p of problems) {
      const where = [p.file, p.line ? `line ${p.line}` : null, p.path].filter(Boolean).join(": ");
      ul.append(el("li", { text: where ? `${where}: ${p.message}` : p.message }));
    }
    box.append(ul);
  }
  box.hidden = false;
}

// ---------------------------------------------------------------- routing
const PAGES = ["library", "editor", "compare", "simulation", "uncertainty", "backtest"];

function route() {
  const page = (location.hash.replace(/^#\/?/, "") || "library").split("/")[0];
  const name = PAGES.includes(page) ? page : "library";
  for (const p of PAGES) $(`#page-${p}`).hidden = p !== name;
  for (const a of document.querySelectorAll("#nav a")) {
    a.classList.toggle("active", a.dataset.page === name);
  }
  if (name === "library") renderLibrary();
  if (name === "editor") renderEditor();
  if (name === "compare") renderCompare();
  if (name === "simulation") renderSimulation();
  if (name === "uncertainty") renderUncertainty();
  if (name === "backtest") renderBacktest();
}

function setCurrent(doc) {
  state.current = { id: doc.summary.id, origin: doc.summary.origin,
                    filename: doc.summary.filename, data: doc.scenario };
  state.problems = [];
  state.job = null;
  updateCurrentLabel();
}

function updateCurrentLabel() {
  const c = state.current;
  $("#current").textContent = c ? `${c.data.name || c.filename} · ${c.origin === "shipped" ?
    "shipped" : "your copy"}${state.dirty ? " · edited" : ""}` : "no scenario open";
}

// ---------------------------------------------------------------- library
async function renderLibrary() {
  const tbody = $("#library-table tbody");
  let items;
  try { items = await api("GET", "/api/scenarios"); } catch (e) { flash(e.message, true); return; }
  tbody.replaceChildren();
  for (const s of items) {
    const open = el("button", { class: "small primary", text: "Open", "data-open": s.id,
      onclick: () => openScenario(s.id) });
    const yaml = el("a", { class: "button small", text: "YAML",
      href: `/api/scenarios/${s.id}/download?format=yaml`, download: "" });
    const json = el("a", { class: "button small", text: "JSON",
      href: `/api/scenarios/${s.id}/download?format=json`, download: "" });
    const cell = el("td", { class: "row-actions" }, open, " ", yaml, " ", json);
    if (s.origin === "user") {
      cell.append(" ", el("button", { class: "small", text: "Delete", onclick: async () => {
        await api("DELETE", `/api/scenarios/${s.id}`);
        if (state.current && state.current.id === s.id) { state.current = null; updateCurrentLabel(); }
        renderLibrary();
      } }));
    }
    tbody.append(el("tr", { "data-id": s.id },
      el("td", { text: s.name }), el("td", { text: s.origin === "shipped" ? "shipped" : "uploaded / saved" }),
      el("td", { class: "num", text: s.actors }), el("td", { class: "num", text: s.issues }),
      el("td", { text: s.as_of || "" }), cell));
  }
}

async function openScenario(id) {
  try {
    setCurrent(await api("GET", `/api/scenarios/${id}`));
    state.dirty = false;
    updateCurrentLabel();
    location.hash = "#/editor";
  } catch (e) { flash(e.message, true); }
}

async function upload(ev) {
  ev.preventDefault();
  const box = $("#upload-errors");
  box.hidden = true;
  const file = $("#upload-file").files[0];
  if (!file) { showProblems(box, "Choose a file first.", []); return; }
  const form = new FormData();
  form.append("file", file);
  try {
    const s = await api("POST", "/api/scenarios/upload", form);
    flash(`Uploaded ${s.name}: ${s.actors} actors, ${s.issues} issues.`);
    $("#upload-file").value = "";
    renderLibrary();
  } catch (e) { showProblems(box, e.message, e.problems); }
}

// ---------------------------------------------------------------- editor
function num(text) {
  const t = String(text).trim();
  if (t === "") return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : t;  // keep bad text so the server names the problem
}

function cellInput(path, value, onchange, attrs = {}) {
  const input = el("input", { value: value === undefined || value === null ? "" : value,
    "data-path": path, ...attrs });
  input.addEventListener("change", () => { onchange(input.value); edited(); });
  return el("td", { "data-cell": path }, input);
}

function capabilityOf(actor, issueId) {
  const c = actor.capability;
  return (c !== null && typeof c === "object") ? c[issueId] : c;
}

function renderEditor() {
  const c = state.current;
  $("#editor-empty").hidden = !!c;
  $("#editor-body").hidden = !c;
  $("#save-btn").hidden = !c;
  $("#run-link").hidden = !c;
  if (!c) { $("#validity").textContent = ""; return; }
  const sc = c.data;
  $("#editor-title").textContent = sc.name || c.filename;
  $("#save-btn").textContent = c.origin === "shipped" ? "Save as copy" : "Save";
  const issues = sc.issues;

  const it = $("#issues-table");
  it.replaceChildren(el("tr", {}, ...["id", "name", "low end", "high end", "status quo", ""]
    .map((h) => el("th", { text: h }))));
  issues.forEach((iss, k) => {
    it.append(el("tr", {}, el("td", { text: iss.id }),
      cellInput(`issues[${k}].name`, iss.name, (v) => { iss.name = v; }),
      cellInput(`issues[${k}].low`, iss.low, (v) => { iss.low = v; }),
      cellInput(`issues[${k}].high`, iss.high, (v) => { iss.high = v; }),
      cellInput(`issues[${k}].status_quo`, iss.status_quo, (v) => {
        const x = num(v); if (x === undefined) delete iss.status_quo; else iss.status_quo = x;
      }, { class: "short" }),
      el("td", {}, removeButton(`remove issue ${iss.id}`, () => removeIssue(sc, iss.id)))));
  });

  $("#salience-hint").textContent = `(0–${sc.salience_scale || 100})`;
  for (const field of ["position", "salience", "capability"]) {
    const table = $(`#matrix-${field}`);
    table.replaceChildren(el("tr", {}, el("th", { text: "actor" }),
      ...issues.map((i) => el("th", { class: "num", text: i.id, title: i.name || "" }))));
    sc.actors.forEach((actor, a) => {
      const head = el("th", { text: actor.name || actor.id, title: actor.id });
      if (field === "position") {
        head.append(removeButton(`remove actor ${actor.id}`, () => removeActor(sc, actor.id)));
      }
      const row = el("tr", {}, head);
      for (const iss of issues) {
        if (field === "capability") {
          const perIssue = actor.capability !== null && typeof actor.capability === "object";
          const path = perIssue ? `actors[${a}].capability.${iss.id}` : `actors[${a}].capability`;
          row.append(cellInput(path, capabilityOf(actor, iss.id), (v) => {
            if (!(actor.capability !== null && typeof actor.capability === "object")) {
              const same = actor.capability;
              actor.capability = Object.fromEntries(issues.map((i) => [i.id, same]));
            }
            const x = num(v);
            if (x === undefined) delete actor.capability[iss.id]; else actor.capability[iss.id] = x;
            renderEditor();
          }, { inputmode: "decimal" }));
        } else {
          actor[field] = actor[field] || {};
          row.append(cellInput(`actors[${a}].${field}.${iss.id}`, actor[field][iss.id], (v) => {
            const x = num(v);
            if (x === undefined) delete actor[field][iss.id]; else actor[field][iss.id] = x;
          }, { inputmode: "decimal" }));
        }
      }
      table.append(row);
    });
  }

  const ft = $("#forums-table");
  ft.replaceChildren(el("tr", {}, ...["id", "name", "members", "agenda", "rule", "chair",
    "meetings"].map((h) => el("th", { text: h }))));
  const list = (s) => s.split(",").map((x) => x.trim()).filter(Boolean);
  (sc.forums || []).forEach((f, k) => {
    const rules = ["unanimity", "consensus", "majority", "qualified_majority", "bilateral", "consultation"];
    const sel = el("select", { "data-path": `forums[${k}].rule` },
      ...rules.map((r) => el("option", { value: r, text: r, selected: r === f.rule ? "" : null })));
    sel.addEventListener("change", () => { f.rule = sel.value; edited(); });
    ft.append(el("tr", {}, el("td", { text: f.id }),
      cellInput(`forums[${k}].name`, f.name, (v) => { f.name = v; }),
      cellInput(`forums[${k}].members`, (f.members || []).join(", "), (v) => { f.members = list(v); }),
      cellInput(`forums[${k}].agenda`, (f.agenda || []).join(", "), (v) => { f.agenda = list(v); }),
      el("td", { "data-cell": `forums[${k}].rule` }, sel),
      cellInput(`forums[${k}].chair`, f.chair, (v) => { if (v.trim()) f.chair = v.trim(); else delete f.chair; }),
      el("td", { text: (f.meetings || []).map((m) => `${m.date} ${m.name || ""} (${m.status})`).join("; ") })));
  });

  const ct = $("#calendar-table");
  ct.replaceChildren(el("tr", {}, ...["id", "date", "kind", "description", "actors"]
    .map((h) => el("th", { text: h }))));
  (sc.calendar || []).forEach((e, k) => {
    ct.append(el("tr", {}, el("td", { text: e.id }),
      cellInput(`calendar[${k}].date`, e.date, (v) => { if (v.trim()) e.date = v.trim(); else delete e.date; }),
      cellInput(`calendar[${k}].kind`, e.kind, (v) => { e.kind = v; }),
      cellInput(`calendar[${k}].description`, e.description, (v) => { e.description = v; }),
      cellInput(`calendar[${k}].actors`, (e.actors || []).join(", "), (v) => { e.actors = list(v); })));
  });
  markProblems();
}

function removeButton(label, onclick) {
  const b = el("button", { class: "remove", title: label, "aria-label": label, text: "×" });
  b.addEventListener("click", () => { onclick(); edited(); renderEditor(); });
  return b;
}

const without = (list, id) => (list || []).filter((x) => x !== id);

function dropParams(sc, id) {
  // event parameters that name the removed actor or issue (giver, receiver, issue, ...)
  for (const e of sc.calendar || []) {
    for (const [k, v] of Object.entries(e.params || {})) {
      if (v === id) delete e.params[k];
      else if (Array.isArray(v)) e.params[k] = without(v, id);
    }
  }
}

function removeIssue(sc, id) {
  sc.issues = sc.issues.filter((i) => i.id !== id);
  for (const a of sc.actors) {
    for (const f of ["position", "salience"]) if (a[f]) delete a[f][id];
    if (a.capability !== null && typeof a.capability === "object") delete a.capability[id];
  }
  for (const f of sc.forums || []) f.agenda = without(f.agenda, id);
  dropParams(sc, id);
  if (sc.uncertainty && sc.uncertainty.cells) {
    sc.uncertainty.cells = sc.uncertainty.cells.filter((c) => c.issue !== id);
  }
}

function removeActor(sc, id) {
  sc.actors = sc.actors.filter((a) => a.id !== id);
  for (const f of sc.forums || []) {
    f.members = without(f.members, id);
    if (f.chair === id) delete f.chair;
  }
  for (const e of sc.calendar || []) e.actors = without(e.actors, id);
  dropParams(sc, id);
  const rel = sc.relations || {};
  rel.trust = (rel.trust || []).filter((t) => t.a !== id && t.b !== id);
  for (const al of rel.alliances || []) al.members = without(al.members, id);
  if (sc.uncertainty && sc.uncertainty.cells) {
    sc.uncertainty.cells = sc.uncertainty.cells.filter((c) => c.actor !== id);
  }
}

function addFromInputs(kind, list, make) {
  const idBox = $(`#new-${kind}-id`), nameBox = $(`#new-${kind}-name`);
  const id = idBox.value.trim();
  if (!/^[A-Za-z0-9_.\-]+$/.test(id)) {
    flash(`Give the new ${kind} an id: letters, digits, _ . or -.`, true); return;
  }
  if (list.some((x) => x.id === id)) { flash(`There is already an ${kind} '${id}'.`, true); return; }
  list.push(make(id, nameBox.value.trim() || id));
  idBox.value = ""; nameBox.value = "";
  edited();
  renderEditor();
}

function addIssue() {
  addFromInputs("issue", state.current.data.issues, (id, name) => ({ id, name }));
}

function addActor() {
  addFromInputs("actor", state.current.data.actors,
    (id, name) => ({ id, name, kind: "state", capability: 1, position: {}, salience: {} }));
}

function edited() {
  state.dirty = true;
  const badge = $("#validity");
  badge.textContent = "checking…";
  badge.className = "badge";
  updateCurrentLabel();
  clearTimeout(edited.timer);
  edited.timer = setTimeout(validateCurrent, 250);
}

async function validateCurrent() {
  if (!state.current) return;
  try {
    const res = await api("POST", "/api/scenarios/validate", state.current.data);
    state.problems = res.problems;
  } catch (e) {
    state.problems = e.problems.length ? e.problems : [{ path: "", message: e.message }];
  }
  markProblems();
  return state.problems.length === 0;
}

function markProblems() {
  const badge = $("#validity");
  for (const td of document.querySelectorAll("td.invalid")) td.classList.remove("invalid");
  for (const m of document.querySelectorAll(".cell-msg")) m.remove();
  const loose = [];
  for (const p of state.problems) {
    // the cell at fault, or the nearest enclosing field that has a cell
    let path = p.path, td = null;
    while (path && !(td = document.querySelector(`td[data-cell="${CSS.escape(path)}"]`))) {
      const cut = Math.max(path.lastIndexOf("."), path.lastIndexOf("["));
      path = cut > 0 ? path.slice(0, cut) : "";
    }
    if (td) {
      td.classList.add("invalid");
      td.append(el("div", { class: "cell-msg", text: p.message }));
    } else loose.push(p);
  }
  const box = $("#editor-problems");
  if (loose.length) showProblems(box, "Problems not tied to a cell:", loose);
  else box.hidden = true;
  const n = state.problems.length;
  badge.textContent = n ? `${n} problem${n > 1 ? "s" : ""}` : "valid";
  badge.className = n ? "badge bad" : "badge ok";
}

async function save() {
  const c = state.current;
  if (!c) return;
  try {
    if (c.origin === "shipped") {
      const s = await api("POST", "/api/scenarios", { scenario: c.data, filename: c.filename });
      Object.assign(c, { id: s.id, origin: "user" });
      flash(`Saved as your copy (${s.id}).`);
    } else {
      await api("PUT", `/api/scenarios/${c.id}`, c.data);
      flash("Saved.");
    }
    state.dirty = false;
    state.problems = [];
    updateCurrentLabel();
    renderEditor();
  } catch (e) {
    state.problems = e.problems.length ? e.problems : [{ path: "", message: e.message }];
    markProblems();
    flash(e.message, true);
  }
}

// ---------------------------------------------------------------- run & compare
function capabilityCodings(sc) {
  const names = ["default", "equal"];
  for (const a of sc.actors) for (const n of Object.keys(a.capabilities || {})) {
    if (!names.includes(n)) names.push(n);
  }
  return names;
}

function renderCompare() {
  const c = state.current;
  $("#compare-empty").hidden = !!c;
  $("#compare-body").hidden = !c;
  if (!c) return;
  const sel = $("#capability");
  const keep = sel.value;
  sel.replaceChildren(...capabilityCodings(c.data).map((n) => el("option", { value: n, text: n })));
  if (keep) sel.value = keep;
  const box = $("#model-choices");
  if (!box.childElementCount && state.info) {
    for (const m of state.info.models) {
      box.append(el("label", { title: m.summary }, el("input", { type: "checkbox", value: m.name,
        checked: "" }), ` ${m.name}`));
    }
  }
  if (state.job && state.job.status === "done") showResults(state.job);
}

// ---------------------------------------------------------------- jobs
// Each page runs one kind of job: its state key, its controls and what it says.
const JOB_PAGES = {
  job: { run: "#run-btn", cancel: "#cancel-btn", bar: "#progress", errors: "#run-errors",
         counted: true, failed: "the run failed", cancelled: "Run cancelled.", show: showResults },
  simJob: { run: "#sim-run-btn", cancel: "#sim-cancel-btn", bar: "#sim-progress",
            errors: "#sim-errors", counted: false, failed: "the simulation failed",
            cancelled: "Simulation cancelled.", show: showSimulation },
  uncJob: { run: "#unc-run-btn", cancel: "#unc-cancel-btn", bar: "#unc-progress",
            errors: "#unc-errors", counted: false, failed: "the run failed",
            cancelled: "Monte Carlo run cancelled.", show: showUncertainty },
  wiJob: { run: "#wi-run-btn", cancel: "#wi-cancel-btn", bar: "#wi-progress", errors: "#wi-errors",
           counted: false, failed: "the comparison failed", cancelled: "Comparison cancelled.",
           show: showComparison },
  btJob: { run: "#bt-run-btn", cancel: "#bt-cancel-btn", bar: "#bt-progress", errors: "#bt-errors",
           counted: true, failed: "the backtest failed", cancelled: "Backtest cancelled.",
           show: (s) => showBacktest(s.result) },
};

// POST the job; on refusal show the problems, else lock the page's Run button and poll.
async function startJob(key, url, body) {
  const page = JOB_PAGES[key];
  const bar = $(page.bar);  // the last job's "done" would otherwise show until the first poll
  $(".bar", bar).style.width = "0%";
  $(".label", bar).textContent = "starting…";
  try {
    state[key] = await api("POST", url, body);
  } catch (e) {
    bar.hidden = true;  // refused: no job runs
    showProblems($(page.errors), e.message, e.problems);
    return false;
  }
  $(page.run).disabled = true;
  $(page.cancel).hidden = false;
  pollJob(key);
  return true;
}

async function pollJob(key) {
  const page = JOB_PAGES[key];
  const bar = $(page.bar);
  bar.hidden = false;
  const s = await api("GET", `/api/jobs/${state[key].id}`);
  state[key] = s;
  const { done, total, step } = s.progress;
  $(".bar", bar).style.width = `${total ? (100 * done) / total : 0}%`;
  $(".label", bar).textContent = s.status !== "running" ? s.status
    : page.counted ? `${done}/${total} · ${step}` : `${step}…`;
  if (s.status === "queued" || s.status === "running") {
    setTimeout(() => pollJob(key), 150);
    return;
  }
  $(page.run).disabled = false;
  $(page.cancel).hidden = true;
  if (s.status === "done") page.show(s);
  else if (s.status === "failed") showProblems($(page.errors), s.error || page.failed, []);
  else flash(page.cancelled);
}

async function cancelJob(key) {
  if (state[key]) await api("POST", `/api/jobs/${state[key].id}/cancel`);
}

async function run() {
  const c = state.current;
  const errs = $("#run-errors");
  errs.hidden = true;
  const models = [...document.querySelectorAll("#model-choices input:checked")].map((i) => i.value);
  const body = { scenario: c.data, capability: $("#capability").value || "default",
                 seed: Number($("#seed").value) || 0, models: models.length ? models : null };
  if (await startJob("job", "/api/runs", body)) $("#report-link").hidden = true;
}

function fmt(x) { return x === null || x === undefined ? "—" : x.toFixed(1); }

async function showResults(job) {
  const result = job.result;
  const models = result.models.filter((m) => m.result);
  const table = $("#forecast-table");
  // beside the point forecasts, the prediction intervals of the models that give them
  const spans = Object.entries(result.intervals || {});
  table.replaceChildren(el("tr", {}, el("th", { text: "issue" }),
    ...models.map((m) => el("th", { class: "num", text: m.name, title: m.summary })),
    ...spans.map(([name, byIssue]) => el("th", { class: "span", "data-interval": name,
      text: `${name} ${Math.round(100 * Object.values(byIssue)[0].level)}% interval` }))));
  for (const iss of result.scenario.issues) {
    table.append(el("tr", { "data-issue": iss.id }, el("td", { text: `${iss.id} ${iss.name || ""}` }),
      ...models.map((m) => el("td", { class: "num", "data-model": m.name,
        text: fmt(result.forecasts[iss.id][m.name]) })),
      ...spans.map(([name, byIssue]) => {
        const span = byIssue[iss.id];
        return el("td", { class: "num", "data-interval": name,
          text: span ? `${fmt(span.low)}–${fmt(span.high)}` : "—" });
      })));
  }
  $("#model-errors").replaceChildren(...result.models.filter((m) => m.error).map((m) =>
    el("div", { class: "model-error", text: `${m.name} did not run: ${m.error}` })),
    ...(result.notes || []).map((text) => el("div", { class: "model-note", text: `note: ${text}` })));
  $("#run-recorded").hidden = !result.recorded;
  $("#run-recorded").textContent = recordedNote(result.recorded, "run");
  const charts = await api("GET", `/api/jobs/${job.id}/charts`);
  const holder = $("#issue-charts");
  holder.replaceChildren();
  for (const ch of charts) {
    const block = el("div", { class: "issue-block", "data-issue": ch.issue });
    const fc = el("div", { class: "forecast-svg" });
    fc.innerHTML = ch.forecast;  // SVG drawn and escaped by the server
    block.append(fc);
    const names = Object.keys(ch.trajectories);
    if (names.length) {
      const traj = el("div", { class: "trajectory-svg" });
      const pick = el("select", {}, ...names.map((n) => el("option", { value: n, text: n })));
      const show = () => { traj.innerHTML = ch.trajectories[pick.value]; };
      pick.addEventListener("change", show);
      block.append(el("div", { class: "traj-head" }, "Trajectory by round for model ", pick), traj);
      show();
    } else {
      block.append(el("div", { class: "hint", text: "No model that ran bargains over rounds on this issue." }));
    }
    holder.append(block);
  }
  $("#results").hidden = false;
  const link = $("#report-link");
  link.href = `/api/jobs/${job.id}/report`;
  link.setAttribute("download", "");
  link.hidden = false;
}

// ---------------------------------------------------------------- simulation
function renderSimulation() {
  const part = state.info ? state.info.simulation : null;
  const panel = $("#simulation-panel");
  const c = state.current;
  const missing = part && !part.available;
  if (missing) panel.textContent = "The dynamic simulation is not available in this installation.";
  else if (!c) panel.replaceChildren("Open a scenario from the ", el("a", { href: "#/library", text: "library" }), " first.");
  panel.hidden = !missing && !!c;
  $("#sim-body").hidden = missing || !c;
  if (!missing && c && !$("#sim-until").value && c.data.simulation && c.data.simulation.end) {
    $("#sim-until").value = c.data.simulation.end;
  }
  if (!missing && c) loadInterventions().catch((e) => flash(e.message, true));
}

async function runSimulation() {
  const errs = $("#sim-errors");
  errs.hidden = true;
  const body = { scenario: state.current.data, seed: Number($("#sim-seed").value) || 0,
                 until: $("#sim-until").value || null };
  await startJob("simJob", "/api/simulations", body);
}

async function showSimulation(job) {
  const h = job.result;
  const charts = await api("GET", `/api/jobs/${job.id}/simulation`);
  const counts = {};
  for (const e of h.events) if (e.outcome) counts[e.outcome] = (counts[e.outcome] || 0) + 1;
  const said = Object.entries(counts).map(([o, n]) => `${n} ${o.replace("_", " ")}`).join(", ");
  $("#sim-summary").textContent = `${h.scenario}: ${h.start} to ${h.until}, seed ${job.result.seed}; ` +
    `${h.events.length} dated steps; meetings: ${said || "none"}.`;
  $("#sim-recorded").hidden = !h.recorded;
  $("#sim-recorded").textContent = recordedNote(h.recorded, "run");
  $("#sim-timeline").innerHTML = charts.timeline;  // SVG drawn and escaped by the server
  $("#sim-support").innerHTML = charts.support;
  $("#sim-trust").innerHTML = charts.trust;
  $("#sim-legend").innerHTML = charts.legend;
  const log = $("#sim-log");
  log.replaceChildren(...h.events.map((e) => el("li", { "data-date": e.date },
    el("span", { class: `tag ${e.outcome || ""}`, text: (e.outcome || e.kind).replace("_", " ") }),
    e.narrative)));
  const slider = $("#sim-date");
  const nets = charts.networks;
  slider.max = String(Math.max(nets.length - 1, 0));
  const show = () => {
    const n = nets[Number(slider.value)];
    if (!n) { $("#sim-network").textContent = "No dated step in this period."; return; }
    $("#sim-network").innerHTML = n.svg;
    $("#sim-date-label").textContent = n.date;
    for (const li of log.children) li.classList.toggle("current", li.dataset.date === n.date);
  };
  slider.oninput = show;
  slider.value = slider.max;
  show();
  $("#sim-results").hidden = false;
}

// ---------------------------------------------------------------- what-if
// The shipped interventions, once; choosing one puts its text in the box to edit.
async function loadInterventions() {
  if (state.interventions) return;
  state.interventions = await api("GET", "/api/interventions");
  $("#wi-shipped").replaceChildren(el("option", { value: "", text: "your own (edit below)" }),
    ...state.interventions.map((iv) => el("option", { value: iv.id, text: iv.name })));
}

function pickIntervention() {
  const iv = (state.interventions || []).find((x) => x.id === $("#wi-shipped").value);
  if (iv) $("#wi-text").value = iv.text;
}

async function runComparison() {
  $("#wi-errors").hidden = true;
  $("#wi-results").hidden = true;  // not the last comparison's tables under a new one's errors
  const body = { scenario: state.current.data, interventions: [$("#wi-text").value],
                 runs: Number($("#wi-runs").value) || 100, seed: Number($("#sim-seed").value) || 0,
                 until: $("#sim-until").value || null };
  await startJob("wiJob", "/api/comparisons", body);
}

const signed = (x, digits) => `${x >= 0 ? "+" : ""}${x.toFixed(digits)}`;

// the difference and its 90 % interval, as `detente compare` prints it
function interval(row, digits) {
  const ci = row.ci90;
  return signed(row.diff, digits) + (ci ? ` [${signed(ci[0], digits)}, ${signed(ci[1], digits)}]` : "");
}

// per intervention: its notes, the tables of rows worth showing and what they leave out
function showComparison(job) {
  const { comparison: c, tables } = job.result;
  $("#wi-summary").textContent = `${c.scenario}: ${c.start} to ${c.until}, ${c.runs} run` +
    `${c.runs === 1 ? "" : "s"} paired by seed (seed ${c.seed}). Differences are intervention ` +
    "minus baseline: the mean over seeds [its 90 % confidence interval]; an interval that " +
    "holds 0 is no effect these runs can tell (more runs tell smaller effects).";
  $("#wi-blocks").replaceChildren(...c.interventions.map((iv, k) => {
    const block = el("div", { class: "issue-block", "data-intervention": iv.name },
      el("h2", { text: iv.name }));
    if (iv.description) block.append(el("p", { class: "hint", text: iv.description }));
    for (const note of iv.notes) block.append(el("p", { class: "problems", text: note }));
    for (const t of tables[k].tables) {
      const table = el("table", { class: "grid", "data-table": t.title });
      gridTable(table, [...t.keys, "baseline", "with", "difference [90% CI]"], t.rows.map((r) => [
        ...t.keys.map((key) => String(r[key])), r.baseline.toFixed(t.digits),
        r.intervention.toFixed(t.digits), interval(r, t.digits)]), t.keys.length);
      block.append(el("h3", { text: t.title }), table);
    }
    for (const u of iv.unmatched_meetings) {
      block.append(el("p", { class: "hint", text: `${u.date} ${u.label}: only in the ${u.only_in}` }));
    }
    if (tables[k].left_out) block.append(el("p", { class: "hint", text: tables[k].left_out }));
    return block;
  }));
  $("#wi-results").hidden = false;
}

// ---------------------------------------------------------------- uncertainty
function renderUncertainty() {
  const part = state.info ? state.info.uncertainty : null;
  const panel = $("#uncertainty-panel");
  const c = state.current;
  const missing = part && !part.available;
  if (missing) panel.textContent = "Monte Carlo uncertainty is not available in this installation.";
  else if (!c) panel.replaceChildren("Open a scenario from the ", el("a", { href: "#/library", text: "library" }), " first.");
  panel.hidden = !missing && !!c;
  $("#unc-body").hidden = missing || !c;
  if (missing || !c) return;
  const sel = $("#unc-sens-model");
  if (!sel.childElementCount && state.info) {
    sel.append(el("option", { value: "", text: "(none)" }));
    for (const m of state.info.models) sel.append(el("option", { value: m.name, text: m.name }));
    sel.value = "compromise";
  }
  checkBlock();
}

async function checkBlock() {
  const stateBadge = $("#unc-block-state");
  const errs = $("#unc-block-errors");
  try {
    const r = await api("POST", "/api/uncertainty/check", { scenario: state.current.data });
    stateBadge.textContent = r.own ? "the scenario's own" : "default widths";
    stateBadge.className = "badge ok";
    $("#unc-block-note").textContent = r.note || "Inputs are drawn from the scenario's uncertainty block, shown below.";
    $("#unc-block-json").value = JSON.stringify(r.spec, null, 1);
    errs.hidden = true;
    return true;
  } catch (e) {
    stateBadge.textContent = "invalid";
    stateBadge.className = "badge bad";
    $("#unc-block-note").textContent = "Not applied: fix the problems below; the runs use the " +
      "scenario's previous block until then.";
    showProblems(errs, e.message, e.problems);
    $("#unc-block-state").closest("details").open = true;
    return false;
  }
}

async function applyBlock(remove) {
  let block = null;
  if (!remove) {
    try {
      block = JSON.parse($("#unc-block-json").value);
    } catch (e) {
      showProblems($("#unc-block-errors"), `the uncertainty block is not valid JSON: ${e.message}`, []);
      return;
    }
  }
  const before = state.current.data.uncertainty;
  if (block === null) delete state.current.data.uncertainty;
  else state.current.data.uncertainty = block;
  const text = $("#unc-block-json").value;
  if (await checkBlock()) {
    state.dirty = true;
    updateCurrentLabel();
    flash(remove ? "Uncertainty block removed: default widths apply." : "Uncertainty block applied.");
  } else {
    // keep the user's text to fix, and the scenario as it was
    if (before === undefined) delete state.current.data.uncertainty;
    else state.current.data.uncertainty = before;
    $("#unc-block-json").value = text;
  }
}

async function runUncertainty() {
  const errs = $("#unc-errors");
  errs.hidden = true;
  const ticked = [...document.querySelectorAll("#model-choices input:checked")].map((i) => i.value);
  const body = { scenario: state.current.data, draws: Number($("#unc-draws").value) || 0,
                 seed: Number($("#unc-seed").value) || 0,
                 sensitivity_model: $("#unc-sens-model").value || null,
                 sobol_samples: Number($("#unc-sobol").value) || 0,
                 simulation: $("#unc-simulate").checked,
                 models: ticked.length ? ticked : null };
  await startJob("uncJob", "/api/uncertainty", body);
}

async function showUncertainty(job) {
  const d = job.result;
  const all = await api("GET", `/api/jobs/${job.id}/uncertainty`);
  const charts = all.issues;
  const sim = d.simulation;
  $("#unc-sim-block").hidden = !sim;
  if (sim && sim.error) {
    $("#unc-sim-summary").textContent = `The simulation over the draws did not run: ${sim.error}`;
    $("#unc-outcomes").replaceChildren();
  } else if (sim) {
    $("#unc-sim-summary").textContent = `${sim.draws} simulated histories from ${sim.start} to ` +
      `${sim.until}, seed ${sim.seed}: the share of draws in which each meeting ends in each outcome.`;
    $("#unc-outcomes").innerHTML = all.outcomes;  // SVG drawn and escaped by the server
  }
  const ok = d.distributions.filter((x) => !x.error);
  $("#unc-summary").textContent = `${d.draws} draws per model, seed ${d.seed}. ` +
    (d.own_spec ? "Inputs drawn from the scenario's uncertainty block." : d.spec_note);
  $("#unc-recorded").hidden = !d.recorded;
  $("#unc-recorded").textContent = recordedNote(d.recorded, "Monte Carlo run");
  const table = $("#unc-table");
  table.replaceChildren(el("thead", {}, el("tr", {}, el("th", { text: "issue" }),
    ...ok.map((x) => el("th", { class: "num", text: x.model })))));
  const tbody = el("tbody");
  for (const [k, issue] of state.current.data.issues.entries()) {
    tbody.append(el("tr", {}, el("td", { text: issue.id }), ...ok.map((x) => {
      const e = x.issues[k];
      return el("td", { class: "num", text: e.median === null ? "—" :
        `${fmt(e.q50)} [${fmt(e.q10)}–${fmt(e.q90)}]` });
    })));
  }
  table.append(tbody);
  $("#unc-model-errors").replaceChildren(...d.distributions.filter((x) => x.error).map(
    (x) => el("p", { class: "error", text: `${x.model} did not run on the draws: ${x.error}` })));
  // SVG drawn and escaped by the server
  $("#unc-dists").innerHTML = charts.map((c) => `<div class="issue-block">${c.distribution}</div>`).join("");
  const sens = d.sensitivity;
  const sel = $("#unc-issue");
  if (!sens) {
    $("#unc-sens-summary").textContent = "No sensitivity model chosen.";
  } else if (sens.error) {
    $("#unc-sens-summary").textContent = `The sensitivity of ${sens.model} did not run: ${sens.error}`;
  } else {
    $("#unc-sens-summary").textContent = `${sens.model}: ${sens.inputs.length} uncertain inputs, ` +
      `${sens.evaluations} model runs (${sens.sobol_skipped ? "tornado only" : `Sobol N = ${sens.sobol_samples}`}). ` +
      "Bars: each input alone " +
      "at its 10 % and 90 % quantile. S1/ST: first-order and total Sobol indices ± 95 % interval." +
      (sens.sobol_skipped ? ` No Sobol indices: ${sens.sobol_skipped}` : "");
  }
  sel.replaceChildren(...charts.map((c) => el("option", { value: c.issue, text: c.issue })));
  const showIssue = () => {
    const c = charts.find((x) => x.issue === sel.value);
    $("#unc-tornado").innerHTML = c && c.tornado ? c.tornado : "";
    const st = $("#unc-sobol-table");
    st.replaceChildren();
    if (!sens || sens.error) return;
    const sob = Object.fromEntries(sens.sobol.filter((x) => x.issue === sel.value).map((x) => [x.input, x]));
    const rows = sens.tornado.filter((x) => x.issue === sel.value).sort((a, b) => b.swing - a.swing).slice(0, 12);
    st.append(el("thead", {}, el("tr", {}, ...["input", "at q10", "at q90", "swing", "S1", "ST"].map(
      (h, i) => el("th", { class: i ? "num" : "", text: h })))));
    const f3 = (x) => x.toFixed(3);
    const body = el("tbody");
    for (const r of rows) {
      const s = sob[r.input];
      body.append(el("tr", {}, el("td", { text: r.input }), el("td", { class: "num", text: r.low.toFixed(2) }),
        el("td", { class: "num", text: r.high.toFixed(2) }), el("td", { class: "num", text: f3(r.swing) }),
        el("td", { class: "num", text: s ? `${f3(s.S1)} ± ${f3(s.S1_conf)}` : "—" }),
        el("td", { class: "num", text: s ? `${f3(s.ST)} ± ${f3(s.ST_conf)}` : "—" })));
    }
    st.append(body);
  };
  sel.onchange = showIssue;
  showIssue();
  $("#unc-results").hidden = false;
}

// ---------------------------------------------------------------- backtest
const BT_DEFAULT_MODELS = ["compromise", "best"];

function renderBacktest() {
  const c = state.current;
  $("#bt-current").textContent = c ? `(${c.data.name || c.filename})` : "(none open)";
  const box = $("#bt-models");
  if (!box.childElementCount && state.info) {
    for (const m of state.info.models) {
      box.append(el("label", { title: m.summary }, el("input", { type: "checkbox", value: m.name,
        checked: BT_DEFAULT_MODELS.includes(m.name) ? "" : null }), ` ${m.name}`));
    }
  }
  const presets = $("#bt-preset");
  if (!presets.childElementCount && state.info) {
    // the choices of `detente backtest --preset`: none, all, or a name some model has
    const named = [...new Set(state.info.models.flatMap((m) => m.presets))]
      .filter((p) => p !== "default").sort();
    presets.append(el("option", { value: "", text: "each model's default" }),
      el("option", { value: "all", text: "all presets of each model" }),
      ...named.map((p) => el("option", { value: p, text: p })));
  }
}

// as the CLI's tables name a run: the model, with its preset when that is not the default
function runLabel(m) {
  const info = (state.info?.models || []).find((x) => x.name === m.model);
  const byDefault = !m.preset || m.preset === (info ? info.default_preset : "default");
  return byDefault ? m.model : `${m.model} (${m.preset})`;
}

async function runBacktest() {
  const errs = $("#bt-errors");
  errs.hidden = true;
  const models = [...document.querySelectorAll("#bt-models input:checked")].map((i) => i.value);
  const folds = Number($("#bt-cv").value) || 0;
  const body = { models: models.length ? models : null, seed: Number($("#bt-seed").value) || 0,
                 capability: $("#bt-capability").value || "default", cv: folds > 0 ? folds : null,
                 preset: $("#bt-preset").value || null };
  if ($("input[name=bt-source]:checked").value === "current") {
    if (!state.current) { showProblems(errs, "Open a scenario from the library first.", []); return; }
    body.scenario = state.current.data;
  } else {
    const files = [...$("#bt-file").files];
    if (!files.length) { showProblems(errs, "Choose a data file first.", []); return; }
    if (files.length === 1) {
      body.data = await files[0].text();
      body.filename = files[0].name;
    } else {  // each file's figures, then the pool's (and the pool cross-validated)
      body.files = await Promise.all(files.map(async (f) => ({ data: await f.text(), filename: f.name })));
      if (body.cv) body.cv_by = $("#bt-cv-by").value;
    }
  }
  await startJob("btJob", "/api/backtest", body);
}

const pct = (x) => (x === null || x === undefined ? "—" : `${(100 * x).toFixed(1)} %`);
const two = (x) => (x === null || x === undefined ? "—" : x.toFixed(2));

// a table of text cells: the first `names` columns name the row, the others are figures
function gridTable(table, head, rows, names = 1) {
  const cls = (k) => (k < names ? "" : "num");
  table.replaceChildren(el("tr", {}, ...head.map((h, k) => el("th", { class: cls(k), text: h }))),
    ...rows.map((r) => el("tr", { "data-model": r[0] },
      ...r.map((v, k) => el("td", { class: cls(k), text: v })))));
}

const BT_HEAD = ["model", "issues", "MAE", "RMSE", "median AE", "beats compromise", "80 % coverage"];

// one row per run: the columns of `detente backtest`'s table
function errorRows(models) {
  return models.map((m) => [runLabel(m), String(m.n_issues), two(m.mae), two(m.rmse), two(m.median_ae),
    m.model === "compromise" ? "—" : pct(m.beats_compromise), pct(m.interval_coverage)]);
}

// what a file's runs say besides the figures: model notes and the issues left out
function runNotes(models, prefix) {
  const notes = [];
  for (const m of models) for (const t of m.notes || []) notes.push(`${prefix}${runLabel(m)}: ${t}`);
  const skipped = models.length ? Object.entries(models[0].skipped || {}) : [];
  if (skipped.length) notes.push(prefix + "left out: " + skipped.map(([why, k]) => `${k} issue${k === 1 ? "" : "s"} with ${why}`).join(", "));
  return notes;
}

// where `detente serve --store FILE` recorded a job's runs ("" when it names no store)
function recordedNote(rec, what) {
  if (!rec) return "";
  if (rec.error) return `not recorded in ${rec.store}: ${rec.error}`;
  return `recorded ${rec.runs.length} ${what}${rec.runs.length === 1 ? "" : "s"} in ${rec.store}`;
}

function showBacktest(result) {
  const several = Boolean(result.files);
  const models = several ? result.pooled.models : result.models;
  const n = models.length ? models[0].n_issues : 0;
  const issues = `${n} issue${n === 1 ? "" : "s"} with a known outcome`;
  $("#bt-summary").textContent = several
    ? `${result.files.length} files pooled: ${issues}, errors in ${result.pooled.scale}, capability ${result.capability}.`
    : `${result.source}: ${issues}, capability ${result.capability}.`;
  $("#bt-table-title").textContent = several ? `Pooled over ${result.files.length} files`
    : "Errors on issues with known outcomes";
  gridTable($("#bt-table"), BT_HEAD, errorRows(models));
  const files = several ? result.files : [];
  const notes = several ? files.flatMap((f) => runNotes(f.models, `${f.source}: `)) : runNotes(models, "");
  if (result.recorded) notes.push(recordedNote(result.recorded, "backtest run"));
  notes.push(result.beats_note);  // what "beats compromise" counts, as the CLI's tables say
  $("#bt-notes").replaceChildren(...notes.map((t) => el("li", { text: t })));
  $("#bt-files-block").hidden = !several;
  $("#bt-files").replaceChildren(...files.map((f) => {
    const table = el("table", { class: "grid", "data-file": f.source });
    gridTable(table, BT_HEAD, errorRows(f.models));
    return el("div", {}, el("h3", { text: f.source }), table);
  }));
  const cv = result.cross_validation;
  $("#bt-cv-block").hidden = !cv;
  if (cv) {
    const pooled = cv.n_files > 1 ? ` over ${cv.n_files} files pooled (errors in ${cv.scale})` : "";
    $("#bt-cv-summary").textContent = `${cv.folds} folds grouped by ${cv.grouped_by}, seed ` +
      `${cv.seed}${pooled}: ${cv.n_issues} issues in ${cv.n_proposals} proposals.`;
    const names = cv.n_files > 1 ? ` (${result.files.map((f) => f.source).join(" / ")})` : "";
    const byFile = (m) => (names ? [(m.cv_mae_by_file || []).map(two).join(" / "),
      (m.coverage_by_file || []).map(pct).join(" / ")] : []);
    gridTable($("#bt-cv-table"), ["model", "CV MAE", ...(names ? [`CV MAE by file${names}`,
      `80 % coverage by file${names}`] : []), "CV RMSE", "80 % coverage", "mean width",
    "beats compromise"], cv.models.map((m) => [runLabel(m), two(m.cv_mae), ...byFile(m),
      two(m.cv_rmse), pct(m.coverage), two(m.mean_interval_width), pct(m.beats_compromise)]));
  }
  $("#bt-results").hidden = false;
}

// ---------------------------------------------------------------- start
async function start() {
  $("#upload-form").addEventListener("submit", upload);
  $("#save-btn").addEventListener("click", save);
  $("#add-issue-btn").addEventListener("click", addIssue);
  $("#add-actor-btn").addEventListener("click", addActor);
  $("#run-btn").addEventListener("click", run);
  $("#cancel-btn").addEventListener("click", () => cancelJob("job"));
  $("#sim-run-btn").addEventListener("click", runSimulation);
  $("#sim-cancel-btn").addEventListener("click", () => cancelJob("simJob"));
  $("#wi-run-btn").addEventListener("click", runComparison);
  $("#wi-cancel-btn").addEventListener("click", () => cancelJob("wiJob"));
  $("#wi-shipped").addEventListener("change", pickIntervention);
  $("#unc-run-btn").addEventListener("click", runUncertainty);
  $("#unc-cancel-btn").addEventListener("click", () => cancelJob("uncJob"));
  $("#unc-apply-btn").addEventListener("click", () => applyBlock(false));
  $("#unc-clear-btn").addEventListener("click", () => applyBlock(true));
  $("#bt-run-btn").addEventListener("click", runBacktest);
  // folds by whole file only make sense with several files
  $("#bt-file").addEventListener("change", () => { $("#bt-cv-by-label").hidden = $("#bt-file").files.length < 2; });
  $("#bt-cancel-btn").addEventListener("click", () => cancelJob("btJob"));
  window.addEventListener("hashchange", route);
  try {
    state.info = await api("GET", "/api/info");
    const mib = state.info.max_upload_bytes / 1048576;
    $("#upload-limit").textContent = mib >= 1 ? `${+mib.toFixed(1)} MiB` : `${state.info.max_upload_bytes} bytes`;
  } catch (e) { flash(e.message, true); }
  route();
}

start();
