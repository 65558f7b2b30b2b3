// explore.js: the GPT of microgpt/model.py, run in the browser on one
// checkpoint's weights, drawn as the learner types.
//
// The page's data (a JSON block written by microgpt/commands/explore.py) has a mode:
//   "weights": config, tokenizer and every weight matrix; this file runs the
//              forward pass itself. Each function that computes a number mirrors
//              a Python function, named in its comment, with the same float
//              operations in the same order, so the numbers are the library's.
//   "traces":  no weights, only the traces of a few texts, computed by the
//              library (for models this file has no forward pass of).
"use strict";

const ERRORS = [];  // anything that went wrong, shown on the page (and read by the tests)
window.addEventListener("error", e => { ERRORS.push(String(e.message)); showErrors(); });
const DATA = JSON.parse(document.getElementById("model-data").textContent);
const BOS_LABEL = "<BOS>";

// -------------------------------------------------------------------------
// fused.py, model.py, positions.py, attention.py: the numbers

function dot(ws, xs) {  // fused.dot: a left fold from 0, in order
  let acc = 0.0;
  for (let i = 0; i < ws.length; i++) acc += ws[i] * xs[i];
  return acc;
}

function linear(x, w, b) {  // model.linear: one dot per row of w, plus the bias b[0] if any; (n_out,)
  return b ? w.map((row, i) => dot(row, x) + b[0][i]) : w.map(row => dot(row, x));
}

function softmaxData(zs) {  // fused.softmax_data: exp(z - max) times total ** -1
  const maxZ = Math.max(...zs);
  const exps = zs.map(z => Math.exp(z - maxZ));
  let total = 0.0;
  for (const e of exps) total += e;
  const invTotal = Math.pow(total, -1);
  return exps.map(e => e * invTotal);
}

function rmsnorm(x) {  // model.rmsnorm: x / sqrt(mean(x_i^2) + 1e-5)
  const ms = dot(x, x) * Math.pow(x.length, -1);   // Value / n multiplies by n ** -1
  const scale = Math.pow(ms + 1e-5, -0.5);
  return x.map(xi => xi * scale);
}

function layernorm(xs, gs, bs) {  // model.layernorm: (x - mean) * s * g + b
  const n = xs.length;
  let total = 0.0;
  for (const x of xs) total += x;
  const mean = total * Math.pow(n, -1);
  const xc = xs.map(x => x - mean);                // (n,) centred
  total = 0.0;
  for (const c of xc) total += c * c;
  const s = Math.pow(total * Math.pow(n, -1) + 1e-5, -0.5);
  return xc.map((c, i) => (c * s) * gs[i] + bs[i]);
}

function norm(x, W, name, cfg) {  // model.norm: rmsnorm, or LayerNorm with its gain and bias
  if (cfg.norm === "rmsnorm") return rmsnorm(x);
  return layernorm(x, W[name + ".g"][0], W[name + ".b"][0]);
}

const GELU_C = Math.sqrt(2 / Math.PI);  // value.GELU_C

function gelu(x) {  // model.gelu (Value.gelu per entry): 0.5 * x * (1 + tanh(c * (x + 0.044715 * x^3)))
  return x.map(xd => {
    const t = Math.tanh(GELU_C * (xd + 0.044715 * (xd * xd * xd)));
    return 0.5 * xd * (1 + t);
  });
}

function relu(x) {  // Value.relu: max(0, x)
  return x.map(xi => (xi > 0 ? xi : 0));
}

function swiglu(gate, up) {  // model.swiglu: silu(gate) * up, silu as Value.silu
  return gate.map((z, i) => {
    const e = z > -700 ? Math.exp(-z) : Infinity;   // e^-z overflows below -709: silu is 0
    return (z / (1 + e)) * up[i];
  });
}

function sinusoidal(pos, nEmbd) {  // positions.sinusoidal: sin in even entries, cos in odd
  const row = [];
  for (let d = 0; d < nEmbd; d++) {
    const angle = pos / Math.pow(10000, (d - d % 2) / nEmbd);
    row.push(d % 2 === 0 ? Math.sin(angle) : Math.cos(angle));
  }
  return row;
}

function rope(x, pos, headDim) {  // positions.rope: each head's (x[j], x[j + d/2]) turned by pos * theta_j
  const half = headDim / 2;
  const turns = [];
  for (let j = 0; j < half; j++) {
    const theta = Math.pow(10000, -2 * j / headDim);
    turns.push([Math.cos(pos * theta), Math.sin(pos * theta)]);
  }
  const out = x.slice();
  for (let hs = 0; hs < x.length; hs += headDim) {
    for (let j = 0; j < half; j++) {             // fused.rotate
      const [cos, sin] = turns[j], a = x[hs + j], b = x[hs + j + half];
      out[hs + j] = a * cos - b * sin;
      out[hs + j + half] = b * cos + a * sin;
    }
  }
  return out;
}

