"""
gpt_in_pytorch.py: a microgpt model of the reference's architecture, in plain PyTorch.

    python -m microgpt.train names.txt --out model.json
    python -m microgpt export model.json exported/
    python examples/gpt_in_pytorch.py exported/ emma

The model as nanoGPT's model.py writes a GPT, with the reference's choices:
RMSNorm without a gain (after the embedding too), no biases, ReLU, an
lm_head of its own. It loads exported/model.safetensors (microgpt's names; a
matrix's rows are torch.nn.Linear's) and prints the ten likeliest next tokens
after BOS + TEXT: the probabilities `python -m microgpt inspect model.json
emma --json out.json` writes under "next", in float64 equal to about 1e-15.
Needs torch, safetensors and tokenizers (pip install torch safetensors tokenizers).
"""
import json
import sys

import torch
import torch.nn as nn
from torch.nn import functional as F
from safetensors import safe_open
from tokenizers import Tokenizer


def rmsnorm(x):  # x / sqrt(mean(x^2) + 1e-5): no gain, no bias
    return x * (x.pow(2).mean(-1, keepdim=True) + 1e-5) ** -0.5


class CausalSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.n_head = c["n_head"]
        self.attn_wq, self.attn_wk, self.attn_wv, self.attn_wo = (
            nn.Linear(c["n_embd"], c["n_embd"], bias=False) for _ in range(4))

    def forward(self, x):
        T, C = x.size()                                                  # (T, n_embd)
        q, k, v = (w(x).view(T, self.n_head, C // self.n_head).transpose(0, 1)
                   for w in (self.attn_wq, self.attn_wk, self.attn_wv))  # (nh, T, hs)
        att = (q @ k.transpose(-2, -1)) / k.size(-1) ** 0.5              # (nh, T, T)
        att = att.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), float("-inf"))
        y = F.softmax(att, dim=-1) @ v                                   # (nh, T, hs)
        return self.attn_wo(y.transpose(0, 1).reshape(T, C))


class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.mlp_fc1 = nn.Linear(c["n_embd"], 4 * c["n_embd"], bias=False)
        self.mlp_fc2 = nn.Linear(4 * c["n_embd"], c["n_embd"], bias=False)

    def forward(self, x):
        return self.mlp_fc2(F.relu(self.mlp_fc1(x)))


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attn, self.mlp = CausalSelfAttention(c), MLP(c)

    def forward(self, x):  # pre-norm, as the reference
        x = x + self.attn(rmsnorm(x))
        return x + self.mlp(rmsnorm(x))


class GPT(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.wte = nn.Embedding(c["vocab_size"], c["n_embd"])
        self.wpe = nn.Embedding(c["block_size"], c["n_embd"])
        self.h = nn.ModuleList(Block(c) for _ in range(c["n_layer"]))
        self.lm_head = nn.Linear(c["n_embd"], c["vocab_size"], bias=False)

    def forward(self, idx):                                              # (T,) token ids
        x = rmsnorm(self.wte(idx) + self.wpe(torch.arange(len(idx))))
        for block in self.h:
            x = block(x)
        return self.lm_head(x)                                           # (T, vocab_size)

    @classmethod
    def from_exported(cls, folder):
        """The model in folder/model.safetensors; microgpt's names, as nanoGPT's from_pretrained
        maps GPT-2's: layer0.attn_wq -> h.0.attn.attn_wq.weight, layer0.mlp_fc1 -> h.0.mlp.mlp_fc1.weight."""
        with safe_open(f"{folder}/model.safetensors", "pt") as f:
            c = json.loads(f.metadata()["microgpt"])
            model, sd = cls(c).double(), {}
            for name in f.keys():
                layer, _, rest = name.partition(".")
                block = f"h.{layer[len('layer'):]}.{rest.split('_')[0]}.{rest}" if rest else name
                sd[block + ".weight"] = f.get_tensor(name)
        model.load_state_dict(sd)  # strict: every name present, every shape checked
        return model


if __name__ == "__main__":
    folder, text = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else ""
    model = GPT.from_exported(folder)
    tokenizer = Tokenizer.from_file(f"{folder}/tokenizer.json")
    ids = torch.tensor([tokenizer.token_to_id("<BOS>")] + tokenizer.encode(text).ids)
    with torch.no_grad():
        probs = F.softmax(model(ids)[-1], dim=-1)                        # after the last token
    for p, i in zip(*torch.topk(probs, min(10, len(probs)))):
        print(f"{p.item():.15f}  {tokenizer.id_to_token(int(i))!r} (id {int(i)})")
