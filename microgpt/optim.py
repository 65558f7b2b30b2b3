"""
optim.py: Adam with a learning rate that decays linearly to zero.

After loss.backward() every parameter Value holds its gradient in .grad.
`adam_step` moves each parameter against its gradient, scaled per parameter
by running averages of the gradient (m, "momentum") and of its square (v),
then resets .grad to 0 for the next step. m and v are plain lists of floats,
one entry per parameter, owned by the caller (training.py keeps them, and
checkpoints save them).

Written as the reference writes it, float operation for float operation
(`g ** 2`, `** 0.5`, divisions by the bias corrections): the printed losses
depend on them. Left out on purpose: weight decay, gradient clipping.
"""
from __future__ import annotations


def learning_rate(step, config):
    """The learning rate at step (0-based): lr, decayed linearly to 0 over the run.

    >>> from microgpt.config import Config
    >>> [learning_rate(s, Config(lr=0.01, steps=4)) for s in range(4)]
    [0.01, 0.0075, 0.005, 0.0025]
    """
    return config.lr * (1 - step / config.steps)


def adam_step(params, m, v, step, config):
    """One Adam update of params (a flat list of Values) at step (0-based)."""
    lr_t = learning_rate(step, config)
    beta1, beta2, eps = config.beta1, config.beta2, config.eps
    bias1 = 1 - beta1 ** (step + 1)  # m and v start at 0: the bias corrections undo that pull
    bias2 = 1 - beta2 ** (step + 1)  # (the same for every parameter, so computed once a step)
    for i, p in enumerate(params):
        m[i] = beta1 * m[i] + (1 - beta1) * p.grad       # running mean of g
        v[i] = beta2 * v[i] + (1 - beta2) * p.grad ** 2  # ... and of g squared
        m_hat = m[i] / bias1
        v_hat = v[i] / bias2
        p.data -= lr_t * m_hat / (v_hat ** 0.5 + eps)
        p.grad = 0.0
