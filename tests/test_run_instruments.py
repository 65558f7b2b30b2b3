"""The instruments for a learner's questions, beside a run: --log-grad-norms
against gradients from finite differences, and Head's repr naming where it
was and which token each weight belongs to."""
import math
import tempfile
import unittest
from pathlib import Path

from microgpt.config import Config
from microgpt.trace import trace, trace_whole
from microgpt.training import batch_loss, grad_norms, start, train_step
from tests.support import assert_one_line_error, train

DOCS = ["emma", "olivia", "ava", "isabella", "sophia", "mia"]


def finite_difference_norms(params, loss_of, h=1e-5):
    """{group: norm} of the loss's gradient, each entry (loss(p + h) - loss(p - h)) / 2h."""
    squares = {}
    for name, matrix in params.items():
        group = name.split(".")[0]
        for row in matrix:
            for p in row:
                old = p.data
                p.data = old + h
                up = loss_of()
                p.data = old - h
                down = loss_of()
                p.data = old
                squares[group] = squares.get(group, 0.0) + ((up - down) / (2 * h)) ** 2
    return {group: math.sqrt(s) for group, s in squares.items()}


class GradNormsTest(unittest.TestCase):
    CONFIGS = [Config(n_embd=4, n_head=2, n_layer=2, block_size=8, steps=3),
               Config(n_embd=4, n_head=2, n_layer=2, block_size=8, steps=3, norm="layernorm",
                      norm_placement="post", residual=False)]

    def test_norms_match_finite_differences(self):
        for config in self.CONFIGS:
            examples, state = start(DOCS, config)
            train_step(state, examples)  # away from the start, where every layer looks alike
            loss = batch_loss(examples, state.step, state.params, state.config)
            loss.backward()
            got = grad_norms(state.params)
            want = finite_difference_norms(
                state.params, lambda: batch_loss(examples, state.step, state.params, state.config).data)
            with self.subTest(config=config):
                self.assertEqual(sorted(got), sorted(want))
                self.assertEqual(list(got)[-1], "lm_head")  # the output layer last
                self.assertEqual(list(got)[:2], ["wte", "wpe"])
                for group in want:
                    self.assertAlmostEqual(got[group], want[group], delta=1e-6 + 1e-5 * want[group])
        self.assertIn("ln_emb", got)

    def test_train_step_hands_over_the_steps_gradients_and_changes_nothing(self):
        config = self.CONFIGS[0]
        examples, watched = start(DOCS, config)
        seen = []
        train_step(watched, examples, gradients=lambda params: seen.append(grad_norms(params)))
        examples, fresh = start(DOCS, config)  # the same step's gradients, from a backward of its own
        batch_loss(examples, 0, fresh.params, fresh.config).backward()
        self.assertEqual(seen, [grad_norms(fresh.params)])
        examples, plain = start(DOCS, config)
        train_step(plain, examples)
        self.assertEqual([p.data for m in watched.params.values() for r in m for p in r],
                         [p.data for m in plain.params.values() for r in m for p in r])
        self.assertEqual(watched.m, plain.m)

    def test_the_command_prints_them_every_k_steps(self):
        config = Config(n_embd=8, n_head=2, steps=4)
        examples, state = start(DOCS, config)
        want = []
        for step in range(1, 5):
            train_step(state, examples, gradients=lambda params: want.append((step, grad_norms(params))))
        want = [(s, norms) for s, norms in want if s % 2 == 0]
        with tempfile.TemporaryDirectory() as d:
            data = Path(d) / "d.txt"
            data.write_text("\n".join(DOCS) + "\n")
            tiny = (data, "--steps", "4", "--n-embd", "8", "--n-head", "2", "--num-samples", "1")
            result = train(*tiny, "--log-grad-norms", "2")
            plain = train(*tiny)
        lines = result.stdout.splitlines()
        logged = [l for l in lines if l.startswith("grad norms")]
        self.assertEqual(logged, [f"grad norms of step {s:4d} | " + "  ".join(
            f"{g} {n:.2e}" for g, n in norms.items()) for s, norms in want])
        for s, _ in want:  # each right after its step's line
            self.assertTrue(lines[lines.index(logged[s // 2 - 1]) - 1].startswith(f"step {s:4d} /"))
        self.assertEqual([l for l in lines if not l.startswith("grad norms")], plain.stdout.splitlines())
        assert_one_line_error(self, train(*tiny, "--log-grad-norms", "0"), "--log-grad-norms")


class HeadReprTest(unittest.TestCase):
    def test_a_head_names_its_place_and_the_tokens_of_its_weights(self):
        examples, state = start(DOCS, Config(n_layer=2, steps=2))
        head = trace(state.params, state.config, state.tokenizer, "emm")[3].layers[1][2]
        self.assertEqual((head.layer, head.head, head.pos, head.token), (1, 2, 3, "m"))
        self.assertEqual(head.keys, ["<BOS>", "e", "m", "m"])
        w = head.attn_weights
        self.assertTrue(repr(head).startswith(
            f"Head(layer 1, head 2, at 3 'm': attn_weights {{'<BOS>': {w[0]:.4f}, 'e': {w[1]:.4f}, "
            f"'m': {w[2]:.4f}, 'm': {w[3]:.4f}}}, attn_logits=["))
        examples, state = start(DOCS, Config(steps=2, pad_to=6))
        head = trace_whole(state.params, state.config, state.tokenizer, "ava")[2].layers[0][1]
        self.assertEqual((head.layer, head.head, head.pos, head.token), (0, 1, 2, "v"))
        self.assertEqual(head.keys, ["<BOS>", "a", "v", "a", "PAD", "PAD"])
        self.assertIn("at 2 'v': attn_weights {'<BOS>': ", repr(head))


if __name__ == "__main__":
    unittest.main()
