"""Gradients proven two independent ways: finite differences on every
parameter of a tiny model, and PyTorch (float64) on the same model and weights."""
import unittest

from microgpt.config import Config
from microgpt.gradcheck import DOCS, check
from microgpt.model import document_loss, flatten
from microgpt.training import start
from microgpt.value import recording
from tests.support import train

try:
    import torch
except ImportError:  # optional: the parity test is skipped without it
    torch = None


class FiniteDifferenceModelTest(unittest.TestCase):
    def test_every_parameter_of_a_tiny_model(self):
        worst = check(Config(n_layer=1, n_embd=8, n_head=2, block_size=8))
        self.assertEqual(len(worst), 9)
        for name, err in worst.items():
            self.assertLess(err, 1e-6, name)

    def test_two_layers_three_heads_truncated_document(self):
        worst = check(Config(n_layer=2, n_embd=6, n_head=3, block_size=4), doc_index=1)
        self.assertLess(max(worst.values()), 1e-6)


def fresh_model(config, doc):
    """(RunState with new weights, doc's token ids), the vocabulary from DOCS and doc."""
    _, state = start(DOCS + [doc], config)
    return state, state.tokenizer.encode_document(doc)


def torch_loss(doc_ids, weights, config):
    """The reference forward pass written with PyTorch tensors (float64)."""
    def rmsnorm(x):
        return x * ((x * x).sum() / len(x) + 1e-5) ** -0.5
    hd = config.head_dim
    n = min(config.block_size, len(doc_ids) - 1)
    keys, values = [[] for _ in range(config.n_layer)], [[] for _ in range(config.n_layer)]
    losses = []
    for pos in range(n):
        x = rmsnorm(weights["wte"][doc_ids[pos]] + weights["wpe"][pos])
        for li in range(config.n_layer):
            w = lambda name: weights[f"layer{li}.{name}"]
            residual, x = x, rmsnorm(x)
            q, k, v = w("attn_wq") @ x, w("attn_wk") @ x, w("attn_wv") @ x
            keys[li].append(k)
            values[li].append(v)
            K, V = torch.stack(keys[li]), torch.stack(values[li])  # (T, n_embd)
            heads = []
            for h in range(config.n_head):
                s = slice(h * hd, (h + 1) * hd)
                weights_h = torch.softmax(K[:, s] @ q[s] / hd ** 0.5, dim=0)  # (T,)
                heads.append(weights_h @ V[:, s])                            # (head_dim,)
            x = w("attn_wo") @ torch.cat(heads) + residual
            residual = x
            x = w("mlp_fc2") @ torch.relu(w("mlp_fc1") @ rmsnorm(x)) + residual
        logits = weights["lm_head"] @ x
        losses.append(-torch.log_softmax(logits, dim=0)[doc_ids[pos + 1]])
    return torch.stack(losses).mean()


@unittest.skipIf(torch is None, "PyTorch not installed (pip install torch==2.13.0)")
class TorchParityTest(unittest.TestCase):
    def compare(self, config, doc):
        state, doc_ids = fresh_model(config, doc)
        with recording() as tape:  # as train_step does (the finite differences use the sort)
            ours = document_loss(doc_ids, state.params, state.config)
        ours.backward(tape)
        weights = {name: torch.tensor([[p.data for p in row] for row in matrix],
                                      dtype=torch.float64, requires_grad=True)
                   for name, matrix in state.params.items()}
        theirs = torch_loss(doc_ids, weights, state.config)
        theirs.backward()
        self.assertAlmostEqual(ours.data, theirs.item(), delta=1e-9)
        for name, matrix in state.params.items():
            grads = torch.tensor([[p.grad for p in row] for row in matrix], dtype=torch.float64)
            diff = (grads - weights[name].grad).abs().max().item()
            self.assertLess(diff, 1e-9, name)

    def test_default_model(self):
        self.compare(Config(), "isabella")

    def test_deeper_model_with_truncation(self):
        self.compare(Config(n_layer=3, n_embd=12, n_head=3, block_size=5), "christopher")


class RecordedOrderTest(unittest.TestCase):
    """Training walks the order the graph was made in, backward() a sorted one:
    same gradients, up to the order in which a node's gradients add up."""

    def gradients(self, config, doc, record):
        state, doc_ids = fresh_model(config, doc)
        if record:
            with recording() as tape:
                loss = document_loss(doc_ids, state.params, state.config)
            loss.backward(tape)
        else:
            loss = document_loss(doc_ids, state.params, state.config)
            loss.backward()
        return [p.grad for p in flatten(state.params)]

    def test_same_gradients_either_way(self):
        for config in (Config(), Config(n_layer=3, n_embd=12, n_head=3, block_size=5)):
            recorded = self.gradients(config, "christopher", record=True)
            sorted_ = self.gradients(config, "christopher", record=False)
            self.assertEqual(len(recorded), len(sorted_))
            for a, b in zip(recorded, sorted_):
                self.assertAlmostEqual(a, b, delta=1e-15 + 1e-12 * abs(b))


class DeepModelTest(unittest.TestCase):
    def test_4_layers_64_wide_trains_and_samples(self):
        """The naive engine's recursive backward overflows the stack here."""
        result = train("names.txt", "--n-layer", "4", "--n-embd", "64", "--block-size", "32",
                       "--steps", "2", "--num-samples", "2")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("sample  2:", result.stdout)


if __name__ == "__main__":
    unittest.main()
