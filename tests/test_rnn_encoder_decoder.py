"""The encoder-decoders of before the Transformer: the GRU one whose whole
source passes through the encoder's last state (bottleneck.py) and the one
with Bahdanau attention (bahdanau.py), checked against PyTorch (torch.gru_cell
and the attention written from the paper's formula), a direct float
implementation of that formula, and finite differences; their runs, their
checkpoints and their heatmaps as a learner meets them, every mistake one line."""
import json
import math
import random
import re
import tempfile
import sys
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt.architectures import bahdanau, bottleneck, catalog, pairs
from microgpt.commands import explore
from microgpt.config import Config, ConfigError
from microgpt.instruments.finite_differences import DOCS, check
from microgpt.instruments.three_kinds import ATTENTION, shape, trace_seq2seq
from microgpt.params import flatten, init_params, param_count, param_shapes
from microgpt.plumbing import checkpoint
from microgpt.plumbing.memory import step_edges
from microgpt.plumbing.terminal import heatmap_key
from microgpt.training import start_planned, train_step
from microgpt.value import Value, recording
from tests import browser
from tests.support import assert_one_line_error, interrupted, run

try:
    import torch
except ImportError:  # optional: the PyTorch comparisons are skipped without it
    torch = None

ARCHS = (("gru", "additive"), ("gru-attention", "additive"), ("gru-attention", "dot"))
TINY = ["--steps", "6", "--n-embd", "8"]
WORDS = "emma\nava\nmia\nzoe\nliam\nnoah\nivy\nlily\nanna\n"


def tiny(arch, score="additive", **kw):
    """A fresh GRU encoder-decoder on DOCS reversed: (examples, state)."""
    config = Config(**{"n_embd": 6, "block_size": 8, "arch": arch, "score": score, **kw})
    return start_planned(pairs.plan(pairs.task_pairs("reverse", DOCS), config))


def nudged(params, rng):
    """params with every number moved a little, so that the zero biases are not zero."""
    for p in flatten(params):
        p.data += rng.uniform(-0.3, 0.3)
    return params


