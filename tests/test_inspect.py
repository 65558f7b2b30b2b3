"""Tracing, the two views of attention, the inspect command, pictures, the
value graph, the gradient-check command and the examples."""
import math
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt.attention import causal_attention_matrix
from microgpt.config import Config
from microgpt.plumbing.corpus import load_docs
from microgpt.instruments.graph import to_dot, tree
from microgpt.instruments.readout import attention_matrix, trace
from microgpt.architectures.catalog import start
from microgpt.training import train_step
from microgpt.plumbing import checkpoint
from microgpt.plumbing.terminal import SHADES, heatmap_key, shade
from microgpt.value import Value
from tests.support import BUNDLED_NAMES, ROOT, assert_one_line_error, help_of, run, train

SVG = "{http://www.w3.org/2000/svg}"


def trained(config, steps):
    docs, state = start(load_docs(BUNDLED_NAMES), config)
    for _ in range(steps):
        train_step(state, docs)
    return state


class TwoViewsTest(unittest.TestCase):
    def test_cache_path_equals_masked_matrix_on_a_trained_model(self):
        for config in (Config(steps=60), Config(steps=60, n_layer=2, n_embd=12, n_head=3)):
            state = trained(config, 60)
            positions = trace(state.params, state.config, state.tokenizer, "christopher")
            last = positions[-1]
            for layer in range(config.n_layer):
                for h in range(config.n_head):
                    Q = [p.layers[layer][h].q_h for p in positions]
                    K, V = last.layers[layer][h].k_h, last.layers[layer][h].v_h  # the full cache
                    W, out = causal_attention_matrix(Q, K, V)
                    for i, p in enumerate(positions):
                        head = p.layers[layer][h]
                        self.assertEqual(W[i][i + 1:], [0.0] * (len(W) - i - 1))  # the mask
                        for a, b in zip(W[i], head.attn_weights):
                            self.assertAlmostEqual(a, b, delta=1e-12)
                        for a, b in zip(out[i], head.head_out):
                            self.assertAlmostEqual(a, b, delta=1e-12)

    def test_attention_weights_are_the_softmax_of_the_scaled_dot_products(self):
        # recomputed here from the traced q_h and k_h with math.exp, not with the engine's softmax
        state = trained(Config(steps=20), 20)
        for p in trace(state.params, state.config, state.tokenizer, "emma"):
            for head in p.layers[0]:
                logits = [sum(q * k for q, k in zip(head.q_h, k_t)) / math.sqrt(len(head.q_h))
                          for k_t in head.k_h]
                exps = [math.exp(l) for l in logits]
                want = [e / sum(exps) for e in exps]
                with self.subTest(pos=p.pos):
                    self.assertEqual(len(head.attn_weights), p.pos + 1)  # itself and the past only
                    for a, b in zip(head.attn_weights, want):
                        self.assertAlmostEqual(a, b, delta=1e-12)
                    self.assertAlmostEqual(sum(head.attn_weights), 1.0, delta=1e-12)

    def test_tracing_changes_no_training_result(self):
        config = Config(steps=6)
        a, b = trained(config, 3), trained(config, 3)
        trace(a.params, a.config, a.tokenizer, "emma")
        docs = start(load_docs(BUNDLED_NAMES), config)[0]
        for _ in range(3):
            self.assertEqual(train_step(a, docs), train_step(b, docs))

    def test_trace_refuses_unknown_or_too_long_text(self):
        state = trained(Config(steps=1), 0)
        with self.assertRaisesRegex(ValueError, "'E'"):
            trace(state.params, state.config, state.tokenizer, "Emma")
        with self.assertRaisesRegex(ValueError, "too long"):
            trace(state.params, state.config, state.tokenizer, "a" * 16)


    def test_a_token_whose_text_reads_bos_is_not_taken_for_bos(self):
        _, state = start(["<BOS> x <BOS>"] * 5, Config(tokenizer="bpe", bpe_vocab_size=40))
        self.assertIn("<BOS>", state.tokenizer.tokens)  # BPE learned it from the data
        positions = trace(state.params, state.config, state.tokenizer, "<BOS>")
        self.assertEqual([p.token for p in positions], ["<BOS>", "'<BOS>'"])
        for p in positions:
            self.assertEqual(len(p.next_probs), state.config.vocab_size)
            self.assertAlmostEqual(sum(p.next_probs.values()), 1.0, places=12)


class InspectCommandTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = Path(tempfile.mkdtemp())
        cls.model = cls.folder / "model.json"
        result = train(BUNDLED_NAMES, "--steps", "40", "--num-samples", "1", "--out", cls.model)
        assert result.returncode == 0, result.stderr

    def inspect(self, *args):
        return run("-m", "microgpt", "inspect", *args, cwd=self.folder)

    def test_heatmaps_predictions_and_svg(self):
        result = self.inspect(self.model, "emma", "--svg", "att.svg")
        self.assertEqual(result.returncode, 0, result.stderr)
        out = result.stdout
        for h in range(4):
            self.assertIn(f"layer 0, head {h}", out)
        self.assertIn("BOS  ██  ·   ·   ·   ·", out)   # row 0 sees only itself
        self.assertIn("after 'emma':", out)
        root = ET.parse(self.folder / "att.svg").getroot()
        self.assertEqual(root.tag, SVG + "svg")
        # per head: 5 x 5 cells, 15 on or below the diagonal shaded, 10 masked
        cells = [r for r in root.iter(SVG + "rect") if r.get("width") == "28"]
        self.assertEqual(len(cells), 4 * 25)

    def test_svg_of_control_characters_is_still_xml(self):
        data = self.folder / "controls.txt"
        data.write_text("a\x0bb\nab\x01\nba\n" * 20, encoding="utf-8")
        model = self.folder / "controls.json"
        self.assertEqual(train(data, "--steps", "2", "--out", model).returncode, 0)
        result = self.inspect(model, "a\x0bb\x01", "--svg", "controls.svg")
        self.assertEqual(result.returncode, 0, result.stderr)
        labels = [t.text for t in ET.parse(self.folder / "controls.svg").getroot().iter(SVG + "text")]
        self.assertIn("U+000B", labels)
        self.assertIn("U+0001", labels)

    def test_numbers_and_fresh_training(self):
        result = self.inspect(self.model, "ava", "--numbers")
        self.assertEqual(result.returncode, 0, result.stderr)
        state = checkpoint.load(self.folder / self.model)
        positions = trace(state.params, state.config, state.tokenizer, "ava")
        for h in range(state.config.n_head):  # each head's last row, as the trace has it
            row = " ".join(f"{w:.2f}" for w in positions[-1].layers[0][h].attn_weights)
            self.assertIn(f"  a  {row}", result.stdout.split(f"layer 0, head {h} ")[1])
        fresh = self.inspect("ava", "--train-steps", "3", "--data", BUNDLED_NAMES)
        self.assertEqual(fresh.returncode, 0, fresh.stderr)
        self.assertIn("fresh model, 3 steps", fresh.stdout)

    def test_a_fresh_model_takes_train_s_model_flags(self):
        fresh = self.inspect("ava", "--train-steps", "2", "--n-head", "2", "--n-embd", "8",
                             "--data", BUNDLED_NAMES)
        self.assertEqual(fresh.returncode, 0, fresh.stderr)
        self.assertIn("layer 0, head 1 ", fresh.stdout)
        self.assertNotIn("layer 0, head 2 ", fresh.stdout)  # two heads, as asked
        self.assertIn("usage: python -m microgpt inspect [options] [CHECKPOINT] TEXT",
                      help_of("inspect").stdout)

    def test_a_fresh_model_s_text_is_refused_before_it_trains(self):
        # a million steps would take hours: refused at once, or this times out
        for text, pattern in (("EMMA", "'E' 'M' 'A'"), ("a" * 20, "too long")):
            with self.subTest(text=text):
                result = run("-m", "microgpt", "inspect", text, "--train-steps", "1000000",
                             "--data", BUNDLED_NAMES, timeout=60)
                assert_one_line_error(self, result, pattern)

    def test_mistakes_are_one_line(self):
        for args, pattern in [((self.model, "Emma"), "'E'"),
                              ((self.model, "emma", "--n-head", "2"), "needs --train-steps"),
                              ((self.model, "em", "ma"), "expected \\[CHECKPOINT\\] TEXT"),
                              ((self.model, "a" * 20), "too long"),
                              (("missing.json", "emma"), "no such file"),
                              (("emma",), "--train-steps"),
                              ((self.model, "emma", "--train-steps", "2"), "not both")]:
            with self.subTest(args=args):
                assert_one_line_error(self, self.inspect(*args), pattern)


    def test_the_heatmaps_come_with_their_key(self):
        shaded, numbered = self.inspect(self.model, "emma"), self.inspect(self.model, "ava", "--numbers")
        for result, key in ((shaded, heatmap_key("causal")), (numbered, heatmap_key("causal", True))):
            self.assertEqual(result.returncode, 0, result.stderr)
            lines = result.stdout.splitlines()
            self.assertEqual(lines.count(key[0]), 1)         # once, under the last heatmap
            at = lines.index(key[0])
            last = max(i for i, l in enumerate(lines) if l.startswith("layer 0, head 3"))
            self.assertEqual(lines[last:at].count(""), 1)   # the last heatmap, a blank, the key
            self.assertEqual(lines[at - 1:at + 3], [""] + key + [""])
            self.assertTrue(lines[at + 3].startswith("next-character guesses"))
        self.assertRegex(key[1], r"^look for: each row sums to 1; .*causal mask")
        # what the key says of each shade is what terminal.shade draws
        ranges = shaded.stdout.split("key: ")[1].split(";")[0].split(", ")
        self.assertEqual([r[0] for r in ranges], list(SHADES))
        bounds = [0.0, 0.25, 0.5, 0.75, 1.0]
        for i, r in enumerate(ranges):
            self.assertIn(f"{bounds[i + 1]:g}", r)
            for w in (bounds[i], (bounds[i] + bounds[i + 1]) / 2, bounds[i + 1] - 1e-9):
                self.assertEqual(shade(w), r[0] * 2, (r, w))
        self.assertEqual(shade(1.0), SHADES[-1] * 2)
        self.assertIn("not rescaled per row", shaded.stdout)

    def test_ablate_s_help_says_which_documents_it_reads(self):
        ablate = help_of("inspect").stdout.split("--ablate L.H")[1].split("--docs")[0]
        ablate = " ".join(ablate.split())
        self.assertNotIn("held-out loss", ablate)
        self.assertIn("on the first 100 documents of --data, else of the checkpoint's training data",
                      ablate)
        # and so it does: this run has no split, and ablation reads the first 100 documents
        result = self.inspect(self.model, "--ablate", "0.1")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertRegex(result.stdout, r"loss over 100 first documents of .*names.txt: intact")

    def test_layer_and_head_choose_among_a_gpt_s_heads(self):
        titles = lambda out: [l.split("   ")[0] for l in out.splitlines() if l.startswith("layer ")]
        for flags, want in ((("--head", "2"), ["layer 0, head 2"]),
                            (("--layer", "0"), [f"layer 0, head {h}" for h in range(4)]),
                            (("--layer", "0", "--head", "3"), ["layer 0, head 3"])):
            with self.subTest(flags=flags):
                result = self.inspect(self.model, "emma", *flags)
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertEqual(titles(result.stdout), want)
                self.assertIn("after 'emma':", result.stdout)
        # head 2's heatmap is the one the whole printout shows for head 2
        alone = self.inspect(self.model, "emma", "--head", "2", "--numbers").stdout
        whole = self.inspect(self.model, "emma", "--numbers").stdout
        block = alone.split("layer 0, head 2")[1].split("\n\n")[0]
        self.assertIn(block, whole.split("layer 0, head 2")[1])
        for flags, pattern in ((("--head", "4"), "--head 4: .* has 4 heads \\(heads 0..3\\)"),
                               (("--layer", "1"), "--layer 1: .* has 1 layer \\(layers 0..0\\)")):
            with self.subTest(flags=flags):
                assert_one_line_error(self, self.inspect(self.model, "emma", *flags), pattern)
        # a fresh model's is refused before a million steps of training, or this times out
        late = run("-m", "microgpt", "inspect", "ava", "--train-steps", "1000000", "--n-head", "2",
                   "--n-embd", "8", "--head", "2", "--data", BUNDLED_NAMES, timeout=60)
        assert_one_line_error(self, late, "--head 2: .* has 2 heads")


