// explore_seq2seq.js: the encoder-decoder's page (model "seq2seq", always "traces"). Per
// traced source, the library's three_kinds.kinds: the three kinds of attention (encoder
// self-attention, decoder self-attention, cross-attention), each a matrix per layer and
// head, and what the decoder read and wrote. A GRU encoder-decoder (config.arch) has one
// kind, Bahdanau's weights (one layer of one head: the trace's shape, not n_layer and
// n_head), or none. Drawn with explore_view.js's grid and headRow.
"use strict";

const GRU_NOTES = {  // the heads' title and note of a GRU encoder-decoder's page, by config.arch
  "gru-attention": ["Bahdanau attention: each decoder step's weights over the source",
    "Rows: the character the decoder writes at each step; columns: the source position (the " +
    "encoder's state there). The darker the cell, the more weight: softmax of the scores e_j " +
    "of the decoder's previous state against each encoder state."],
  "gru": ["no attention", ""],
};

function setUpSeq2seq() {  // the controls this page has: text, kind, layer, head
  document.body.classList.add("seq2seq");
  $("kind").hidden = false;
  $("position").parentElement.hidden = $("tokens").hidden = true;
  $("stages").parentElement.hidden = true;  // traces hold no residual stream
  $("kind").onchange = () => { VIEW.kind = Number($("kind").value); draw(); };
  $("heads-title").textContent = "the three kinds of attention, every layer and head";
  $("heads-note").textContent = "Rows: the query position, labelled by its token (in " +
    "cross-attention, by the character the decoder writes there); columns: the key position. " +
    "The darker the cell, the more weight; grey: the future, masked (decoder self-attention " +
    "only). Click a head to enlarge it.";
  $("next-title").textContent = "what the model wrote";
  if (GRU_NOTES[DATA.config.arch]) {
    [$("heads-title").textContent, $("heads-note").textContent] = GRU_NOTES[DATA.config.arch];
  }
}

function layersOf(k) { return k.layers.length; }       // the trace's shape: a GRU's is 1 x 1
function headsOf(k, l) { return k.layers[l].length; }

function drawBottleneck(trace) {  // --arch gru: no attention, only what it wrote
  $("kind").hidden = $("layer").hidden = $("head").hidden = $("head-section").hidden = true;
  $("heads").replaceChildren(el("p", {class: "no-attention"},
    "This GRU encoder-decoder has no attention: the decoder reads the source only through " +
    "the encoder's last state, one vector for the whole source (bottleneck.py). Its output " +
    "is beside this."));
  $("heads-note").hidden = true;
  showKey(null);
  drawWritten(trace);
}

function kindName(k) { return k.title.split(":")[0]; }  // "cross-attention"

function kindMap(trace, kind, layer, head, cell, numbers) {  // one kind's matrix of one head
  const k = trace.kinds[kind], matrix = k.layers[layer][head];
  const pick = () => { VIEW.kind = kind; VIEW.layer = layer; VIEW.head = head; draw(); };
  return grid(k.rows, k.cols, (i, j) => (k.hidden[i][j] ? null : matrix[i][j]),
              {cell, numbers, picked: -1, pick, where: `${kindName(k)}, layer ${layer}, head ${head}`});
}

