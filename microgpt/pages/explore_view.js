// explore_view.js: the page around explore.js's numbers. Everything is
// redrawn from one trace whenever the text, layer, head or position changes.
"use strict";

const $ = id => document.getElementById(id);
const VIEW = {trace: null, layer: 0, head: 0, pos: 0, kind: 0};  // kind: seq2seq only
const PAD_LABEL = "PAD";  // trace_whole's label of the padding of a model trained with --pad-to

function plain(text) {  // text with every control and format character (U+202E...) as its code
  return text.replace(/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu,
                      ch => "U+" + ch.codePointAt(0).toString(16).toUpperCase().padStart(4, "0"));
}

function show(label) {  // a token's label as the page shows it: labels.py's visible()
  return label === BOS_LABEL ? "BOS" : plain(label.replace(/ /g, "\u2423").replace(/\n/g, "\u21b5")
                                                 .replace(/\t/g, "\u21e5"));
}

function blue(w) {  // drawing.py's shade: white (0) to dark blue (1)
  w = Math.min(Math.max(w, 0), 1);
  return `rgb(${Math.round(255 - 225 * w)},${Math.round(255 - 180 * w)},${Math.round(255 - 90 * w)})`;
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k.startsWith("on")) e[k] = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

function showErrors() {
  const box = $("errors");
  if (box) { box.textContent = ERRORS.join("\n"); box.hidden = !ERRORS.length; }
}

function grid(rows, cols, weight, o) {
  // a heatmap of rows (query labels) x cols (key labels); weight(i, j): a number, or null for a
  // key the mask hid (grey). o: {cell (px), numbers, where (the hover's last line),
  // picked (a row to outline, or -1), pick(i) (a click on row i)}
  const box = el("div", {class: "heatmap"});
  box.style.gridTemplateColumns = `auto repeat(${cols.length}, ${o.cell}px)`;
  box.append(el("div", {class: "corner"}));
  cols.forEach(key => box.append(el("div", {class: "key-label"}, show(key))));
  rows.forEach((query, i) => {
    const picked = i === o.picked;
    box.append(el("div", {class: "query-label" + (picked ? " picked" : "")}, show(query)));
    cols.forEach((key, j) => {
      const w = weight(i, j);
      if (w === null) { box.append(el("div", {class: "cell future"})); return; }
      const c = el("div", {class: "cell" + (picked ? " picked-row" : ""), "data-weight": w});
      c.style.background = blue(w);
      c.style.height = o.cell + "px";
      if (o.numbers) { c.textContent = w.toFixed(2); c.style.color = w > 0.55 ? "white" : "black"; }
      c.onmouseenter = () => tip(c, `weight ${w.toFixed(4)}<br>query: ${esc(show(query))} ` +
                                    `(position ${i})<br>key: ${esc(show(key))} (position ${j})<br>` +
                                    esc(o.where));
      c.onmouseleave = () => tip(null);
      c.onclick = () => o.pick(i);
      box.append(c);
    });
  });
  return box;
}

function heatmap(trace, layer, head, cell, numbers) {  // one head's T x T attention
  const tokens = trace.positions.map(p => p.token);
  const weight = (i, j) => {  // null: the causal future, or a key the mask hid (a null logit)
    const h = trace.positions[i].layers[layer][head];
    return j >= h.attn_weights.length || (h.attn_logits && h.attn_logits[j] === null)
      ? null : h.attn_weights[j];
  };
  const map = grid(tokens, tokens, weight, {cell, numbers, where: `layer ${layer}, head ${head}`,
    picked: VIEW.pos, pick: i => { VIEW.pos = i; VIEW.layer = layer; VIEW.head = head; draw(); }});
  map.dataset.layer = layer;
  map.dataset.head = head;
  return map;
}

function headRow(name, maps, picked, pick) {
  // one row of small heatmaps, a head each, named; picked: the head outlined (or -1);
  // pick(h): a click on head h away from its cells (a cell picks for itself)
  const row = el("div", {class: "layer-row"}, el("div", {class: "layer-name"}, name));
  maps.forEach((map, h) => {
    const box = el("div", {class: "head-box" + (h === picked ? " picked" : "")},
                   el("div", {class: "head-name"}, "head " + h), map);
    box.onclick = e => { if (!e.target.classList.contains("cell")) pick(h); };
    row.append(box);
  });
  return row;
}

