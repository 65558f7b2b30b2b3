"""Attention over the whole sequence and the encoder, checked against
independent implementations: PyTorch's scaled_dot_product_attention for each
mask, the cache path for the causal mask, finite differences and a PyTorch
model written from the equations for the classifier, the maskless GPT and
the masked language model;
padding with its mask against the unpadded run."""
import dataclasses
import random
import sys
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt.architectures import bert as classification, catalog, mlm
from microgpt.attention import causal, key_padding, no_mask, sequence_attention
from microgpt.config import Config, ConfigError
from microgpt.architectures.bert import classifier_loss
from microgpt.architectures.encoder import sequence_loss, whole_reader
from microgpt.instruments.finite_differences import DOCS, check
from microgpt.generate import sample
from microgpt.model import document_loss
from microgpt.params import flatten
from microgpt.architectures.catalog import start
from microgpt.training import start_planned, train_step
from microgpt.value import Value

try:
    import torch
except ImportError:  # optional: the PyTorch comparisons are skipped without it
    torch = None


def random_rows(rng, rows, cols):
    return [[Value(rng.gauss(0, 1)) for _ in range(cols)] for _ in range(rows)]


def gradients(loss, params):
    """d loss / d p for every parameter, then the gradients zeroed again."""
    for p in params:
        p.grad = 0.0
    loss.backward()
    grads = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    return grads


class MaskTest(unittest.TestCase):
    def test_attention_rows_sum_to_one_over_the_allowed_keys(self):
        rng = random.Random(0)
        Q, K, V = random_rows(rng, 4, 6), random_rows(rng, 5, 6), random_rows(rng, 5, 6)
        pad = [False, False, False, True, True]
        for mask in (no_mask, key_padding(pad), key_padding(pad, causal)):
            trace = []
            sequence_attention(Q, K, V, 2, mask, trace)
            for head in trace:
                weights = head[4]                      # (T_q, T_k) floats and Values
                for i, row in enumerate(weights):
                    data = [w if isinstance(w, float) else w.data for w in row]
                    self.assertAlmostEqual(sum(data), 1.0, places=12)
                    for j, w in enumerate(data):
                        if not mask(i, j):
                            self.assertEqual(w, 0.0)   # a masked key takes no part

    def test_the_causal_path_is_the_cache_path_loss_and_every_gradient(self):
        for config in (Config(), Config(norm="layernorm", activation="gelu", position="sinusoidal",
                                        norm_placement="post", n_layer=2, label_smoothing=0.1)):
            examples, state = start(DOCS, config)
            params = flatten(state.params)
            for ids in examples[:3]:
                cache, whole = document_loss(ids, state.params, config), sequence_loss(ids, state.params, config)
                self.assertEqual(cache.data, whole.data)
                for a, b in zip(gradients(cache, params), gradients(whole, params)):
                    self.assertLess(abs(a - b), 1e-12)

    def test_sampling_without_the_mask_reads_as_the_cache_does_under_the_causal_mask(self):
        # the maskless sampler's loop, given a causal model, must draw exactly sample()'s tokens
        _, state = start(DOCS, Config(steps=1))
        for seed in range(5):
            a = sample(state.params, state.config, state.tokenizer, random.Random(seed), 1.0)
            b = sample(state.params, state.config, state.tokenizer, random.Random(seed), 1.0,
                       reader=whole_reader)
            self.assertEqual(a, b)


@unittest.skipUnless(torch, "needs PyTorch")
class AgainstPyTorchAttentionTest(unittest.TestCase):
    def compare(self, T_q, T_k, mask, n_head=2, head_dim=3):
        rng = random.Random(T_q * 10 + T_k)
        E = n_head * head_dim
        Q, K, V = random_rows(rng, T_q, E), random_rows(rng, T_k, E), random_rows(rng, T_k, E)
        upstream = [[rng.gauss(0, 1) for _ in range(E)] for _ in range(T_q)]
        out = sequence_attention(Q, K, V, n_head, mask)
        loss = sum(y * u for row, urow in zip(out, upstream) for y, u in zip(row, urow))
        loss.backward()
        t = lambda rows: torch.tensor([[x.data for x in r] for r in rows], dtype=torch.float64,
                                      requires_grad=True)
        tq, tk, tv = t(Q), t(K), t(V)
        heads = lambda x, T: x.view(T, n_head, head_dim).transpose(0, 1)    # (n_head, T, head_dim)
        allowed = torch.tensor([[mask(i, j) for j in range(T_k)] for i in range(T_q)])
        y = torch.nn.functional.scaled_dot_product_attention(
            heads(tq, T_q), heads(tk, T_k), heads(tv, T_k), attn_mask=allowed)
        y = y.transpose(0, 1).reshape(T_q, E)
        (y * torch.tensor(upstream, dtype=torch.float64)).sum().backward()
        for ours, theirs in ((out, y), (Q, tq.grad), (K, tk.grad), (V, tv.grad)):
            got = [[x.data if ours is out else x.grad for x in row] for row in ours]
            self.assertLess((torch.tensor(got, dtype=torch.float64) - theirs.detach()).abs().max(), 1e-12)

    def test_causal(self):
        self.compare(5, 5, causal)

    def test_no_mask(self):
        self.compare(5, 5, no_mask)

    def test_key_padding_with_and_without_the_causal_mask(self):
        self.compare(6, 6, key_padding([False] * 4 + [True] * 2))
        self.compare(6, 6, key_padding([False] * 4 + [True] * 2, causal))

    def test_cross_attention_queries_from_one_sequence_keys_from_another(self):
        self.compare(3, 5, no_mask)
        self.compare(4, 6, key_padding([False] * 5 + [True]))