function fixedPosition(posId, cfg) {  // positions.fixed_position: PE[pos], or zeros with "none"
  if (cfg.position === "sinusoidal") return sinusoidal(posId, cfg.n_embd);
  return new Array(cfg.n_embd).fill(0.0);
}

function attention(q, keys, values, nHead, records, scaled) {  // attention.attention
  const headDim = Math.floor(q.length / nHead);
  const group = Math.floor(q.length / keys[0].length);     // query heads per key/value head
  const xAttn = [];
  for (let h = 0; h < nHead; h++) {
    const hs = h * headDim;                                  // this head's slice
    const kv = Math.floor(h / group) * headDim;              // its key/value head's slice
    const q_h = q.slice(hs, hs + headDim);                   // (head_dim,)
    const k_h = keys.map(k_t => k_t.slice(kv, kv + headDim));    // (T, head_dim)
    const v_h = values.map(v_t => v_t.slice(kv, kv + headDim));  // (T, head_dim)
    let attnLogits = k_h.map(k => dot(q_h, k));              // (T,)
    if (scaled) {  // logit / head_dim ** 0.5, as Value divides: times (head_dim ** 0.5) ** -1
      const inv = Math.pow(Math.pow(headDim, 0.5), -1);
      attnLogits = attnLogits.map(logit => logit * inv);
    }
    const attnWeights = softmaxData(attnLogits);            // (T,), sum to 1
    const headOut = [];
    for (let j = 0; j < headDim; j++) headOut.push(dot(attnWeights, v_h.map(v => v[j])));
    xAttn.push(...headOut);
    if (records) records.push({attn_logits: attnLogits, attn_weights: attnWeights});
  }
  return xAttn;                                              // (n_embd,)
}

function rms(x) {  // the size of a vector: sqrt(mean(x_i^2)) (for the picture only)
  return Math.sqrt(dot(x, x) / x.length);
}

function add(a, b) { return a.map((ai, i) => ai + b[i]); }

function gpt(tokenId, posId, keys, values, W, cfg, records, stages) {  // model.gpt
  // stages: null, or a list that gets (name, RMS of the residual stream) after each step
  const pre = cfg.norm_placement === "pre", post = cfg.norm_placement === "post";
  const note = (name, x) => { if (stages) stages.push([name, rms(x)]); };
  const tokEmb = W.wte[tokenId];                                       // (n_embd,)
  const posEmb = cfg.position === "learned" ? W.wpe[posId] : fixedPosition(posId, cfg);
  let x = add(tokEmb, posEmb);                                         // joint embedding
  note("embedding", x);
  if (cfg.embedding_norm) {  // the reference's; GPT-2 has none here
    x = norm(x, W, "ln_emb", cfg);
    note("normed", x);
  }
  for (let li = 0; li < cfg.n_layer; li++) {
    const layer = "layer" + li + ".";
    let xResidual = x;                                                 // 1) attention block
    x = pre ? norm(x, W, layer + "ln_attn", cfg) : x;
    let q = linear(x, W[layer + "attn_wq"], W[layer + "attn_bq"]);   // the biases: --bias only
    let k = linear(x, W[layer + "attn_wk"], W[layer + "attn_bk"]);
    const v = linear(x, W[layer + "attn_wv"], W[layer + "attn_bv"]);
    if (cfg.position === "rope") {  // RoPE: q and k turned by posId, before the cache
      const headDim = Math.floor(cfg.n_embd / cfg.n_head);
      q = rope(q, posId, headDim);
      k = rope(k, posId, headDim);
    }
    keys[li].push(k);
    values[li].push(v);
    const xAttn = attention(q, keys[li], values[li], cfg.n_head, records, cfg.attention_scale);
    x = linear(xAttn, W[layer + "attn_wo"], W[layer + "attn_bo"]);
    x = cfg.residual ? add(x, xResidual) : x;
    x = post ? norm(x, W, layer + "ln_attn", cfg) : x;
    note("layer " + li + " attention", x);
    xResidual = x;                                                     // 2) MLP block
    x = pre ? norm(x, W, layer + "ln_mlp", cfg) : x;
    const xMlp = x;                                                    // the MLP's input
    x = linear(x, W[layer + "mlp_fc1"], W[layer + "mlp_b1"]);          // (4 * n_embd,)
    if (cfg.activation === "swiglu") x = swiglu(x, linear(xMlp, W[layer + "mlp_up"], W[layer + "mlp_bu"]));
    else x = cfg.activation === "relu" ? relu(x) : gelu(x);
    x = linear(x, W[layer + "mlp_fc2"], W[layer + "mlp_b2"]);          // (n_embd,)
    x = cfg.residual ? add(x, xResidual) : x;
    x = post ? norm(x, W, layer + "ln_mlp", cfg) : x;
    note("layer " + li + " MLP", x);
  }
  if (cfg.final_norm) x = norm(x, W, "ln_f", cfg);                     // GPT-2's ln_f
  const lmHead = cfg.tie_weights ? W.wte : W.lm_head;                  // tied: wte[j] . x
  return linear(x, lmHead);                                            // (vocab_size,)
}