function esc(s) { return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"); }

function tip(cell, html) {
  const t = $("tooltip");
  if (!cell) { t.hidden = true; return; }
  t.innerHTML = html;
  t.hidden = false;
  const r = cell.getBoundingClientRect();
  t.style.left = (window.scrollX + r.right + 8) + "px";
  t.style.top = (window.scrollY + r.top - 4) + "px";
}

function bars(rows, max, fmt) {  // rows: [label, value]; a labelled horizontal bar each
  const box = el("div", {class: "bars"});
  for (const [label, value] of rows) {
    const bar = el("div", {class: "bar"});
    bar.style.width = (100 * value / (max || 1)) + "%";
    box.append(el("div", {class: "bar-label"}, label), el("div", {class: "bar-track"}, bar),
               el("div", {class: "bar-value"}, fmt(value)));
  }
  return box;
}

function fillSelect(select, n, label, value) {
  select.replaceChildren(...Array.from({length: n}, (_, i) => el("option", {value: i}, label(i))));
  select.value = value;
}

function draw() {
  const trace = VIEW.trace, cfg = DATA.config;
  if (!trace) return;
  fillSelect($("layer"), cfg.n_layer, i => "layer " + i, VIEW.layer);
  fillSelect($("head"), cfg.n_head, i => "head " + i, VIEW.head);
  if (trace.kinds) { drawSeq2seq(trace); return; }  // an encoder-decoder: explore_seq2seq.js
  const T = trace.positions.length;
  VIEW.pos = Math.min(VIEW.pos, T - 1);
  const attention = trace.positions[0].layers.length > 0;  // a recurrent model has none
  $("layer").hidden = $("head").hidden = $("head-section").hidden = !attention;
  fillSelect($("position"), T, i => i + ": " + show(trace.positions[i].token), VIEW.pos);
  // the tokens, each a button picking its position
  $("tokens").replaceChildren(...trace.positions.map((p, i) => el("button", {
    class: "token" + (i === VIEW.pos ? " picked" : ""), onclick: () => { VIEW.pos = i; draw(); },
  }, show(p.token))));
  if (attention) drawHeads(trace, T); else noAttention();
  drawNext(trace);
  // the residual stream's size at each stage of the picked position
  const stages = trace.positions[VIEW.pos].stages || [];  // a "traces" page has none: hidden
  $("stages").parentElement.hidden = !stages.length;
  $("stages").replaceChildren(bars(stages, Math.max(...stages.map(s => s[1])), v => v.toFixed(3)));
  $("stages-title").textContent = `residual stream RMS at position ${VIEW.pos}`;
}

function showKey(kind) {  // the heatmaps' key, terminal.heatmap_key's (DATA.keys); null: none
  $("heads-key").hidden = !kind;
  $("heads-key").textContent = kind ? DATA.keys[kind].join("\n") : "";  // its two lines
}

function noAttention() {  // rnn, gru, lstm: the page says so where the heatmaps would be
  $("heads").replaceChildren(el("p", {class: "no-attention"},
    `This ${DATA.model.toUpperCase()} has no attention: it reads one token at a time and carries ` +
    "all it has read in one state vector (recurrent.py), so there is no heatmap to draw. Its " +
    "next-token probabilities at each position are beside this; pick a position above."));
  $("heads-note").hidden = true;
  showKey(null);
}

function drawHeads(trace, T) {
  const cfg = DATA.config;
  $("heads-note").hidden = false;
  $("masked").textContent = (DATA.model === "classifier" || !cfg.causal_mask
    ? "a key the mask hides (PAD); every other key is seen, the future too"
    : cfg.pad_to ? "the future, masked, and a PAD key the mask hides" : "the future, masked") +
    (DATA.model === "classifier" ? ". The class is read at position 0 (BOS) after the last layer" : "");
  showKey(DATA.model === "classifier" || DATA.model === "mlm" || !cfg.causal_mask ? "whole" : "causal");
  // every layer and head, small; the picked one outlined
  const cell = Math.max(8, Math.min(18, Math.floor(150 / T)));
  const all = el("div", {class: "all-heads"});
  for (let l = 0; l < cfg.n_layer; l++) {
    const maps = Array.from({length: cfg.n_head}, (_, h) => heatmap(trace, l, h, cell, false));
    all.append(headRow("layer " + l, maps, l === VIEW.layer ? VIEW.head : -1,
                       h => { VIEW.layer = l; VIEW.head = h; draw(); }));
  }
  $("heads").replaceChildren(all);
  // the picked head, large, with its numbers
  $("head-title").textContent = `layer ${VIEW.layer}, head ${VIEW.head}`;
  $("head-big").replaceChildren(heatmap(trace, VIEW.layer, VIEW.head,
                                        Math.max(22, Math.min(36, Math.floor(480 / T))), true));
}

function drawNext(trace) {
  if (trace.classes) {  // a classifier: one probability per class, for the whole text
    $("next-title").textContent = `class of ${plain(JSON.stringify(trace.text))}`;
    $("next").replaceChildren(bars(trace.classes.map(([name, p]) => [plain(name), p]), 1,
                                   v => v.toFixed(3)));
    return;
  }
  // the next token at the picked position
  const p = trace.positions[VIEW.pos];
  const order = p.next_probs.map((pr, id) => [id, pr]).sort((a, b) => b[1] - a[1]).slice(0, 10);
  const first = DATA.bos_first === false ? 0 : 1;  // GPT-2 reads a text without BOS before it
  const reading = trace.positions.slice(first, VIEW.pos + 1).filter(q => q.token !== PAD_LABEL)
    .map(q => show(q.token)).join("");
  $("next-title").textContent = `next token after ${reading ? plain(JSON.stringify(reading)) : "BOS"}`;
  $("next").replaceChildren(bars(order.map(([id, pr]) => [
    trace.labels[id] === BOS_LABEL ? "END" : show(trace.labels[id]), pr]), 1, v => v.toFixed(3)));
}

function readText() {
  const text = $("text").value;
  try {
    VIEW.trace = DATA.mode === "weights" ? traceText(text) : DATA.traces.find(t => t.text === text);
    // the newest position, what comes next? (after a padded text, its last token's)
    const read = (VIEW.trace.positions || []).filter(p => p.token !== PAD_LABEL);
    VIEW.pos = (read.length || (VIEW.trace.positions || []).length) - 1;
    $("message").textContent = "";
    draw();
  } catch (e) {
    $("message").textContent = plain("cannot read " + JSON.stringify(text) + ": " + e.message);
  }
}

function sampleClicked() {
  const temperature = Number($("temperature").value), seed = Math.floor(Number($("seed").value));
  if (!(temperature >= 0) || !(seed >= 0)) {
    $("sample-out").textContent = "temperature and seed must be numbers, 0 or more"; return;
  }
  try {
    $("sample-out").textContent = sampleText($("text").value, temperature, seed) || '""';
  } catch (e) {
    $("sample-out").textContent = "cannot sample: " + e.message;
  }
}

function setUp() {
  const cfg = DATA.config;
  $("summary").textContent = plain(DATA.summary);
  if (DATA.mode === "traces") {  // a fixed set of texts: a menu instead of a text box
    const select = el("select", {id: "text"}, ...DATA.traces.map(t => el("option", {value: t.text}, t.text)));
    $("text").replaceWith(select);
    $("sampling").hidden = true;
    if (DATA.model === "seq2seq") setUpSeq2seq();
  } else {
    $("text").value = DATA.texts[0] || "";
    $("temperature").value = cfg.temperature;
    $("sample-button").onclick = sampleClicked;
  }
  $("text").addEventListener("input", readText);
  $("text").addEventListener("change", readText);
  $("layer").onchange = () => { VIEW.layer = Number($("layer").value); draw(); };
  $("head").onchange = () => { VIEW.head = Number($("head").value); draw(); };
  $("position").onchange = () => { VIEW.pos = Number($("position").value); draw(); };
  readText();
  runCheck();
}

function runCheck() {
  // #check=<JSON>: the tests' hook. {"texts": [...], "type": "...", "samples": [[prefix, T, seed]]}:
  // the traces of the texts (a classifier's classes too), the text typed into the box,
  // samples; written into <pre id="check">
  if (!location.hash.startsWith("#check=")) return;
  const ask = JSON.parse(decodeURIComponent(location.hash.slice(7)));
  const out = {traces: (ask.texts || []).map(t => DATA.model === "seq2seq" ? drawnSeq2seq(t)
                                                  : JSON.parse(window.microgptTrace(t)))};
  if (DATA.model === "classifier") {  // its class probabilities, as the page holds them
    out.classes = ask.texts.map(t => DATA.traces.find(tr => tr.text === t).classes);
  }
  if (ask.type !== undefined) {  // as a person types: set the box, fire its input event
    const box = $("text");
    box.value = ask.type;
    box.dispatchEvent(new Event("input"));
    out.typed = Array.from(document.querySelectorAll("#tokens .token"), b => b.textContent);
    out.heatmaps = document.querySelectorAll("#heads .heatmap").length;
  }
  out.samples = (ask.samples || []).map(([prefix, t, seed]) => sampleText(prefix, t, seed));
  out.errors = ERRORS;
  out.message = $("message").textContent;  // "cannot read ...", if the view failed
  $("check").textContent = JSON.stringify(out);
}

setUp();