class ModelTest(unittest.TestCase):
    def test_the_weights_are_drawn_in_the_documented_order(self):
        for arch, score in ARCHS:
            with self.subTest(arch=arch, score=score):
                _, state = tiny(arch, score)
                e, V = 6, state.config.vocab_size
                attention = arch == "gru-attention"
                cell = lambda L, n_in: [(L + "weight_ih", 18, n_in), (L + "weight_hh", 18, e),
                                        (L + "bias_ih", 1, 18), (L + "bias_hh", 1, 18)]
                want = [("wte", V, e)] + cell("enc.", e) + cell("dec.", 2 * e if attention else e)
                want += [("W_a", e, e), ("U_a", e, e), ("v_a", 1, e)] * (score == "additive"
                                                                        and attention)
                self.assertEqual(param_shapes(state.config), want + [("lm_head", V, e)])
                rng = random.Random(state.config.seed)
                rng.shuffle(pairs.task_pairs("reverse", DOCS))        # first the shuffle
                for name, rows, cols in param_shapes(state.config):   # then row by row
                    got = [p.data for row in state.params[name] for p in row]
                    drawn = [0.0] * (rows * cols) if "bias_" in name else \
                        [rng.gauss(0, 0.08) for _ in range(rows * cols)]
                    self.assertEqual(got, drawn, name)

    def test_the_bottleneck_decoder_sees_only_the_encoders_last_state(self):
        examples, state = tiny("gru")
        p, c = state.params, state.config
        src, tgt = examples[0]
        states = bottleneck.encode(src, p, c)
        noise = [[Value(9.0)] * c.n_embd for _ in states[:-1]]     # every state but the last
        logits = lambda hs: [[z.data for z in row] for row in bottleneck.decode(tgt, hs, p, c)]
        self.assertEqual(logits(states), logits(noise + states[-1:]))
        _, state = tiny("gru-attention", "dot")                     # attention reads them all
        p, c = state.params, state.config
        states = bottleneck.encode(src, p, c)
        decoded = lambda hs: [[z.data for z in row] for row in bahdanau.decode(tgt, hs, p, c)]
        self.assertNotEqual(decoded(states), decoded(noise + states[-1:]))

    def test_the_attention_is_the_formula(self):
        """e_j = v . tanh(W_a s + U_a h_j) (or s . h_j), w = softmax(e),
        context = sum_j w_j h_j, written here with floats and math."""
        rng = random.Random(4)
        for score in ("additive", "dot"):
            with self.subTest(score=score):
                _, state = tiny("gru-attention", score)
                p, c = nudged(state.params, rng), state.config
                hs = [[Value(rng.gauss(0, 1)) for _ in range(6)] for _ in range(5)]
                s = [Value(rng.gauss(0, 1)) for _ in range(6)]
                records = []
                context = bahdanau.attend(s, hs, bahdanau.keys_of(hs, p, c), p, c, records)
                f = lambda vec: [x.data for x in vec]
                mat = lambda m: [f(row) for row in m]
                H, S = mat(hs), f(s)
                matvec = lambda M, x: [sum(a * b for a, b in zip(row, x)) for row in M]
                if score == "dot":
                    e = [sum(a * b for a, b in zip(S, h)) for h in H]
                else:
                    Ws, v = matvec(mat(p["W_a"]), S), f(p["v_a"][0])
                    e = [sum(v_d * math.tanh(a + b) for v_d, a, b in
                             zip(v, Ws, matvec(mat(p["U_a"]), h))) for h in H]
                w = [math.exp(x - max(e)) for x in e]
                w = [x / sum(w) for x in w]
                want = [sum(w_j * h[d] for w_j, h in zip(w, H)) for d in range(6)]
                for got, expected in ((f(context), want), (f(records[0][1]), w),
                                      (f(records[0][0]), e)):
                    self.assertLess(max(abs(a - b) for a, b in zip(got, expected)), 1e-12)
                self.assertAlmostEqual(sum(w), 1.0, places=14)

    def test_greedy_decoding_is_the_decoders_argmax_again(self):
        for arch, score in ARCHS:
            with self.subTest(arch=arch, score=score):
                examples, state = tiny(arch, score, steps=30, lr=0.05)
                while state.step < 30:
                    train_step(state, examples)
                src, tgt, written, maps = trace_seq2seq(state.params, state.config,
                                                        state.tokenizer, "emma")
                out = pairs.translate(state.params, state.config, state.tokenizer, "emma")
                self.assertEqual(written, list(out) + ["END"] * (len(out) + 1 < 8))
                self.assertEqual(tgt, ["BOS"] + list(out))
                self.assertEqual(shape((src, tgt, written, maps)), (1, 1) if maps else (0, 0))
                for kind in maps:  # Bahdanau: a row per decoder step, each summing to 1
                    (rows,), = maps[kind]
                    self.assertEqual((len(rows), len(rows[0])), (len(tgt), len(src)))
                    self.assertTrue(all(abs(sum(r) - 1) < 1e-12 for r in rows))

    def test_settings_that_do_not_apply_are_refused(self):
        for arch, kw, said in (("gru", {"n_head": 2}, "does not apply to the gru"),
                               ("gru-attention", {"n_layer": 2}, "one GRU cell"),
                               ("gru", {"norm": "layernorm"}, "no norms"),
                               ("gru", {"score": "dot"}, "needs arch='gru-attention'"),
                               ("transformer", {"score": "dot", "n_embd": 8},
                                "needs arch='gru-attention'")):
            with self.subTest(arch=arch, **kw), self.assertRaisesRegex(ConfigError, said):
                tiny(arch, **kw)
        with self.assertRaisesRegex(ConfigError, "needs model='seq2seq'"):
            catalog.check(Config(arch="gru"))
        with self.assertRaisesRegex(ConfigError, "arch must be one of"):
            Config(arch="lstm")
        tiny("gru", n_embd=7)  # no heads: any width

    def test_the_memory_estimate_follows_the_graph(self):
        for arch, score in ARCHS + (("transformer", "additive"),):
            for e, T in ((8, 5), (16, 9)):
                config = Config(model="seq2seq", arch=arch, score=score, n_embd=e, block_size=T)
                params = init_params(config, random.Random(1))
                src, tgt = [26] + [i % 26 for i in range(T - 1)], [26] + [3] * (T - 1) + [26]
                with recording() as tape:
                    catalog.loss_of(config)((src, tgt), params, config)
                edges = sum(len(node._children) for node in tape)
                with self.subTest(arch=arch, score=score, n_embd=e):
                    self.assertLess(abs(step_edges(config, T + 1) / edges - 1), 0.1)  # tgt's


class FiniteDifferencesTest(unittest.TestCase):
    def test_every_gradient_matches_finite_differences(self):
        for arch, score in ARCHS:
            with self.subTest(arch=arch, score=score):
                config = Config(n_embd=4, block_size=8, model="seq2seq", arch=arch, score=score,
                                vocab_size=12)
                worst = check(config, doc_index=1)
                self.assertEqual(set(worst), {n for n, _, _ in param_shapes(config)})
                self.assertLess(max(worst.values()), 1e-6, worst)

    def test_gradcheck_checks_them(self):
        r = run("-m", "microgpt", "gradcheck", "--model", "seq2seq", "--arch", "gru-attention",
                "--n-embd", "4")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"\nU_a +\d\.\d\de-\d\d\n")


