"""
optim.py: Adam with a learning rate that decays linearly to zero.

After loss.backward() every parameter Value holds its gradient in .grad.
`adam_step` moves each parameter against its gradient, scaled per parameter
by running averages of the gradient (m, "momentum") and of its square (v),
then resets .grad to 0 for the next step. m and v are plain lists of floats,
one entry per parameter, owned by the caller (train.py keeps them, and
checkpoints save them).

The float operations are the reference's, in its order (`g ** 2`, `** 0.5`,
divisions by the bias corrections): the printed losses depend on them.
Left out on purpose: weight decay, gradient clipping, warmup.
"""
from __future__ import annotations


def adam_step(params, m, v, step, config):
    """One Adam update of params (a flat list of Values) at step (0-based).

    lr_t = lr * (1 - step / steps)
    m = beta1 * m + (1 - beta1) * g          running mean of g
    v = beta2 * v + (1 - beta2) * g ** 2     running mean of g squared
    p -= lr_t * m_hat / (v_hat ** 0.5 + eps), with m_hat, v_hat bias-corrected
    """
    beta1, beta2, eps = config.beta1, config.beta2, config.eps
    lr_t = config.lr * (1 - step / config.steps)
    bias1 = 1 - beta1 ** (step + 1)   # m and v start at 0: undo that pull
    bias2 = 1 - beta2 ** (step + 1)
    c1, c2 = 1 - beta1, 1 - beta2
    for i, p in enumerate(params):
        g = p.grad
        m_i = m[i] = beta1 * m[i] + c1 * g
        v_i = v[i] = beta2 * v[i] + c2 * g ** 2
        m_hat, v_hat = m_i / bias1, v_i / bias2
        p.data -= lr_t * m_hat / (v_hat ** 0.5 + eps)
        p.grad = 0.0
