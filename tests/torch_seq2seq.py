"""The encoder-decoder written again in PyTorch from the paper's equations
(tensors, -inf masks, a softmax per row), for the tests to compare with
microgpt's Values. Imported only when torch is installed."""
import torch


def rmsnorm(x):
    return x * (x.pow(2).mean(-1, keepdim=True) + 1e-5) ** -0.5


def attention(xq, xkv, W, prefix, n_head, causal=False):
    """softmax(Q K^T / sqrt(d) + mask) V per head, then W_o; Q from xq, K and V from xkv."""
    Q, K, V = (t @ W[prefix + m].T for t, m in ((xq, "wq"), (xkv, "wk"), (xkv, "wv")))
    Tq, Tk, e = Q.shape[0], K.shape[0], Q.shape[1]
    d = e // n_head
    heads = lambda t: t.view(t.shape[0], n_head, d).transpose(0, 1)      # (H, T, d)
    S = heads(Q) @ heads(K).transpose(1, 2) / d ** 0.5                   # (H, Tq, Tk)
    if causal:
        S = S.masked_fill(torch.ones(Tq, Tk).triu(1).bool(), float("-inf"))
    A = torch.softmax(S, dim=-1)
    out = (A @ heads(V)).transpose(0, 1).reshape(Tq, e)
    return out @ W[prefix + "wo"].T, A


def mlp(x, W, L):
    return torch.relu(x @ W[L + "mlp_fc1"].T) @ W[L + "mlp_fc2"].T


def forward(W, src, tgt_in, n_layer, n_head):
    """(logits (T_tgt, vocab), the cross-attention weights of each decoder layer)."""
    x = rmsnorm(W["wte"][src] + W["enc_wpe"][:len(src)])
    for i in range(n_layer):
        L = f"enc{i}."
        x = x + attention(rmsnorm(x), rmsnorm(x), W, L + "attn_", n_head)[0]
        x = x + mlp(rmsnorm(x), W, L)
    memory = x
    y = rmsnorm(W["wte"][tgt_in] + W["dec_wpe"][:len(tgt_in)])
    crosses = []
    for i in range(n_layer):
        L = f"dec{i}."
        y = y + attention(rmsnorm(y), rmsnorm(y), W, L + "attn_", n_head, causal=True)[0]
        out, A = attention(rmsnorm(y), memory, W, L + "cross_", n_head)
        y = y + out
        crosses.append(A)
        y = y + mlp(rmsnorm(y), W, L)
    return y @ W["lm_head"].T, crosses


def loss(W, example, n_layer, n_head):
    src, tgt = example
    logits, _ = forward(W, torch.tensor(src), torch.tensor(tgt[:-1]), n_layer, n_head)
    return torch.nn.functional.cross_entropy(logits, torch.tensor(tgt[1:]))


def weights(params):
    """microgpt's params as float64 tensors that track gradients."""
    return {name: torch.tensor([[v.data for v in row] for row in m], dtype=torch.float64,
                               requires_grad=True) for name, m in params.items()}
