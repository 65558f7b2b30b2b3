"""RoPE, grouped-query attention and SwiGLU against their definitions,
written out here a second time: silu's formula and slope, the half-split
pairs RoPE turns and the property that makes it work (a score depends on
the offset only), query head h reading key/value head h // (n_head / G),
the weights drawn in the reference's order with the smaller and the new
shapes; a plain-float GPT of the definitions giving microgpt's losses; a
PyTorch run of the definitions (weights, Adam, samples) giving a 20-step
run's losses and samples, each switch alone and all three with the older
ones; finite differences; resume; the one-line errors; compare; the encoder."""
import dataclasses
import json
import math
import random
import tempfile
import sys
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt.architectures import catalog
from microgpt.architectures.encoder import sequence_loss
from microgpt.attention import attention, causal, sequence_attention
from microgpt.config import Config, ConfigError
from microgpt.generate import sample
from microgpt.instruments.finite_differences import DOCS, check
from microgpt.model import document_loss
from microgpt.params import flatten, init_params, param_count, param_shapes
from microgpt.plumbing import checkpoint
from microgpt.plumbing.corpus import load_docs
from microgpt.plumbing.memory import step_edges
from microgpt.positions import rope
from microgpt.training import train_step
from microgpt.value import Value, recording
from tests.support import BUNDLED_NAMES, assert_one_line_error, numbers, resumed_and_whole, run, train

try:
    import torch
except ImportError:  # optional: the PyTorch runs are skipped without it
    torch = None

ALL_THREE = {"position": "rope", "kv_heads": 2, "activation": "swiglu"}
SWITCHES = [{"position": "rope"}, {"kv_heads": 2}, {"kv_heads": 1}, {"activation": "swiglu"},
            ALL_THREE]
WITH_THE_OLDER_ONES = dict(ALL_THREE, norm="layernorm", tie_weights=True, label_smoothing=0.1,
                           batch_size=3, n_layer=2)


# -------------------------------------------------------------------------
# the definitions, in plain floats

def silu(z):
    return z / (1 + math.exp(-z))