// -------------------------------------------------------------------------
// tokenizer.py and bpe.py: text -> ids

function makeTokenizer(t) {
  const ids = new Map(t.chars.map((ch, i) => [ch, i]));       // character -> id
  const tokens = t.chars.slice();                             // id -> text
  const rank = new Map();                                     // "a,b" -> the id it merges into
  t.merges.forEach(([a, b], n) => {
    tokens.push(tokens[a] + tokens[b]);
    rank.set(a + "," + b, t.chars.length + n);
  });
  const space = new Set(t.whitespace);  // the alphabet's characters Python's \s matches
  const bos = tokens.length;
  const cache = new Map();

  function unknown(text) {  // Tokenizer.unknown: characters without an id, in order
    const out = [];
    for (const ch of text) if (!ids.has(ch) && !out.includes(ch)) out.push(ch);
    return out;
  }
  function splitWords(text) {  // bpe.split_words: runs of non-whitespace, single whitespace
    const words = [];
    let word = "";
    for (const ch of text) {
      if (space.has(ch)) {
        if (word) words.push(word);
        words.push(ch);
        word = "";
      } else {
        word += ch;
      }
    }
    if (word) words.push(word);
    return words;
  }
  function merge(ids_, a, b, newId) {  // bpe.merge: left to right, no overlap
    const out = [];
    for (let i = 0; i < ids_.length; i++) {
      if (i + 1 < ids_.length && ids_[i] === a && ids_[i + 1] === b) { out.push(newId); i++; }
      else out.push(ids_[i]);
    }
    return out;
  }
  function encodeWord(word) {  // BPETokenizer.encode_word: merge the earliest-learned pair, again
    let out = Array.from(word, ch => ids.get(ch));
    while (out.length >= 2) {
      let best = null, bestRank = Infinity;
      for (let i = 0; i + 1 < out.length; i++) {  // the first pair of the lowest rank, as min() picks
        const r = rank.get(out[i] + "," + out[i + 1]);
        if (r !== undefined && r < bestRank) { best = [out[i], out[i + 1]]; bestRank = r; }
      }
      if (best === null) break;
      out = merge(out, best[0], best[1], bestRank);
    }
    return out;
  }
  function encode(text) {  // Tokenizer.encode, or BPETokenizer.encode with t.kind "bpe"
    const bad = unknown(text);
    if (bad.length) {
      throw new Error("the text has characters not in the vocabulary: " +
                      bad.slice(0, 10).map(ch => JSON.stringify(ch)).join(" "));
    }
    if (t.kind !== "bpe") return Array.from(text, ch => ids.get(ch));
    const out = [];
    for (const word of splitWords(text)) {
      if (!cache.has(word)) cache.set(word, encodeWord(word));
      out.push(...cache.get(word));
    }
    return out;
  }
  // id -> label, as readout.py labels them ('<BOS>' for BOS; a token reading '<BOS>' quoted)
  const labels = tokens.map(s => (s === BOS_LABEL ? "'" + s + "'" : s)).concat([BOS_LABEL]);
  return {encode, tokens, bos, labels, vocabSize: bos + 1};
}

// -------------------------------------------------------------------------
// readout.py and generate.py, on top of gpt()

function traceText(text) {  // readout.trace: one position per token of [BOS] + text
  const cfg = DATA.config, tok = TOKENIZER;
  const ids = [tok.bos].concat(tok.encode(text));
  if (ids.length > cfg.block_size) {
    throw new Error("too long: " + ids.length + " tokens with BOS, block size " + cfg.block_size);
  }
  const keys = [], values = [];
  for (let l = 0; l < cfg.n_layer; l++) { keys.push([]); values.push([]); }
  const positions = ids.map((tokenId, posId) => {
    const records = [], stages = [];
    const logits = gpt(tokenId, posId, keys, values, DATA.weights, cfg, records, stages);
    const layers = [];
    for (let i = 0; i < records.length; i += cfg.n_head) layers.push(records.slice(i, i + cfg.n_head));
    return {pos: posId, token: tok.labels[tokenId], layers, stages, next_probs: softmaxData(logits)};
  });
  return {text, labels: tok.labels, positions};
}