@unittest.skipUnless(torch, "PyTorch is not installed")
class AgainstTorchTest(unittest.TestCase):
    def torch_loss(self, W, example, config):
        """The model written with torch.gru_cell and the paper's formula, on tensors."""
        src, tgt = example
        cell = lambda x, h, L: torch.gru_cell(x, h, W[L + "weight_ih"], W[L + "weight_hh"],
                                              W[L + "bias_ih"][0], W[L + "bias_hh"][0])
        h = torch.zeros(1, config.n_embd, dtype=torch.float64)
        states = []
        for token in src:
            h = cell(W["wte"][token:token + 1], h, "enc.")
            states.append(h[0])
        H, s, losses = torch.stack(states), h, []                     # H: (T_src, n_embd)
        for prev, target in zip(tgt[:-1], tgt[1:]):
            x = W["wte"][prev:prev + 1]
            if config.arch == "gru-attention":
                e = (H @ s[0] if config.score == "dot" else
                     torch.tanh(W["W_a"] @ s[0] + H @ W["U_a"].T) @ W["v_a"][0])
                context = torch.softmax(e, dim=0) @ H                 # sum_j w_j h_j
                x = torch.cat([x, context[None]], dim=1)
            s = cell(x, s, "dec.")
            logits = (W["lm_head"] @ s[0])[None]
            losses.append(torch.nn.functional.cross_entropy(
                logits, torch.tensor([target]), label_smoothing=config.label_smoothing))
        return torch.stack(losses).mean()

    def test_the_encoder_is_torch_gru_cell_step_by_step(self):
        _, state = tiny("gru")
        p = nudged(state.params, random.Random(2))
        src = [3, 1, 4, 1, 5]
        ours = bottleneck.encode(src, p, state.config)
        t = {name: torch.tensor([[x.data for x in row] for row in m], dtype=torch.float64)
             for name, m in p.items()}
        h = torch.zeros(1, 6, dtype=torch.float64)
        for token, h_ours in zip(src, ours):
            h = torch.gru_cell(t["wte"][token:token + 1], h, t["enc.weight_ih"],
                               t["enc.weight_hh"], t["enc.bias_ih"][0], t["enc.bias_hh"][0])
            self.assertLess(max(abs(a.data - b) for a, b in zip(h_ours, h[0].tolist())), 1e-14)

    def test_loss_and_every_gradient_match_pytorch(self):
        rng = random.Random(5)
        for arch, score in ARCHS:
            for smoothing in (0.0, 0.1):
                with self.subTest(arch=arch, score=score, label_smoothing=smoothing):
                    examples, state = tiny(arch, score, label_smoothing=smoothing)
                    params = nudged(state.params, rng)
                    for example in examples[:3]:
                        loss = state.loss(example, params, state.config)
                        loss.backward()
                        W = {name: torch.tensor([[x.data for x in row] for row in m],
                                                dtype=torch.float64, requires_grad=True)
                             for name, m in params.items()}
                        expected = self.torch_loss(W, example, state.config)
                        expected.backward()
                        self.assertAlmostEqual(loss.data, expected.item(), places=12)
                        theirs = [g for name in params for g in W[name].grad.flatten().tolist()]
                        ours = flatten(params)
                        self.assertLess(max(abs(a.grad - b) for a, b in zip(ours, theirs)), 1e-12)
                        for x in ours:
                            x.grad = 0.0


def seq2seq(*args, **kw):
    return run("-m", "microgpt", "seq2seq", *args, **kw)


def length_rows(stdout):
    """The by-length table's rows: (length, pairs, right, exact match %)."""
    table = stdout.split("exact match by source length:\n")[1].splitlines()[1:]
    rows = [re.fullmatch(r" *(\d+) +(\d+) +(\d+) +(\d+\.\d)%", line) for line in table]
    return [tuple(map(float, m.groups())) for m in rows if m]