CLASSIFIER = Config(model="classifier", causal_mask=False, n_layer=2, n_embd=8, n_head=2,
                    block_size=8, n_class=2)
MASKLESS = Config(causal_mask=False, n_layer=2, n_embd=8, n_head=2, block_size=8)


def classifier_run(config, docs=DOCS):
    return start_planned(classification.plan([docs[0::2], docs[1::2]], config))


class FiniteDifferenceTest(unittest.TestCase):
    def test_classifier(self):
        self.assertLess(max(check(dataclasses.replace(CLASSIFIER, n_layer=1)).values()), 1e-6)

    def test_classifier_padded_without_the_padding_mask(self):
        self.assertLess(max(check(dataclasses.replace(CLASSIFIER, pad_to=8, padding_mask=False,
                                                      n_layer=1)).values()), 1e-6)

    def test_gpt_without_the_causal_mask(self):
        self.assertLess(max(check(dataclasses.replace(MASKLESS, n_layer=1)).values()), 1e-6)


@unittest.skipUnless(torch, "needs PyTorch")
class AgainstPyTorchModelTest(unittest.TestCase):
    """The classifier and the maskless GPT written in PyTorch from the equations."""

    def torch_encoder(self, ids, W, c, allowed):
        E, H, hd = c.n_embd, c.n_head, c.head_dim
        rms = lambda x: x * ((x * x).mean(-1, keepdim=True) + 1e-5) ** -0.5
        table = torch.cat([W["wte"]] + [W[n] for n in ("wte_pad", "wte_mask") if n in W])
        x = rms(table[ids] + W["wpe"][:len(ids)])                     # (T, E)
        for li in range(c.n_layer):
            L = f"layer{li}."
            h = rms(x)
            q, k, v = (h @ W[L + n].T for n in ("attn_wq", "attn_wk", "attn_wv"))
            split = lambda t: t.view(len(ids), H, hd).transpose(0, 1)  # (H, T, hd)
            scores = split(q) @ split(k).transpose(1, 2) / hd ** 0.5   # (H, T, T)
            scores = scores.masked_fill(~allowed, float("-inf"))
            att = torch.softmax(scores, -1) @ split(v)                 # (H, T, hd)
            x = x + att.transpose(0, 1).reshape(len(ids), E) @ W[L + "attn_wo"].T
            x = x + torch.relu(rms(x) @ W[L + "mlp_fc1"].T) @ W[L + "mlp_fc2"].T
        return x

    def weights(self, state):
        return {name: torch.tensor([[p.data for p in row] for row in m], dtype=torch.float64,
                                   requires_grad=True) for name, m in state.params.items()}

    def assert_same(self, ours, state, theirs, W):
        grads = gradients(ours, flatten(state.params))
        theirs.backward()
        self.assertLess(abs(ours.data - theirs.item()), 1e-12)
        flat = torch.cat([W[name].grad.flatten() for name in state.params])
        self.assertLess((flat - torch.tensor(grads, dtype=torch.float64)).abs().max(), 1e-9)

    def test_classifier(self):
        for config in (CLASSIFIER, dataclasses.replace(CLASSIFIER, pad_to=8, padding_mask=False)):
            examples, state = classifier_run(config)
            config = state.config                              # with the data's vocab_size
            ids, label = examples[1]
            ids_p = ids + [config.vocab_size] * (config.pad_to - len(ids))
            T = len(ids_p)
            W = self.weights(state)
            x = self.torch_encoder(torch.tensor(ids_p), W, config, torch.ones(T, T, dtype=torch.bool))
            logits = W["cls_head"] @ x[0]
            theirs = torch.nn.functional.cross_entropy(logits[None], torch.tensor([label]))
            self.assert_same(classifier_loss((ids, label), state.params, config), state, theirs, W)

    def test_masked_language_model(self):
        """BERT's loss: lm_head at the chosen positions only (MASK's row after
        wte's), their mean cross-entropy; untied and tied, label smoothing."""
        for extra in ({}, {"tie_weights": True, "label_smoothing": 0.1}):
            config = dataclasses.replace(MASKLESS, model="mlm", **extra)
            examples, state = start_planned(mlm.plan(DOCS * 3, config))
            config = state.config
            for ids, chosen in examples[:4]:
                W = self.weights(state)
                T = len(ids)
                x = self.torch_encoder(torch.tensor(ids), W, config, torch.ones(T, T, dtype=torch.bool))
                head = W["wte"] if config.tie_weights else W["lm_head"]
                positions, targets = zip(*chosen)
                theirs = torch.nn.functional.cross_entropy(
                    x[list(positions)] @ head.T, torch.tensor(targets),
                    label_smoothing=config.label_smoothing)
                self.assert_same(mlm.mlm_loss((ids, chosen), state.params, config), state, theirs, W)

    def test_gpt_without_the_causal_mask(self):
        examples, state = start(DOCS, MASKLESS)
        ids = examples[0]
        n = len(ids) - 1
        W = self.weights(state)
        x = self.torch_encoder(torch.tensor(ids[:n]), W, MASKLESS, torch.ones(n, n, dtype=torch.bool))
        theirs = torch.nn.functional.cross_entropy(x @ W["lm_head"].T, torch.tensor(ids[1:]))
        self.assert_same(sequence_loss(ids, state.params, MASKLESS), state, theirs, W)


