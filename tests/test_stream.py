"""The whole forward pass, stage by stage (stages.py, trace()'s Position.stream):
every intermediate vector against a forward pass on plain floats rebuilt
here from the formulas, for the reference's model and for a variant that
switches every norm-related line (LayerNorm, post-LN, GELU, sinusoidal
positions, tied weights); inspect --stream's table against those vectors."""
import math
import random
import sys
import tempfile
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt.config import Config
from microgpt.params import init_params
from microgpt.tokenizer import Tokenizer
from microgpt.instruments.readout import trace
from tests.support import assert_one_line_error, run


def hand_stream(ids, w, c):
    """{stage: floats} at each position of ids, from the formulas on plain floats."""
    mat = lambda m, x: [sum(a * b for a, b in zip(row, x)) for row in m]
    add = lambda a, b: [x + y for x, y in zip(a, b)]

    def norm(x, name):
        if c.norm == "rmsnorm":
            return [v * (sum(u * u for u in x) / len(x) + 1e-5) ** -0.5 for v in x]
        mean = sum(x) / len(x)
        var = sum((v - mean) ** 2 for v in x) / len(x)
        return [(v - mean) / math.sqrt(var + 1e-5) * g + b
                for v, g, b in zip(x, w[name + ".g"][0], w[name + ".b"][0])]

    def act(x):
        if c.activation == "relu":
            return [max(0.0, v) for v in x]
        return [0.5 * v * (1 + math.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v ** 3))) for v in x]

    def position(t):
        if c.position == "learned":
            return w["wpe"][t]
        return [math.sin(t / 10000 ** (i / c.n_embd)) if i % 2 == 0 else
                math.cos(t / 10000 ** ((i - 1) / c.n_embd)) for i in range(c.n_embd)]

    hd, keys, values, out = c.n_embd // c.n_head, [[] for _ in range(c.n_layer)], [[] for _ in range(c.n_layer)], []
    pre, post = c.norm_placement == "pre", c.norm_placement == "post"
    for t, token in enumerate(ids):
        s = {"tok_emb": w["wte"][token], "pos_emb": position(t)}
        s["x_emb"] = x = add(s["tok_emb"], s["pos_emb"])
        s["ln_emb"] = x = norm(x, "ln_emb")
        for li in range(c.n_layer):
            L = f"layer{li}."
            s[L + "attn_in"] = res = x
            if pre:
                s[L + "ln_attn"] = x = norm(x, L + "ln_attn")
            q, k, v = (mat(w[L + n], x) for n in ("attn_wq", "attn_wk", "attn_wv"))
            s[L + "q"], s[L + "k"], s[L + "v"] = q, k, v
            keys[li].append(k)
            values[li].append(v)
            heads = []
            for h in range(c.n_head):
                sl = slice(h * hd, (h + 1) * hd)
                logits = [sum(a * b for a, b in zip(q[sl], kt[sl])) / math.sqrt(hd) for kt in keys[li]]
                e = [math.exp(z - max(logits)) for z in logits]
                heads += [sum(wt / sum(e) * vt[sl][j] for wt, vt in zip(e, values[li])) for j in range(hd)]
            s[L + "heads"] = heads
            s[L + "attn_out"] = x = mat(w[L + "attn_wo"], heads)
            s[L + "attn_residual"] = x = add(x, res)
            if post:
                s[L + "ln_attn"] = x = norm(x, L + "ln_attn")
            s[L + "mlp_in"] = res = x
            if pre:
                s[L + "ln_mlp"] = x = norm(x, L + "ln_mlp")
            s[L + "mlp_fc1"] = x = mat(w[L + "mlp_fc1"], x)
            s[L + "mlp_hidden"] = x = act(x)
            s[L + "mlp_out"] = x = mat(w[L + "mlp_fc2"], x)
            s[L + "mlp_residual"] = x = add(x, res)
            if post:
                s[L + "ln_mlp"] = x = norm(x, L + "ln_mlp")
        s["logits"] = mat(w["wte"] if c.tie_weights else w["lm_head"], x)
        out.append(s)
    return out


class StreamTest(unittest.TestCase):
    tokenizer = Tokenizer(sorted("abcdefghijklmnopqrstuvwxyz"))

    def check(self, config, text="emma"):
        rng = random.Random(7)
        params = init_params(config, rng)
        for matrix in params.values():  # lively weights: gains and biases away from 1 and 0
            for row in matrix:
                for p in row:
                    p.data += rng.gauss(0, 0.3)
        floats = {n: [[p.data for p in row] for row in m] for n, m in params.items()}
        ids = [self.tokenizer.bos] + self.tokenizer.encode(text)
        positions = trace(params, config, self.tokenizer, text)
        for t, (want, got) in enumerate(zip(hand_stream(ids, floats, config), positions)):
            self.assertEqual(list(got.stream), list(want), f"stages at position {t}")
            for name, vector in want.items():
                with self.subTest(position=t, stage=name):
                    self.assertEqual(len(got.stream[name]), len(vector))
                    for a, b in zip(got.stream[name], vector):
                        self.assertAlmostEqual(a, b, delta=1e-9)
            logits = want["logits"]
            e = [math.exp(z - max(logits)) for z in logits]
            for p, q in zip(got.next_probs.values(), e):
                self.assertAlmostEqual(p, q / sum(e), delta=1e-12)

    def test_the_reference_model(self):
        self.check(Config(n_layer=2))

    def test_a_variant_on_every_norm_line(self):
        self.check(Config(n_layer=2, norm="layernorm", norm_placement="post", activation="gelu",
                          position="sinusoidal", tie_weights=True))

    def test_a_debugger_tracing_keeps_its_tracer(self):
        seen = []
        tracer = lambda frame, event, arg: seen.append(event)
        sys.settrace(tracer)
        try:
            trace(init_params(Config(), random.Random(1)), Config(), self.tokenizer, "ab")
            after = sys.gettrace()
        finally:
            sys.settrace(None)
        self.assertIs(after, tracer)


class InspectStreamTest(unittest.TestCase):
    def test_the_table_is_the_rms_of_each_stage(self):
        folder = Path(tempfile.mkdtemp())
        model = folder / "m.json"
        self.assertEqual(run("-m", "microgpt.train", "names.txt", "--steps", "5", "--num-samples", "1",
                             "--out", model).returncode, 0)
        result = run("-m", "microgpt", "inspect", model, "emma", "--stream")
        self.assertEqual(result.returncode, 0, result.stderr)
        table = result.stdout.split("at each position:\n")[1].splitlines()
        self.assertEqual(table[0].split(), ["size", "<BOS>", "e", "m", "m", "a"])
        from microgpt.plumbing import checkpoint
        state = checkpoint.load(model)
        positions = trace(state.params, state.config, state.tokenizer, "emma")
        self.assertEqual([row.split()[0] for row in table[1:]], list(positions[0].stream))
        for row in table[1:]:
            name, size, *cells = row.split()
            self.assertEqual(int(size), len(positions[0].stream[name]))
            for cell, p in zip(cells, positions):
                xs = p.stream[name]
                self.assertAlmostEqual(float(cell), math.sqrt(sum(x * x for x in xs) / len(xs)), delta=6e-4)

    def test_a_model_reading_the_whole_sequence_is_refused_in_one_line(self):
        result = run("-m", "microgpt", "inspect", "emma", "--train-steps", "1", "--causal-mask", "off", "--stream")
        assert_one_line_error(self, result, "--stream follows a GPT")


if __name__ == "__main__":
    unittest.main()