function mersenneTwister(seed) {  // Python's random.Random(seed): MT19937, seeded by init_by_array
  const N = 624, mt = new Uint32Array(N);
  let mti;
  const mul = (a, b) => Math.imul(a, b) >>> 0;
  function initGenrand(s) {
    mt[0] = s >>> 0;
    for (mti = 1; mti < N; mti++) {
      mt[mti] = (mul(1812433253, (mt[mti - 1] ^ (mt[mti - 1] >>> 30)) >>> 0) + mti) >>> 0;
    }
  }
  // the key: abs(seed) in 32-bit words, least significant first ([0] for 0)
  const key = [];
  let big = BigInt(Math.abs(seed));
  do { key.push(Number(big & 0xffffffffn)); big >>= 32n; } while (big > 0n);
  initGenrand(19650218);
  let i = 1, j = 0;
  for (let k = Math.max(N, key.length); k; k--) {
    mt[i] = ((mt[i] ^ mul(mt[i - 1] ^ (mt[i - 1] >>> 30), 1664525)) + key[j] + j) >>> 0;
    i++; j++;
    if (i >= N) { mt[0] = mt[N - 1]; i = 1; }
    if (j >= key.length) j = 0;
  }
  for (let k = N - 1; k; k--) {
    mt[i] = ((mt[i] ^ mul(mt[i - 1] ^ (mt[i - 1] >>> 30), 1566083941)) - i) >>> 0;
    i++;
    if (i >= N) { mt[0] = mt[N - 1]; i = 1; }
  }
  mt[0] = 0x80000000;
  function genrand() {
    if (mti >= N) {
      for (let kk = 0; kk < N; kk++) {
        const y = (mt[kk] & 0x80000000) | (mt[(kk + 1) % N] & 0x7fffffff);
        mt[kk] = mt[(kk + 397) % N] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      mti = 0;
    }
    let y = mt[mti++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }
  return function random() {  // random.random(): 53 bits from two draws
    const a = genrand() >>> 5, b = genrand() >>> 6;
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
  };
}

function choose(weights, random) {  // random.choices(range(n), weights)[0]: bisect_right on the sums
  const cum = [];
  let acc = 0;
  for (const w of weights) cum.push(acc += w);
  const x = random() * cum[cum.length - 1];
  let lo = 0, hi = cum.length - 1;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (x < cum[mid]) hi = mid; else lo = mid + 1; }
  return lo;
}

function sampleText(prefix, temperature, seed) {  // generate.sample with random.Random(seed)
  const cfg = DATA.config, tok = TOKENIZER, random = mersenneTwister(seed);
  const ids = [tok.bos].concat(tok.encode(prefix));
  if (ids.length > cfg.block_size) throw new Error("the text fills the block: nothing to add");
  const keys = [], values = [];
  for (let l = 0; l < cfg.n_layer; l++) { keys.push([]); values.push([]); }
  ids.slice(0, -1).forEach((id, pos) => gpt(id, pos, keys, values, DATA.weights, cfg, null, null));
  while (ids.length - 1 < cfg.block_size) {
    const zs = gpt(ids[ids.length - 1], ids.length - 1, keys, values, DATA.weights, cfg, null, null);
    let next;
    const scaled = temperature ? zs.map(z => z * Math.pow(temperature, -1)) : [Infinity];
    if (!scaled.every(Number.isFinite)) next = zs.indexOf(Math.max(...zs));  // greedy: argmax
    else next = choose(softmaxData(scaled), random);                          // generate.next_token
    if (next === tok.bos) break;
    ids.push(next);
  }
  return ids.slice(1).map(id => tok.tokens[id]).join("");
}

// the numbers the tests compare with trace(): JSON of attention weights and next-token probabilities
window.microgptTrace = function (text) {
  const t = DATA.mode === "weights" ? traceText(text) : DATA.traces.find(tr => tr.text === text);
  return JSON.stringify(t.positions.map(p => ({
    token: p.token,
    attn_weights: p.layers.map(heads => heads.map(h => h.attn_weights)),
    next_probs: p.next_probs,
  })));
};
window.microgptSample = sampleText;

const TOKENIZER = DATA.mode === "weights" ? makeTokenizer(DATA.tokenizer) : null;