function drawSeq2seq(trace) {
  if (!trace.kinds.length) { drawBottleneck(trace); return; }
  const picked = trace.kinds[VIEW.kind];
  showKey(picked.kind);  // the picked kind's key: encoder, decoder, cross, additive or dot
  fillSelect($("kind"), trace.kinds.length, i => kindName(trace.kinds[i]), VIEW.kind);
  fillSelect($("layer"), layersOf(picked), i => "layer " + i, VIEW.layer);
  fillSelect($("head"), headsOf(picked, VIEW.layer), i => "head " + i, VIEW.head);
  // every kind, layer and head, small; the picked one outlined
  const all = el("div", {class: "all-heads"});
  trace.kinds.forEach((k, ki) => {
    const cell = Math.max(8, Math.min(16, Math.floor(150 / Math.max(k.rows.length, k.cols.length))));
    for (let l = 0; l < layersOf(k); l++) {
      const maps = Array.from({length: headsOf(k, l)}, (_, h) => kindMap(trace, ki, l, h, cell, false));
      all.append(headRow(`${kindName(k)}, layer ${l}`, maps,
                         ki === VIEW.kind && l === VIEW.layer ? VIEW.head : -1,
                         h => { VIEW.kind = ki; VIEW.layer = l; VIEW.head = h; draw(); }));
    }
  });
  $("heads").replaceChildren(all);
  // the picked one, large, with its numbers, titled with what it is
  const T = Math.max(picked.rows.length, picked.cols.length);
  $("head-title").textContent = `layer ${VIEW.layer}, head ${VIEW.head}: ${picked.title}`;
  $("head-big").replaceChildren(kindMap(trace, VIEW.kind, VIEW.layer, VIEW.head,
                                        Math.max(22, Math.min(36, Math.floor(480 / T))), true));
  drawWritten(trace);
}

function drawWritten(trace) {  // the source, the output, and each decoder position's in and out
  const out = trace.output.filter(t => t !== "END").join("");
  const T = Math.max(trace.source.length, trace.input.length);
  const row = (name, labels) => el("tr", {}, el("th", {}, name),
                                   ...labels.map(t => el("td", {}, show(t))));
  $("next").replaceChildren(
    el("p", {class: "wrote"}, plain(`${JSON.stringify(trace.text)} \u2192 ${JSON.stringify(out)}`)),
    el("p", {class: "note"}, (DATA.config.arch === "transformer" ? "The encoder reads the " +
       "source, all of it at once." : "The encoder GRU reads the source one character at a " +
       "time.") + " The decoder " +
       "writes one character per position, the likeliest (greedy), reading what it wrote " +
       "before, until END."),
    el("table", {class: "positions"},
       row("position", Array.from({length: T}, (_, i) => String(i))),
       row("source", trace.source), row("decoder reads", trace.input),
       row("decoder writes", trace.output)));
}

function drawnSeq2seq(text) {
  // the tests' check: pick text, then every kind, layer and head from the menus as a person
  // would, and read back what the large heatmap drew (null: a grey, masked cell)
  const pickIn = (id, value) => { $(id).value = value; $(id).dispatchEvent(new Event("change")); };
  pickIn("text", text);
  const kinds = [];
  for (let k = 0; k < $("kind").options.length && VIEW.trace.kinds.length; k++) {
    pickIn("kind", k);
    const kind = VIEW.trace.kinds[VIEW.kind];
    const one = {kind: kind.kind, titles: [], layers: []};
    for (let l = 0; l < layersOf(kind); l++) {
      pickIn("layer", l);
      const heads = [];
      for (let h = 0; h < headsOf(kind, l); h++) {
        pickIn("head", h);
        const map = document.querySelector("#head-big .heatmap");
        const cols = map.querySelectorAll(".key-label").length, cells = [];
        for (const c of map.querySelectorAll(".cell")) {
          cells.push(c.classList.contains("future") ? null : Number(c.dataset.weight));
        }
        heads.push(Array.from({length: cells.length / cols}, (_, i) => cells.slice(i * cols, (i + 1) * cols)));
        one.titles.push($("head-title").textContent);
      }
      one.layers.push(heads);
    }
    const cells = document.querySelectorAll("#head-big .cell:not(.future)");  // hover the last
    cells[cells.length - 1].dispatchEvent(new Event("mouseenter"));
    one.hover = $("tooltip").innerHTML;
    kinds.push(one);
  }
  return {text, kinds, heatmaps: document.querySelectorAll("#heads .heatmap").length,
          written: Array.from(document.querySelectorAll("#next .positions tr:last-child td"),
                              td => td.textContent)};
}
