"""The whole forward pass, stage by stage (stages.py, trace()'s Position.stream):
every intermediate vector against the tests' forward pass on plain floats
(float_gpt.py), for the reference's model, for a variant that switches every
norm-related line (LayerNorm, post-LN, GELU, sinusoidal positions, tied
weights) and for one that switches the others (no residual, no attention
scale, no positions); inspect --stream's table against those vectors."""
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
from tests import float_gpt
from tests.support import assert_one_line_error, run


class StreamTest(unittest.TestCase):
    tokenizer = Tokenizer(sorted("abcdefghijklmnopqrstuvwxyz"))

    def check(self, config, text="emma"):
        rng = random.Random(7)
        params = init_params(config, rng)
        for matrix in params.values():  # lively weights: gains and biases away from 1 and 0
            for row in matrix:
                for p in row:
                    p.data += rng.gauss(0, 0.3)
        ids = [self.tokenizer.bos] + self.tokenizer.encode(text)
        positions = trace(params, config, self.tokenizer, text)
        wanted = [p.stream for p in float_gpt.forward(ids, float_gpt.floats(params), config)]
        self.assertEqual(len(positions), len(wanted))
        for t, (want, got) in enumerate(zip(wanted, positions)):
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

    def test_a_variant_on_the_other_lines(self):
        # no residual (no attn_residual, no mlp_residual stage), unscaled logits, no positions
        self.check(Config(n_layer=2, residual=False, attention_scale=False, position="none"))

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