class PaddingTest(unittest.TestCase):
    def losses(self, config, steps=4):
        if config.model == "classifier":
            examples, state = classifier_run(config)
        else:
            examples, state = start(DOCS, config)
        return [train_step(state, examples) for _ in range(steps)]

    def test_padding_with_its_mask_is_the_unpadded_run(self):
        for base in (CLASSIFIER, MASKLESS, Config(n_embd=8, n_head=2, block_size=8)):
            plain = self.losses(base)
            for n in (7, 8):
                padded = self.losses(dataclasses.replace(base, pad_to=n))
                self.assertEqual(padded[0], plain[0])  # the first step: the very same floats
                for a, b in zip(padded, plain):
                    self.assertLess(abs(a - b), 1e-12)

    def test_without_the_mask_the_losses_depend_on_the_padding(self):
        for base in (CLASSIFIER, MASKLESS):
            plain = self.losses(base, 1)[0]
            seven, eight = (self.losses(dataclasses.replace(base, pad_to=n, padding_mask=False), 1)[0]
                            for n in (7, 8))
            self.assertNotEqual(seven, plain)
            self.assertNotEqual(eight, plain)
            self.assertNotEqual(seven, eight)

    def test_the_causal_mask_already_hides_padding_at_the_end(self):
        base = Config(n_embd=8, n_head=2, block_size=8)
        unmasked = dataclasses.replace(base, pad_to=8, padding_mask=False)
        self.assertEqual(self.losses(unmasked, 1), self.losses(base, 1))

    def test_pad_draws_nothing_and_is_never_predicted(self):
        _, plain = start(DOCS, Config())
        _, padded = start(DOCS, Config(pad_to=16))
        self.assertEqual([p.data for p in padded.params["wte_pad"][0]], [0.0] * 16)
        for name in plain.params:                                       # the same draws
            self.assertEqual([[p.data for p in row] for row in plain.params[name]],
                             [[p.data for p in row] for row in padded.params[name]])
        self.assertEqual(plain.rng.getstate(), padded.rng.getstate())
        self.assertEqual(len(padded.params["lm_head"]), padded.config.vocab_size)

    def test_pad_to_is_checked(self):
        with self.assertRaisesRegex(ConfigError, "pad_to must be from 0 to block_size"):
            catalog.check(Config(pad_to=17))
        with self.assertRaisesRegex(ConfigError, "tie_weights"):
            catalog.check(Config(pad_to=4, tie_weights=True))


class CheckpointTest(unittest.TestCase):
    def test_a_version_1_checkpoint_loads_as_the_reference_gpt(self):
        from microgpt.plumbing import schema
        _, state = start(DOCS, Config(steps=3))
        obj = schema.to_json(state)
        obj["version"] = 1
        del obj["classes"]
        for name in ("model", "n_class", "causal_mask", "pad_to", "padding_mask"):
            del obj["config"][name]
        loaded = schema.from_json(obj)
        self.assertEqual(loaded.config, state.config)
        self.assertEqual(loaded.classes, [])

    def test_a_classifier_keeps_its_class_names(self):
        from microgpt.plumbing import schema
        _, state = classifier_run(CLASSIFIER)
        state.classes = ["girls", "boys"]
        obj = schema.to_json(state)
        self.assertEqual(schema.from_json(obj).classes, ["girls", "boys"])
        obj["classes"] = ["girls"]
        with self.assertRaisesRegex(schema.CheckpointError, "classes should hold 2 names"):
            schema.from_json(obj)


if __name__ == "__main__":
    unittest.main()