class PicturesAndToolsTest(unittest.TestCase):
    def test_loss_plot_and_parameter_table(self):
        folder = Path(tempfile.mkdtemp())
        result = train(BUNDLED_NAMES, "--steps", "12", "--num-samples", "1", "--plot",
                       folder / "loss.svg", "--params")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertRegex(result.stdout, r"total\s+4192")  # where a learner reads
        root = ET.parse(folder / "loss.svg").getroot()
        lines = list(root.iter(SVG + "polyline"))
        self.assertEqual(len(lines), 2)  # raw and running mean
        self.assertEqual(len(lines[0].get("points").split()), 12)

    def test_value_graph_text_and_dot(self):
        a, b = Value(2.0), Value(-3.0)
        c = a * b + a
        c.backward()
        text = tree(c, names={a: "a", b: "b"})  # c = a*b + a: dc/da = b + 1, dc/db = a
        self.assertEqual(text.splitlines(), ["+       data -4  grad 1",
                                             "  *     data -6  grad 1",
                                             "    a   data 2  grad -2",
                                             "    b   data -3  grad 2",
                                             "  a     data 2  grad -2"])
        self.assertIn("(again)", tree(c * c))
        source = to_dot(c, names={a: "a"})
        self.assertTrue(source.startswith("digraph") and source.rstrip().endswith("}"))
        self.assertEqual(source.count("->"), 2 + 2 + 2)  # op -> value, children -> op
        deep = Value(1.0)
        for _ in range(5000):
            deep = deep + 1.0
        self.assertEqual(len(tree(deep).splitlines()), 5001)  # no recursion

    def test_gradcheck_command(self):
        ok = run("-m", "microgpt", "gradcheck")
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        self.assertIn("layer0.mlp_fc2", ok.stdout)
        strict = run("-m", "microgpt", "gradcheck", "--tolerance", "1e-15")
        self.assertEqual(strict.returncode, 1)
        self.assertIn("too large", strict.stdout)


class ExamplesTest(unittest.TestCase):
    def example(self, name, *args):
        result = run(ROOT / "examples" / name, *args)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout

    def test_attention_on_emma(self):
        out = self.example("attention_emma.py", "--steps", "5")
        self.assertIn("attn_weights", out)
        self.assertIn("sums to 1", out)

    def test_own_dataset(self):
        out = self.example("own_dataset.py", "--steps", "5", "--samples", "2")
        self.assertIn("40 documents", out)
        self.assertEqual(out.count("new:"), 2)


if __name__ == "__main__":
    unittest.main()
