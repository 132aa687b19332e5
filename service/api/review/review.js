// The review page: the report's source beside the template's three tables; every cell linked to its span.
"use strict";

const COLS = ["natural_person", "commercial", "research", "nonprofit", "legal_service", "other_org", "total"];
const COL_LABELS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"];
const ROWS_COMMON = [
  ["new", "一、本年新收政府信息公开申请数量"], ["carried_over", "二、上年结转政府信息公开申请数量"],
  ["granted", "（一）予以公开"], ["partial", "（二）部分公开"], ["denied_secret", "（三）1.属于国家秘密"],
  ["denied_law", "2.其他法律行政法规禁止公开"], ["denied_safety", "3.危及“三安全一稳定”"],
  ["denied_third_party", "4.保护第三方合法权益"], ["denied_internal", "5.属于三类内部事务信息"],
  ["denied_process", "6.属于四类过程性信息"], ["denied_case_file", "7.属于行政执法案卷"],
  ["denied_query", "8.属于行政查询事项"], ["unable_not_held", "（四）1.本机关不掌握相关政府信息"],
  ["unable_create", "2.没有现成信息需要另行制作"], ["unable_unclear", "3.补正后申请内容仍不明确"],
  ["rejected_petition", "（五）1.信访举报投诉类申请"], ["rejected_duplicate", "2.重复申请"],
  ["rejected_publication", "3.要求提供公开出版物"], ["rejected_excessive", "4.无正当理由大量反复申请"],
  ["rejected_confirm", "5.要求行政机关确认或重新出具已获取信息"],
];
const ROWS_OTHER_2019 = [["other", "（六）其他处理"]];
const ROWS_OTHER_2021 = [
  ["other_no_correction", "（六）1.申请人无正当理由逾期不补正"], ["other_unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用"],
  ["other_misc", "3.其他"],
];
const ROWS_END = [["total", "（七）总计"], ["carried_forward", "四、结转下年度继续办理"]];
const PROACTIVE = {
  "2021": [
    ["规章", "rules", [["issued", "本年制发件数"], ["repealed", "本年废止件数"], ["in_force", "现行有效件数"]]],
    ["行政规范性文件", "normative_docs", [["issued", "本年制发件数"], ["repealed", "本年废止件数"], ["in_force", "现行有效件数"]]],
    ["行政许可", "licensing", [["decisions", "本年处理决定数量"]]],
    ["行政处罚", "penalty", [["decisions", "本年处理决定数量"]]],
    ["行政强制", "enforcement", [["decisions", "本年处理决定数量"]]],
    ["行政事业性收费", "fees", [["amount_wan", "本年收费金额（万元）"]]],
  ],
  "2019": [
    ["规章", "rules", [["made", "本年新制作数量"], ["published", "本年新公开数量"], ["total_published", "对外公开总数量"]]],
    ["规范性文件", "normative_docs", [["made", "本年新制作数量"], ["published", "本年新公开数量"], ["total_published", "对外公开总数量"]]],
    ["行政许可", "licensing", [["prev_count", "上一年项目数量"], ["change", "本年增/减"], ["decisions", "处理决定数量"]]],
    ["其他对外管理服务事项", "other_services", [["prev_count", "上一年项目数量"], ["change", "本年增/减"], ["decisions", "处理决定数量"]]],
    ["行政处罚", "penalty", [["prev_count", "上一年项目数量"], ["change", "本年增/减"], ["decisions", "处理决定数量"]]],
    ["行政强制", "enforcement", [["prev_count", "上一年项目数量"], ["change", "本年增/减"], ["decisions", "处理决定数量"]]],
    ["行政事业性收费", "fees", [["prev_count", "上一年项目数量"], ["change", "本年增/减"]]],
    ["政府集中采购", "procurement", [["projects", "采购项目数量"], ["amount_wan", "采购总金额（万元）"]]],
  ],
};
const GROUPS = [["reconsideration", "行政复议"], ["litigation_direct", "未经复议直接起诉"],
  ["litigation_after_reconsideration", "复议后起诉"]];
const OUTCOMES = [["upheld", "结果维持"], ["corrected", "结果纠正"], ["other", "其他结果"], ["pending", "尚未审结"], ["total", "总计"]];

const state = { result: null, fields: {}, edits: {}, name: "report", grid: [], marks: {} };
const $ = (id) => document.getElementById(id);

function fieldsOf(r) {
  const out = {};
  if (r.meta.organ) out["meta.organ"] = r.meta.organ;
  if (r.meta.year) out["meta.year"] = r.meta.year;
  for (const [k, v] of Object.entries(r.proactive)) out["proactive." + k] = v;
  for (const sec of ["requests", "review"]) {
    for (const [row, cols] of Object.entries(r[sec])) for (const [c, v] of Object.entries(cols)) out[`${sec}.${row}.${c}`] = v;
  }
  return out;
}

