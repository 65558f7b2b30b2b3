"""The instruments for a learner's questions, beside a run: Head's repr
naming where it was and which token each weight belongs to."""
import unittest

from microgpt.config import Config
from microgpt.trace import trace, trace_whole
from microgpt.training import start

DOCS = ["emma", "olivia", "ava", "isabella", "sophia", "mia"]


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