class CommandTest(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp())
        (self.dir / "words.txt").write_text(WORDS)

    def test_each_run_prints_its_accuracy_by_source_length(self):
        for arch in ("transformer", "gru", "gru-attention"):
            with self.subTest(arch=arch):
                r = seq2seq("--task", "reverse", "words.txt", *TINY, "--arch", arch,
                            "--val-fraction", "0.4", "--out", f"{arch}.json", cwd=self.dir)
                self.assertEqual(r.returncode, 0, r.stderr)
                exact = re.search(r"exact match (\d+\.\d)% \((\d) of (\d)\)", r.stdout)
                rows = length_rows(r.stdout)
                held = pairs.replay(pairs.task_pairs("reverse", WORDS.split()),
                                    Config(val_fraction=0.4))[1]
                self.assertEqual([n for n, *_ in rows], sorted({len(w) for w, _ in held}))
                self.assertEqual(sum(count for _, count, _, _ in rows), int(exact.group(3)))
                self.assertEqual(sum(right for _, _, right, _ in rows), int(exact.group(2)))
                for n, count, right, percent in rows:
                    self.assertEqual(percent, round(100 * right / count, 1))
                r = seq2seq(f"{arch}.json", "--eval", "words.txt", cwd=self.dir)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual([(n, count) for n, count, _, _ in length_rows(r.stdout)],
                                 [(3.0, 4.0), (4.0, 5.0)])
                saved = json.loads((self.dir / f"{arch}.json").read_text())["config"]
                self.assertEqual((saved["arch"], saved["score"]), (arch, "additive"))

    def test_interrupt_and_resume_is_bit_identical(self):
        for arch, flags in (("gru", []), ("gru-attention", ["--score", "dot"])):
            with self.subTest(arch=arch):
                args = ["--task", "reverse", "words.txt", "--n-embd", "8", "--steps", "60",
                        "--arch", arch, *flags]
                whole = seq2seq(*args, "--out", "whole.json", cwd=self.dir)
                first, err, status = interrupted("seq2seq", [*args, "--out", "m.json"],
                                                 self.dir, 10)
                self.assertEqual(status, 130, err)
                resumed = seq2seq("--resume", "m.json", cwd=self.dir)
                self.assertEqual(resumed.returncode, 0, resumed.stderr)
                steps = lambda out: [l for l in out.splitlines() if l.startswith("step ")]
                self.assertEqual(steps(first) + steps(resumed.stdout), steps(whole.stdout))
                tail = lambda out: out.split("step   60 /   60")[1]
                self.assertEqual(tail(resumed.stdout), tail(whole.stdout))
                saved = [json.loads((self.dir / f).read_text()) for f in ("whole.json", "m.json")]
                self.assertEqual(*[(s["params"], s["adam"], s["rng"], s["losses"]) for s in saved])
                texts = [seq2seq(f, "--text", "emma", cwd=self.dir)
                         for f in ("whole.json", "m.json")]
                self.assertEqual(texts[0].returncode, 0, texts[0].stderr)
                self.assertEqual(texts[0].stdout, texts[1].stdout)

    def test_text_inspect_and_the_page_draw_bahdanaus_weights(self):
        seq2seq("--task", "reverse", "words.txt", *TINY, "--arch", "gru-attention", "--out",
                "a.json", cwd=self.dir)
        state = checkpoint.load(self.dir / "a.json")
        src, tgt, written, maps = trace_seq2seq(state.params, state.config, state.tokenizer, "emma")
        (weights,), = maps["additive"]
        r = seq2seq("a.json", "--text", "emma", "--svg", "a.svg", cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(lines[0], f"emma -> {''.join(w for w in written if w != 'END')}")
        self.assertIn("e_j = v_a . tanh(W_a s + U_a h_j)", lines[2])
        self.assertEqual(lines[3].split(), ["BOS", "e", "m", "m", "a"])   # columns: the source
        self.assertEqual([l.split()[0] for l in lines[4:lines.index("", 4)]], written)  # rows: each step's output
        self.assertEqual(lines[-2:], heatmap_key("additive"))           # then the key
        self.assertIn("Bahdanau attention", (self.dir / "a.svg").read_text())
        r = run("-m", "microgpt", "inspect", "a.json", "emma", "--numbers", cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        first = next(i for i, l in enumerate(lines) if l.startswith("layer 0, head 0")) + 2
        numbers = [[float(x) for x in l.split()[1:]] for l in lines[first:lines.index("", first)]]
        self.assertIn("the additive heatmaps:", lines[first:])          # its key, under it
        self.assertEqual(numbers, [[round(w, 2) for w in row] for row in weights])
        page = explore.page_data(state, ["emma"], "a.json", mode="traces")
        kind, = page["traces"][0]["kinds"]
        self.assertEqual((kind["kind"], kind["title"]), ATTENTION[0])
        self.assertEqual(kind["layers"], [[weights]])

    def test_the_bottleneck_has_no_attention_to_draw(self):
        seq2seq("--task", "reverse", "words.txt", *TINY, "--arch", "gru", "--out", "g.json",
                cwd=self.dir)
        r = seq2seq("g.json", "--text", "emma", cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"^emma -> [a-z]*\n\nno attention to show: .*last state")
        assert_one_line_error(self, seq2seq("g.json", "--text", "emma", "--svg", "g.svg",
                                            cwd=self.dir), "--svg draws attention")
        assert_one_line_error(self, run("-m", "microgpt", "inspect", "g.json", "emma",
                                        cwd=self.dir), "--arch gru encoder-decoder: it has no "
                                                       "attention to show")
        self.assertFalse((self.dir / "g.svg").exists())

    def test_mistakes_are_one_line_errors(self):
        seq2seq("--task", "reverse", "words.txt", *TINY, "--arch", "gru", "--out", "g.json",
                cwd=self.dir)
        task = ["--task", "reverse", "words.txt"]
        cases = [
            ([*task, "--arch", "lstm"], "argument --arch: invalid choice: 'lstm'"),
            ([*task, "--score", "dot"], "--score .* needs --arch gru-attention"),
            ([*task, "--arch", "gru", "--score", "additive"],
             "--score .* needs --arch gru-attention"),
            ([*task, "--arch", "gru-attention", "--score", "cosine"], "invalid choice: 'cosine'"),
            ([*task, "--arch", "gru", "--n-head", "2"], "--n-head 2 does not apply to the gru "
                                                         "encoder-decoder"),
            ([*task, "--arch", "gru-attention", "--n-layer", "2"], "--n-layer 2 does not apply"),
            # the GPT's newer switches too: refused, never accepted and ignored
            ([*task, "--arch", "gru", "--bias"], "--bias does not apply to the gru encoder-decoder"),
            ([*task, "--arch", "gru-attention", "--kv-heads", "2"], "--kv-heads 2 does not apply"),
            ([*task, "--arch", "gru", "--final-norm"], "--final-norm does not apply"),
            ([*task, "--arch", "gru", "--no-embedding-norm"], "--no-embedding-norm does not apply"),
            ([*task, "--arch", "gru", "--n-embd", "200000"], "needs about .* of memory"),
            (["--resume", "g.json", "--steps", "9", "--arch", "gru-attention"],
             "--arch gru-attention differs from the checkpoint's --arch gru"),
            (["g.json", "--text", "emma", "--arch", "gru"], "take no training flags"),
        ]
        for args, pattern in cases:
            with self.subTest(args=args):
                assert_one_line_error(self, seq2seq(*args, cwd=self.dir), pattern)
        assert_one_line_error(self, run("-m", "microgpt", "gradcheck", "--arch", "gru",
                                        cwd=self.dir), "--arch gru is an encoder-decoder's: it "
                                                       "needs --model seq2seq")
        for arch in ("gru", "transformer"):  # the default one too: used or refused
            assert_one_line_error(self, run("-m", "microgpt.train", "--arch", arch, cwd=self.dir),
                                  f"--arch {arch} picks an encoder-decoder: it needs --model seq2seq")


@browser.needs_chromium
class PageTest(unittest.TestCase):
    def test_the_page_draws_the_weights_and_the_bottleneck_says_it_has_none(self):
        for arch in ("gru-attention", "gru"):
            with self.subTest(arch=arch), tempfile.TemporaryDirectory() as d:
                examples, state = tiny(arch, steps=20, lr=0.05)
                while state.step < 20:
                    train_step(state, examples)
                page = Path(d) / "page.html"
                page.write_text(explore.page(state, ["emma", "ava"], "t", mode="traces"),
                                encoding="utf-8")
                answer, log = browser.check(page, {"texts": ["emma", "ava"]})
                dom, _ = browser.dump_dom(page)
                self.assertEqual((answer["errors"], browser.console_errors(log)), ([], []))
                for text, got in zip(["emma", "ava"], answer["traces"]):
                    src, tgt, written, maps = trace_seq2seq(state.params, state.config,
                                                            state.tokenizer, text)
                    self.assertEqual(got["written"], written)
                    self.assertEqual(got["heatmaps"], len(maps))
                    for k, kind in zip(got["kinds"], maps):
                        (drawn,), = k["layers"]
                        (want,), = maps[kind]
                        self.assertEqual(k["titles"], [f"layer 0, head 0: {ATTENTION[0][1]}"])
                        self.assertLess(max(abs(a - b) for r, s in zip(drawn, want)
                                            for a, b in zip(r, s)), 1e-9)
                if arch == "gru":
                    self.assertIn("has no attention", dom)


if __name__ == "__main__":
    unittest.main()