function flatMap() {
  const flat = { "meta.template": state.result.meta.template };
  for (const [k, v] of Object.entries(state.fields)) flat[k] = v.value;
  for (const [k, v] of Object.entries(state.edits)) {
    if (v === null) delete flat[k]; else flat[k] = v;
  }
  return Object.fromEntries(Object.keys(flat).sort().map((k) => [k, flat[k]]));
}

function renderSource(text) {
  const pre = $("source");
  pre.textContent = "";
  state.marks = {};
  const spans = Object.entries(state.fields).map(([key, fv]) => ({ key, ...fv.provenance }))
    .sort((a, b) => a.start - b.start || a.end - b.end);
  let pos = 0;
  const frag = document.createDocumentFragment();
  for (const s of spans) {
    if (s.start < pos) continue;  // overlapping spans: the first one is marked
    frag.append(text.slice(pos, s.start));
    const mark = document.createElement("mark");
    mark.textContent = text.slice(s.start, s.end);
    mark.dataset.key = s.key;
    mark.className = "m-" + s.method + (s.end === s.start ? " empty" : "");
    mark.title = s.key;
    frag.append(mark);
    state.marks[s.key] = mark;
    pos = s.end;
  }
  frag.append(text.slice(pos));
  pre.append(frag);
}

function reasonFor(key) {
  const f = state.result.findings.find((f) => f.cells.some((c) => key === c || key.startsWith(c + ".")));
  return f ? `${f.rule}: ${f.message}` : "报告未载明";
}

function cell(key) {
  const td = document.createElement("td");
  td.className = "cell";
  td.tabIndex = -1;
  td.dataset.key = key;
  paint(td);
  return td;
}

function paint(td) {
  const key = td.dataset.key;
  const fv = state.fields[key];
  const edited = Object.prototype.hasOwnProperty.call(state.edits, key);
  const value = edited ? state.edits[key] : fv ? fv.value : null;
  td.textContent = value === null || value === undefined ? "—" : String(value);
  td.className = "cell " + (edited ? "m-edited" : fv ? "m-" + fv.provenance.method : "m-null");
  td.title = fv ? `${key} · ${fv.provenance.method} · ${fv.provenance.note || ""}` : `${key} · ${reasonFor(key)}`;
}

function table(container, head, rows) {
  const t = document.createElement("table");
  const hr = t.insertRow();
  for (const h of head) { const th = document.createElement("th"); th.textContent = h; hr.append(th); }
  for (const [label, keys] of rows) {
    const tr = t.insertRow();
    const th = document.createElement("th"); th.textContent = label; tr.append(th);
    const gridRow = [];
    for (const key of keys) {
      if (key === null) { tr.insertCell(); continue; }
      const td = cell(key); tr.append(td); gridRow.push(td);
    }
    state.grid.push(gridRow);
  }
  container.replaceChildren(t);
}

function renderTables() {
  state.grid = [];
  const r = state.result;
  const template = r.meta.template === "2019" ? "2019" : "2021";
  $("meta").textContent = `机关：${r.meta.organ ? r.meta.organ.value : "—"}　年度：${r.meta.year ? r.meta.year.value : "—"}　模板：${r.meta.template}`;
  const items = PROACTIVE[template];
  const headers = ["信息内容", "", "", ""];
  table($("proactive"), headers, [
    ...items.map(([label, item, cols]) => [label + "（" + cols.map((c) => c[1]).join(" / ") + "）",
      [0, 1, 2].map((i) => (cols[i] ? `proactive.${item}.${cols[i][0]}` : null))]),
    ["主动公开信息总数", ["proactive.items_total", null, null]],
  ]);
  const others = r.requests.other || template === "2019" ? ROWS_OTHER_2019 : ROWS_OTHER_2021;
  const rows = [...ROWS_COMMON.slice(0, 2), ...ROWS_COMMON.slice(2), ...others, ...ROWS_END];
  table($("requests"), ["申请人情况", ...COL_LABELS], rows.map(([row, label]) => [label, COLS.map((c) => `requests.${row}.${c}`)]));
  table($("review-table"), ["", ...OUTCOMES.map((o) => o[1])],
    [...GROUPS.map(([g, label]) => [label, OUTCOMES.map(([o]) => `review.${g}.${o}`)]),
      ["行政诉讼合计", ["review.litigation.total", null, null, null, null]]]);
}

function renderFindings() {
  const list = $("findings");
  list.replaceChildren();
  $("finding-count").textContent = `(${state.result.findings.length})`;
  state.result.findings.forEach((f, i) => {
    const li = document.createElement("li");
    li.dataset.index = i;
    const rule = document.createElement("span"); rule.className = "rule"; rule.textContent = f.rule;
    li.append(rule, " ", f.message);
    li.addEventListener("click", () => showFinding(i, li));
    list.append(li);
  });
}

