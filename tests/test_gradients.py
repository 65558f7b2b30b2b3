"""Gradients proven two independent ways: finite differences on every
parameter of a tiny model, and PyTorch (float64) on the same model and weights."""
import sys
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt.config import Config
from microgpt.instruments.finite_differences import DOCS, check
from microgpt.model import document_loss
from microgpt.params import flatten
from microgpt.architectures.catalog import start
from microgpt.training import batch_loss
from microgpt.value import recording
from tests.support import train

try:
    import torch
except ImportError:  # optional: the parity test is skipped without it
    torch = None


VARIANTS = [  # each switch alone, as Config fields
    {"norm": "layernorm"}, {"activation": "gelu"}, {"position": "sinusoidal"},
    {"position": "none"}, {"tie_weights": True}, {"norm_placement": "post"},
    {"residual": False}, {"norm_placement": "post", "residual": False},
    {"attention_scale": False}, {"label_smoothing": 0.1},
]
COMBINATION = {"norm": "layernorm", "activation": "gelu", "position": "sinusoidal",
               "tie_weights": True, "norm_placement": "post", "label_smoothing": 0.1}


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


def sinusoidal_table(block_size, n_embd):
    """The paper's position encodings as the Annotated Transformer builds them:
    sin in the even columns, cos in the odd ones, frequencies exp(-2i ln(10000) / d)."""
    position = torch.arange(block_size, dtype=torch.float64).unsqueeze(1)             # (T, 1)
    div_term = torch.exp(torch.arange(0, n_embd, 2, dtype=torch.float64)
                         * -(torch.log(torch.tensor(10000.0, dtype=torch.float64)) / n_embd))
    pe = torch.zeros(block_size, n_embd, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term[:n_embd // 2])
    return pe


def torch_loss(doc_ids, weights, config):
    """The forward pass written with PyTorch's own pieces (float64): the
    reference's model, or the variant the config asks for."""
    F = torch.nn.functional
    E, hd = config.n_embd, config.head_dim

    def norm(x, name):
        if config.norm == "layernorm":
            return F.layer_norm(x, (E,), weights[name + ".g"][0], weights[name + ".b"][0], eps=1e-5)
        return x * ((x * x).sum() / len(x) + 1e-5) ** -0.5

    def sublayer(x, block, name):  # pre-LN: x + block(norm(x)); post-LN: norm(x + block(x))
        if config.norm_placement == "pre":
            y = block(norm(x, name))
            return y + x if config.residual else y
        y = block(x)
        return norm(y + x if config.residual else y, name)

    act = torch.relu if config.activation == "relu" else lambda h: F.gelu(h, approximate="tanh")
    pe = sinusoidal_table(config.block_size, E)
    n = min(config.block_size, len(doc_ids) - 1)
    keys, values = [[] for _ in range(config.n_layer)], [[] for _ in range(config.n_layer)]
    all_logits = []
    for pos in range(n):
        x = weights["wte"][doc_ids[pos]]
        if config.position == "learned":
            x = x + weights["wpe"][pos]
        elif config.position == "sinusoidal":
            x = x + pe[pos]
        x = norm(x, "ln_emb")
        for li in range(config.n_layer):
            w = lambda name: weights[f"layer{li}.{name}"]

            def attention_block(x):
                q, k, v = w("attn_wq") @ x, w("attn_wk") @ x, w("attn_wv") @ x
                keys[li].append(k)
                values[li].append(v)
                K, V = torch.stack(keys[li]), torch.stack(values[li])  # (T, n_embd)
                heads = []
                for h in range(config.n_head):
                    s = slice(h * hd, (h + 1) * hd)
                    logits_h = K[:, s] @ q[s]
                    if config.attention_scale:
                        logits_h = logits_h / hd ** 0.5
                    heads.append(torch.softmax(logits_h, dim=0) @ V[:, s])    # (head_dim,)
                return w("attn_wo") @ torch.cat(heads)

            x = sublayer(x, attention_block, f"layer{li}.ln_attn")
            x = sublayer(x, lambda x: w("mlp_fc2") @ act(w("mlp_fc1") @ x), f"layer{li}.ln_mlp")
        all_logits.append((weights["wte"] if config.tie_weights else weights["lm_head"]) @ x)
    targets = torch.tensor(doc_ids[1:n + 1])
    return F.cross_entropy(torch.stack(all_logits), targets, label_smoothing=config.label_smoothing)


@unittest.skipIf(torch is None, "PyTorch not installed (pip install torch==2.13.0)")
class TorchParityTest(unittest.TestCase):
    def assert_same(self, state, ours, theirs, weights):
        self.assertAlmostEqual(ours.data, theirs.item(), delta=1e-9)
        for name, matrix in state.params.items():
            grads = torch.tensor([[p.grad for p in row] for row in matrix], dtype=torch.float64)
            diff = (grads - weights[name].grad).abs().max().item()
            self.assertLess(diff, 1e-9, name)

    def torch_weights(self, state):
        return {name: torch.tensor([[p.data for p in row] for row in matrix],
                                   dtype=torch.float64, requires_grad=True)
                for name, matrix in state.params.items()}

    def compare(self, config, doc):
        state, doc_ids = fresh_model(config, doc)
        with recording() as tape:  # as train_step does (the finite differences use the sort)
            ours = document_loss(doc_ids, state.params, state.config)
        ours.backward(tape)
        weights = self.torch_weights(state)
        theirs = torch_loss(doc_ids, weights, state.config)
        theirs.backward()
        self.assert_same(state, ours, theirs, weights)

    def test_default_model(self):
        self.compare(Config(), "isabella")

    def test_deeper_model_with_truncation(self):
        self.compare(Config(n_layer=3, n_embd=12, n_head=3, block_size=5), "christopher")

    def test_every_variant(self):
        """Each switch alone, on a 2-layer model, against PyTorch's own pieces."""
        for variant in VARIANTS:
            with self.subTest(**variant):
                self.compare(Config(n_layer=2, n_embd=12, n_head=3, block_size=8, **variant),
                             "christopher")

    def test_every_variant_at_once_on_a_batch(self):
        """The combination run's model, and a step's loss over a batch of 3 documents."""
        config = Config(n_layer=2, n_embd=8, n_head=2, block_size=6, batch_size=3, **COMBINATION)
        examples, state = start(DOCS, config)
        with recording() as tape:
            ours = batch_loss(examples, 1, state.params, state.config, state.loss)  # step 1: examples 3, 4, 5
        ours.backward(tape)
        weights = self.torch_weights(state)
        theirs = torch.stack([torch_loss(examples[i], weights, state.config)
                              for i in (3, 4, 5)]).mean()
        theirs.backward()
        self.assert_same(state, ours, theirs, weights)


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