def turned(x, pos, d):
    """One head's x (d floats) turned as the issue defines RoPE."""
    out = list(x)
    for j in range(d // 2):
        a = pos * 10000 ** (-2 * j / d)
        out[j] = x[j] * math.cos(a) - x[j + d // 2] * math.sin(a)
        out[j + d // 2] = x[j + d // 2] * math.cos(a) + x[j] * math.sin(a)
    return out


def plain_loss(ids, W, c):
    """document_loss of the definitions in plain floats: W holds lists of floats."""
    e, H = c.n_embd, c.n_head
    d, G = e // H, c.kv_heads or H
    mv = lambda w, x: [sum(wi * xi for wi, xi in zip(row, x)) for row in w]

    def norm(x, name):
        if c.norm == "layernorm":
            mean = sum(x) / e
            var = sum((xi - mean) ** 2 for xi in x) / e
            return [(xi - mean) / math.sqrt(var + 1e-5) * g + b
                    for xi, g, b in zip(x, W[name + ".g"][0], W[name + ".b"][0])]
        return [xi / math.sqrt(sum(v * v for v in x) / e + 1e-5) for xi in x]

    n = min(c.block_size, len(ids) - 1)
    cache = [([], []) for _ in range(c.n_layer)]
    total = 0.0
    for pos in range(n):
        x = list(W["wte"][ids[pos]])
        if c.position == "learned":
            x = [a + b for a, b in zip(x, W["wpe"][pos])]
        x = norm(x, "ln_emb")
        for li, (K, V) in enumerate(cache):
            w = lambda name: W[f"layer{li}.{name}"]
            h = norm(x, f"layer{li}.ln_attn")
            q, k, v = mv(w("attn_wq"), h), mv(w("attn_wk"), h), mv(w("attn_wv"), h)
            if c.position == "rope":
                q = [y for hh in range(H) for y in turned(q[hh * d:(hh + 1) * d], pos, d)]
                k = [y for g in range(G) for y in turned(k[g * d:(g + 1) * d], pos, d)]
            K.append(k)
            V.append(v)
            heads = []
            for hh in range(H):
                g = hh // (H // G)                          # the key/value head it reads
                qh = q[hh * d:(hh + 1) * d]
                s = [sum(a * b for a, b in zip(qh, kt[g * d:(g + 1) * d])) / math.sqrt(d)
                     for kt in K]
                m = max(s)
                p = [math.exp(si - m) for si in s]
                p = [pi / sum(p) for pi in p]
                heads += [sum(pi * vt[g * d + j] for pi, vt in zip(p, V)) for j in range(d)]
            x = [a + b for a, b in zip(mv(w("attn_wo"), heads), x)]
            h = norm(x, f"layer{li}.ln_mlp")
            if c.activation == "swiglu":
                hidden = [silu(a) * b for a, b in zip(mv(w("mlp_fc1"), h), mv(w("mlp_up"), h))]
            else:
                hidden = [max(0.0, a) for a in mv(w("mlp_fc1"), h)]
            x = [a + b for a, b in zip(mv(w("mlp_fc2"), hidden), x)]
        logits = mv(W["wte"] if c.tie_weights else W["lm_head"], x)
        m = max(logits)
        lse = m + math.log(sum(math.exp(z - m) for z in logits))
        nll = [lse - z for z in logits]
        E = c.label_smoothing
        total += (1 - E) * nll[ids[pos + 1]] + E * sum(nll) / len(nll)
    return total / n


def floats(params):
    return {name: [[p.data for p in row] for row in m] for name, m in params.items()}


class DefinitionsTest(unittest.TestCase):
    def test_silu_is_its_formula_with_its_slope_and_never_overflows(self):
        for z in (-30.0, -2.5, -0.3, 0.0, 0.7, 4.0, 35.0):
            y = Value(z).silu()
            self.assertAlmostEqual(y.data, silu(z), delta=1e-15 * max(1, abs(z)))
            h = 1e-6
            slope = (silu(z + h) - silu(z - h)) / (2 * h)
            self.assertAlmostEqual(y._local_grads[0], slope, delta=1e-8)
        for z in (-800.0, -1e6, 1e6):  # z / (1 + exp(-z)) written plainly would overflow at -800
            y = Value(z).silu()
            self.assertEqual(y.data, 0.0 if z < 0 else z)
            self.assertEqual(y._local_grads[0], 0.0 if z < 0 else 1.0)

    def test_rope_turns_the_half_split_pairs_of_each_head(self):
        rng = random.Random(1)
        d, heads = 6, 3
        x = [rng.gauss(0, 1) for _ in range(d * heads)]
        for pos in (0, 1, 5, 15):
            got = [y.data for y in rope([Value(v) for v in x], pos, d)]
            want = [y for h in range(heads) for y in turned(x[h * d:(h + 1) * d], pos, d)]
            for a, b in zip(got, want):
                self.assertAlmostEqual(a, b, delta=1e-15)
        self.assertEqual([y.data for y in rope([Value(v) for v in x], 0, d)], x)  # at 0: no turn

    def test_a_turned_query_and_key_score_by_their_offset_only(self):
        """q at 7 against k at 3 equals q at 104 against k at 100: RoPE's point."""
        rng = random.Random(2)
        d = 8
        q, k = ([Value(rng.gauss(0, 1)) for _ in range(d)] for _ in range(2))
        score = lambda i, j: sum(a.data * b.data for a, b in zip(rope(q, i, d), rope(k, j, d)))
        self.assertAlmostEqual(score(7, 3), score(104, 100), delta=1e-12)
        self.assertAlmostEqual(score(0, 0), sum(a.data * b.data for a, b in zip(q, k)), delta=1e-12)
        for i, j in ((12, 3), (40, 31), (9, 0)):  # 9 apart, wherever they stand
            self.assertAlmostEqual(score(i, j), score(9, 0), delta=1e-12)
        self.assertGreater(abs(score(7, 3) - score(3, 7)), 1e-3)  # the direction counts

    def test_query_head_h_reads_key_value_head_h_over_the_group(self):
        """Grouped-query attention is today's attention with each key/value
        head repeated for the n_head / G query heads that read it."""
        rng = random.Random(3)
        n_head, d, T = 4, 3, 5
        vec = lambda n: [Value(rng.gauss(0, 1)) for _ in range(n)]
        for G in (1, 2, 4):
            q, keys, values = vec(n_head * d), [vec(G * d) for _ in range(T)], [vec(G * d) for _ in range(T)]
            repeat = lambda kv: [x for h in range(n_head)
                                 for x in kv[(h // (n_head // G)) * d:(h // (n_head // G) + 1) * d]]
            got = attention(q, keys, values, n_head)
            want = attention(q, [repeat(k) for k in keys], [repeat(v) for v in values], n_head)
            self.assertEqual([y.data for y in got], [y.data for y in want])
            whole = sequence_attention([q] * T, keys, values, n_head, causal)[-1]
            self.assertEqual([y.data for y in whole], [y.data for y in got])

    def test_weights_are_drawn_in_the_reference_order_with_the_new_shapes(self):
        config = Config(n_layer=2, kv_heads=1, activation="swiglu", position="rope")
        rng = random.Random(5)
        e, kv = 16, 4  # one key/value head of head_dim 4
        order = [("wte", 27, e), ("lm_head", 27, e)]
        for i in range(2):
            order += [(f"layer{i}.attn_wq", e, e), (f"layer{i}.attn_wk", kv, e),
                      (f"layer{i}.attn_wv", kv, e), (f"layer{i}.attn_wo", e, e),
                      (f"layer{i}.mlp_fc1", 4 * e, e), (f"layer{i}.mlp_up", 4 * e, e),
                      (f"layer{i}.mlp_fc2", e, 4 * e)]
        want = {name: [[rng.gauss(0, 0.08) for _ in range(cols)] for _ in range(rows)]
                for name, rows, cols in order}
        self.assertEqual(param_shapes(config), order)
        self.assertEqual(floats(init_params(config, random.Random(5))), want)
        self.assertEqual(param_count(config), sum(r * c for _, r, c in order))
        self.assertEqual(param_count(Config(kv_heads=4)), 4192)  # G = n_head: today's

    def test_the_estimates_count_the_new_shapes(self):
        """step_edges against the edges a step really makes: within 10%."""
        for fields in SWITCHES + [dict(ALL_THREE, n_layer=2, n_embd=24, n_head=6, kv_heads=3)]:
            config = Config(**fields)
            with recording() as tape:
                document_loss([26] + [1] * 15 + [26], init_params(config, random.Random(0)), config)
            edges = sum(len(node._children) for node in tape)
            with self.subTest(**fields):
                self.assertLess(abs(step_edges(config, 16) - edges), 0.1 * edges)


class PlainFloatTest(unittest.TestCase):
    def test_losses_along_a_run_are_the_definitions(self):
        """At every step of a short run, microgpt's loss is the plain-float
        GPT's on the same weights (each switch, and with the older ones)."""
        for fields in SWITCHES + [WITH_THE_OLDER_ONES]:
            config = Config(steps=5, **fields)
            examples, state = catalog.start(DOCS, config)
            with self.subTest(**fields):
                for step in range(5):
                    W = floats(state.params)
                    B = config.batch_size
                    want = sum(plain_loss(examples[(step * B + b) % len(examples)], W, state.config)
                               for b in range(B)) / B
                    self.assertAlmostEqual(train_step(state, examples), want, delta=1e-12)


# -------------------------------------------------------------------------
# the definitions in PyTorch: a whole run, weights to samples

def torch_run(docs, fields, steps=20, num_samples=8, examples=None, tokenizer=None):
    """(every step's loss, the samples) of a run made from the definitions
    alone: seed, shuffle, the weights drawn in order, Adam, the samples.
    examples, tokenizer: a run's own (BPE, windows); else the characters."""
    c = Config(**fields)
    rng = random.Random(c.seed)
    order = list(docs)
    rng.shuffle(order)
    if tokenizer is None:
        chars = sorted(set("".join(docs)))
        bos, decode = len(chars), lambda ids: "".join(chars[i] for i in ids)
        index = {ch: i for i, ch in enumerate(chars)}
        examples = [[bos] + [index[ch] for ch in doc] + [bos] for doc in order]
        V = bos + 1
    else:
        bos, decode, V = tokenizer.bos, tokenizer.decode, tokenizer.vocab_size
    e, H, L = c.n_embd, c.n_head, c.n_layer
    d, G = e // H, c.kv_heads or H
    shapes = [("wte", V, e)] + [("wpe", c.block_size, e)] * (c.position == "learned")
    shapes += [("lm_head", V, e)] * (not c.tie_weights)
    for i in range(L):
        shapes += [(f"layer{i}.attn_wq", e, e), (f"layer{i}.attn_wk", G * d, e),
                   (f"layer{i}.attn_wv", G * d, e), (f"layer{i}.attn_wo", e, e),
                   (f"layer{i}.mlp_fc1", 4 * e, e)]
        shapes += [(f"layer{i}.mlp_up", 4 * e, e)] * (c.activation == "swiglu")
        shapes += [(f"layer{i}.mlp_fc2", e, 4 * e)]
    W = {name: torch.tensor([[rng.gauss(0, c.init_std) for _ in range(cols)] for _ in range(rows)],
                            dtype=torch.float64, requires_grad=True)
         for name, rows, cols in shapes}
    if c.norm == "layernorm":
        for name in ["ln_emb"] + [f"layer{i}.{n}" for i in range(L) for n in ("ln_attn", "ln_mlp")]:
            W[name + ".g"] = torch.ones(e, dtype=torch.float64, requires_grad=True)
            W[name + ".b"] = torch.zeros(e, dtype=torch.float64, requires_grad=True)
    F = torch.nn.functional
    angles = torch.tensor([[pos * 10000 ** (-2 * j / d) for j in range(d // 2)]
                           for pos in range(c.block_size)], dtype=torch.float64)

    def norm(x, name):
        if c.norm == "layernorm":
            return F.layer_norm(x, (e,), W[name + ".g"], W[name + ".b"], eps=1e-5)
        return x * ((x * x).mean() + 1e-5) ** -0.5

    def turn(x, pos):  # (heads, d): each head's (x[j], x[j + d/2]) turned by pos * theta_j
        a, b = x[:, :d // 2], x[:, d // 2:]
        cos, sin = torch.cos(angles[pos]), torch.sin(angles[pos])
        return torch.cat([a * cos - b * sin, b * cos + a * sin], dim=1)

    def step(token, pos, cache):  # the logits after token at pos; cache: (keys, values) per layer
        x = norm(W["wte"][token] + (W["wpe"][pos] if c.position == "learned" else 0), "ln_emb")
        for i, (K, Vs) in enumerate(cache):
            w = lambda name: W[f"layer{i}.{name}"]
            h = norm(x, f"layer{i}.ln_attn")
            q, k, v = (w("attn_wq") @ h).view(H, d), (w("attn_wk") @ h).view(G, d), (w("attn_wv") @ h).view(G, d)
            if c.position == "rope":
                q, k = turn(q, pos), turn(k, pos)
            K.append(k)
            Vs.append(v)
            keys = torch.stack(K).repeat_interleave(H // G, dim=1)    # (T, H, d): head h reads h // (H / G)
            vals = torch.stack(Vs).repeat_interleave(H // G, dim=1)
            weights = torch.softmax((keys * q).sum(-1) / d ** 0.5, dim=0)  # (T, H)
            x = x + w("attn_wo") @ (weights.unsqueeze(-1) * vals).sum(0).reshape(e)
            h = norm(x, f"layer{i}.ln_mlp")
            hidden = (F.silu(w("mlp_fc1") @ h) * (w("mlp_up") @ h) if c.activation == "swiglu"
                      else torch.relu(w("mlp_fc1") @ h))
            x = x + w("mlp_fc2") @ hidden
        return (W["wte"] if c.tie_weights else W["lm_head"]) @ x

    def loss_of(ids):
        n = min(c.block_size, len(ids) - 1)
        cache = [([], []) for _ in range(L)]
        logits = torch.stack([step(ids[pos], pos, cache) for pos in range(n)])
        return F.cross_entropy(logits, torch.tensor(ids[1:n + 1]), label_smoothing=c.label_smoothing)

    m = {name: torch.zeros_like(t) for name, t in W.items()}
    v = {name: torch.zeros_like(t) for name, t in W.items()}
    losses = []
    for s in range(steps):
        B = c.batch_size
        loss = torch.stack([loss_of(examples[(s * B + b) % len(examples)]) for b in range(B)]).mean()
        loss.backward()
        losses.append(loss.item())
        lr = c.lr * (1 - s / steps)
        with torch.no_grad():
            for name, t in W.items():
                m[name] = c.beta1 * m[name] + (1 - c.beta1) * t.grad
                v[name] = c.beta2 * v[name] + (1 - c.beta2) * t.grad ** 2
                m_hat, v_hat = m[name] / (1 - c.beta1 ** (s + 1)), v[name] / (1 - c.beta2 ** (s + 1))
                t -= lr * m_hat / (v_hat ** 0.5 + c.eps)
                t.grad = None
    samples = []
    with torch.no_grad():
        for _ in range(num_samples):
            cache, token, out = [([], []) for _ in range(L)], bos, []
            for pos in range(c.block_size):
                probs = torch.softmax(step(token, pos, cache) / c.temperature, dim=0).tolist()
                token = rng.choices(range(V), weights=probs)[0]
                if token == bos:
                    break
                out.append(token)
            samples.append(decode(out))
    return losses, samples


def microgpt_run(docs, fields, steps=20, num_samples=8):
    """(losses, samples, examples, tokenizer) of the same run, by microgpt."""
    config = Config(steps=steps, **fields)
    examples, state = catalog.start(docs, config)
    while state.step < steps:
        train_step(state, examples)
    samples = [sample(state.params, state.config, state.tokenizer, state.rng,
                      reader=catalog.reader_of(state.config)) for _ in range(num_samples)]
    return state.losses, samples, examples, state.tokenizer


@unittest.skipIf(torch is None, "PyTorch not installed (pip install torch==2.13.0)")
class TorchRunTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):  # small tensors: threads only wait for each other (on 2 cores, 15 times slower)
        cls.threads = torch.get_num_threads()
        torch.set_num_threads(1)

    @classmethod
    def tearDownClass(cls):
        torch.set_num_threads(cls.threads)

    def assert_same_run(self, docs, fields, own_tokens=False):
        ours, our_samples, examples, tokenizer = microgpt_run(docs, fields)
        kw = dict(examples=examples, tokenizer=tokenizer) if own_tokens else {}
        theirs, their_samples = torch_run(docs, fields, **kw)
        self.assertEqual(len(ours), 20)
        for a, b in zip(ours, theirs):
            self.assertAlmostEqual(a, b, delta=1e-9)  # the issue asks 1.5e-4: float64 does better
        self.assertEqual(our_samples, their_samples)

    def test_each_switch_alone_and_all_three(self):
        names = load_docs(BUNDLED_NAMES)
        for fields in SWITCHES:
            with self.subTest(**fields):
                self.assert_same_run(names, fields)

    def test_all_three_with_layernorm_tied_weights_smoothing_and_batches(self):
        self.assert_same_run(load_docs(BUNDLED_NAMES), WITH_THE_OLDER_ONES)

    def test_all_three_on_medical_words_with_bpe_and_windows(self):
        words = load_docs("medical_words.txt")
        self.assert_same_run(words, dict(ALL_THREE, n_embd=24, n_head=6, kv_heads=3,
                                         tokenizer="bpe", bpe_vocab_size=60), own_tokens=True)
        self.assert_same_run(words, dict(ALL_THREE, kv_heads=1, block_size=6, stride=3),
                             own_tokens=True)


# -------------------------------------------------------------------------
# the switches in the commands, the checkpoints and the other paths

class SwitchesTest(unittest.TestCase):
    def test_finite_differences_with_all_three_on(self):
        older = dict(WITH_THE_OLDER_ONES, n_head=4, norm_placement="post", n_layer=1, batch_size=2,
                     block_size=4)
        for fields in SWITCHES[:4] + [dict(ALL_THREE, n_head=4), older]:
            with self.subTest(**fields):  # (block 6: no relu input within h of its kink, 0)
                worst = check(Config(**{"n_embd": 8, "n_head": 2, "block_size": 6, **fields}))
                self.assertLess(max(worst.values()), 1e-6)

    def test_gradcheck_command_with_all_three(self):
        result = run("-m", "microgpt", "gradcheck", "--position", "rope", "--kv-heads", "2",
                     "--activation", "swiglu", "--n-head", "4", "--block-size", "5")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("layer0.mlp_up", result.stdout)
        self.assertIn("ok: worst", result.stdout)

    def test_resume_is_bit_identical_and_the_checkpoint_says_the_switches(self):
        folder = Path(tempfile.mkdtemp())
        for fields in SWITCHES + [dict(WITH_THE_OLDER_ONES, batch_size=2, n_layer=1)]:
            with self.subTest(**fields):
                config = Config(n_embd=8, n_head=2, block_size=6, steps=6, **fields)
                state, whole = resumed_and_whole(DOCS, config, folder)
                self.assertEqual(checkpoint.to_json(state), checkpoint.to_json(whole))
                self.assertEqual(state.config, whole.config)

    def test_an_old_checkpoint_loads_with_one_key_value_head_per_query_head(self):
        folder = Path(tempfile.mkdtemp())
        _, state = catalog.start(DOCS, Config(n_embd=8, n_head=2, steps=3))
        checkpoint.save(state, folder / "new.json")
        obj = json.loads((folder / "new.json").read_text())
        obj["version"] = 3
        del obj["config"]["kv_heads"]  # written before the field was
        (folder / "old.json").write_text(json.dumps(obj))
        old = checkpoint.load(folder / "old.json")
        self.assertEqual(old.config, state.config)
        self.assertEqual(old.config.kv_heads, 0)

    def test_train_saves_samples_and_inspects_a_run_with_all_three(self):
        flags = ("--steps", "8", "--num-samples", "3", "--position", "rope", "--kv-heads", "1",
                 "--activation", "swiglu", "--norm", "layernorm")
        with tempfile.TemporaryDirectory() as folder:
            trained = train(BUNDLED_NAMES, *flags, "--out", "m.json", cwd=folder)
            self.assertEqual(trained.returncode, 0, trained.stderr)
            self.assertIn(f"num params: {4192 - 256 - 2 * 192 + 1024 + 2 * 16 * 3}", trained.stdout)
            sampled = run("-m", "microgpt.sample", "m.json", "--num-samples", "3", cwd=folder)
            self.assertEqual([l.split("  (")[0] for l in sampled.stdout.splitlines()],
                             [l for l in numbers(trained.stdout) if l.startswith("sample")])
            inspected = run("-m", "microgpt", "inspect", "m.json", "emma", cwd=folder)
            self.assertEqual(inspected.returncode, 0, inspected.stderr)
            resumed = train(BUNDLED_NAMES, "--resume", "m.json", "--steps", "9", cwd=folder)
            self.assertEqual(resumed.returncode, 0, resumed.stderr)
            refused = train(BUNDLED_NAMES, "--resume", "m.json", "--steps", "10", "--kv-heads", "2",
                            cwd=folder)
            assert_one_line_error(self, refused, "--kv-heads 2 differs from the checkpoint's "
                                                 "--kv-heads 1")

    def test_impossible_combinations_are_one_line_before_any_work(self):
        cases = [(["--kv-heads", "3"], r"--n-head \(4\) must be divisible by --kv-heads \(3\)"),
                 (["--kv-heads", "8"], r"--n-head \(4\) must be divisible by --kv-heads \(8\)"),
                 (["--kv-heads", "0"], "--kv-heads: must be at least 1"),
                 (["--position", "rope", "--n-embd", "12"], "--position rope needs an even head_dim"),
                 (["--position", "rope", "--position", "sinusoidal"], "--position:? given twice"),
                 (["--position", "learned", "--position", "rope"], "--position:? given twice"),
                 (["--activation", "swish"], "invalid choice"),
                 (["--model", "lstm", "--kv-heads", "2"], "--kv-heads 2 does not apply to the lstm"),
                 (["--model", "gru", "--position", "rope"], "--position rope does not apply"),
                 (["--model", "rnn", "--activation", "swiglu"], "--activation swiglu does not apply")]
        for flags, pattern in cases:
            with self.subTest(flags=flags):
                result = train(BUNDLED_NAMES, "--steps", "1", *flags)
                assert_one_line_error(self, result, pattern)
                self.assertNotIn("step", result.stdout)
        for flags in (["--position", "rope"], ["--kv-heads", "2"], ["--activation", "swiglu"]):
            with self.subTest(seq2seq=flags):
                result = run("-m", "microgpt", "seq2seq", "--task", "reverse", "--steps", "1", *flags)
                assert_one_line_error(self, result, "to the encoder-decoder|the encoder-decoder has no")
        variant = run("-m", "microgpt", "compare", BUNDLED_NAMES, "--variant",
                      "x: --position rope --position none")
        assert_one_line_error(self, variant, "'x: --position rope --position none'.*given twice")
        with self.assertRaisesRegex(ConfigError, "kv_heads must be at least 1"):
            catalog.check(Config(kv_heads=-2))

    def test_compare_runs_them_side_by_side(self):
        result = run("-m", "microgpt", "compare", BUNDLED_NAMES, "--steps", "3", "--num-samples", "1",
                     "--variant", "rope: --position rope", "--variant", "mqa: --kv-heads 1",
                     "--variant", "swiglu: --activation swiglu",
                     "--variant", "all three: --position rope --kv-heads 2 --activation swiglu")
        self.assertEqual(result.returncode, 0, result.stderr)
        names = ("baseline", "rope", "mqa", "swiglu", "all three")
        rows = result.stdout.splitlines()[1:6]
        params = {name: int(row[len(name):].split()[0]) for name, row in zip(names, rows)}
        self.assertEqual(params, {"baseline": 4192, "rope": 4192 - 256, "mqa": 4192 - 2 * 192,
                                  "swiglu": 4192 + 1024, "all three": 4192 - 256 - 2 * 128 + 1024})

    def test_the_whole_sequence_pass_takes_them(self):
        """Under the causal mask, and padded with the padding mask, the
        encoder's pass gives the cache path's loss and gradients."""
        config = Config(n_embd=8, n_head=4, block_size=8, **ALL_THREE)
        runs = []
        for loss_of, c in ((document_loss, config), (sequence_loss, config),
                           (sequence_loss, dataclasses.replace(config, pad_to=8))):
            _, state = catalog.start(DOCS, c)  # PAD's row draws nothing: the same weights
            ids = state.tokenizer.encode_document("olivia")
            loss = loss_of(ids, state.params, state.config)
            loss.backward()
            runs.append([loss.data] + [p.grad for name, m in state.params.items()
                                       if name != "wte_pad" for row in m for p in row])
        for other in runs[1:]:
            for a, b in zip(runs[0], other):
                self.assertAlmostEqual(a, b, delta=1e-12)
        for fields in (dict(ALL_THREE, causal_mask=False), dict(ALL_THREE, model="classifier",
                                                                 causal_mask=False, n_class=2)):
            with self.subTest(**fields):
                worst = check(Config(n_embd=8, n_head=4, block_size=6, **fields))
                self.assertLess(max(worst.values()), 1e-6)


if __name__ == "__main__":
    unittest.main()