function showFinding(i, li) {
  const f = state.result.findings[i];
  document.querySelectorAll("#findings li.active").forEach((x) => x.classList.remove("active"));
  document.querySelectorAll("td.involved").forEach((x) => x.classList.remove("involved"));
  li.classList.add("active");
  const tds = [...document.querySelectorAll("td.cell")].filter((td) =>
    f.cells.some((c) => td.dataset.key === c || td.dataset.key.startsWith(c + ".")));
  tds.forEach((td) => td.classList.add("involved"));
  if (tds[0]) tds[0].scrollIntoView({ block: "nearest" });
}

function select(td, fromSource) {
  document.querySelectorAll("td.selected").forEach((x) => x.classList.remove("selected"));
  document.querySelectorAll("mark.active").forEach((x) => x.classList.remove("active"));
  td.classList.add("selected");
  td.focus({ preventScroll: fromSource });
  if (fromSource) td.scrollIntoView({ block: "nearest" });
  const mark = state.marks[td.dataset.key];
  if (mark) { mark.classList.add("active"); if (!fromSource) mark.scrollIntoView({ block: "center" }); }
}

function edit(td) {
  const key = td.dataset.key;
  const input = document.createElement("input");
  input.value = td.textContent === "—" ? "" : td.textContent;
  td.replaceChildren(input);
  input.focus();
  input.select();
  const done = (save) => {
    if (save) {
      const raw = input.value.trim();
      const value = raw === "" ? null : key === "meta.organ" ? raw : Number(raw);
      if (value === null || key === "meta.organ" || Number.isFinite(value)) state.edits[key] = value;
    }
    paint(td);
    select(td, false);
  };
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") { e.preventDefault(); done(true); }
    if (e.key === "Escape") { e.preventDefault(); done(false); }
  });
  input.addEventListener("blur", () => { if (td.contains(input)) done(true); });
}

function position(td) {
  for (let r = 0; r < state.grid.length; r++) {
    const c = state.grid[r].indexOf(td);
    if (c >= 0) return [r, c];
  }
  return [0, 0];
}

document.addEventListener("keydown", (e) => {
  const td = document.activeElement;
  if (!td || !td.classList || !td.classList.contains("cell")) return;
  const [r, c] = position(td);
  const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
  if (moves[e.key]) {
    e.preventDefault();
    const nr = Math.max(0, Math.min(state.grid.length - 1, r + moves[e.key][0]));
    const row = state.grid[nr];
    const next = row[Math.max(0, Math.min(row.length - 1, c + moves[e.key][1]))];
    if (next) select(next, false);
  } else if (e.key === "Enter") { e.preventDefault(); edit(td); }
});

document.addEventListener("click", (e) => {
  const td = e.target.closest && e.target.closest("td.cell");
  if (td && !td.querySelector("input")) { select(td, false); return; }
  const mark = e.target.closest && e.target.closest("mark");
  if (mark) {
    const target = document.querySelector(`td.cell[data-key="${mark.dataset.key}"]`);
    if (target) select(target, true);
  }
});
document.addEventListener("dblclick", (e) => {
  const td = e.target.closest && e.target.closest("td.cell");
  if (td && !td.querySelector("input")) edit(td);
});

function show(result, name) {
  state.result = result;
  state.fields = fieldsOf(result);
  state.edits = {};
  state.name = (name || "report").replace(/\.[^.]+$/, "");
  $("doc-title").textContent = `原文：${name || "粘贴的文本"}`;
  renderSource(result.text || "");
  renderTables();
  renderFindings();
  $("review").hidden = false;
  $("status").textContent = `读取了 ${Object.keys(state.fields).length} 个值，${result.findings.length} 个发现`;
}

async function answer(response) {
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ? `${body.error.code}: ${body.error.message}` : response.statusText);
  return body;
}

$("open").addEventListener("submit", async (e) => {
  e.preventDefault();
  $("status").textContent = "读取中…";
  try {
    const file = $("file").files[0];
    const picked = $("batch").value;
    let body, name;
    if (file) {
      const form = new FormData();
      form.append("file", file);
      body = await answer(await fetch("/review/extract", { method: "POST", body: form }));
      name = file.name;
    } else if (picked) {
      body = await answer(await fetch("/review/files/" + picked.split("/").map(encodeURIComponent).join("/"), { method: "POST" }));
      name = picked.split("/").pop();
    } else {
      const text = $("paste").value;
      body = await answer(await fetch("/review/extract", { method: "POST", headers: { "Content-Type": "text/plain; charset=utf-8" }, body: text }));
      name = "pasted.txt";
    }
    show(body, name);
  } catch (err) {
    $("status").textContent = "无法读取：" + err.message;
  }
});

$("download").addEventListener("click", () => {
  const blob = new Blob([JSON.stringify(flatMap(), null, 2) + "\n"], { type: "application/json" });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = `${state.name}.gold.json`;
  document.body.append(a);
  a.click();
  a.remove();
});

fetch("/review/files").then((r) => (r.ok ? r.json() : [])).then((names) => {
  if (!names.length) return;
  const sel = $("batch");
  for (const n of names) { const o = document.createElement("option"); o.value = n; o.textContent = n; sel.append(o); }
  $("batch-pick").hidden = false;
}).catch(() => {});
