"""
optim.py: Adam, plain gradient descent (SGD), and the learning rate over
the run (its schedule).

After loss.backward() every parameter Value holds its gradient in .grad.
`adam_step` moves each parameter against its gradient, scaled per parameter
by running averages of the gradient (m, "momentum") and of its square (v),
then resets .grad to 0 for the next step. m and v are plain lists of floats,
one entry per parameter, owned by the caller (training.py keeps them, and
checkpoints save them). `sgd_step` (config.optimizer "sgd") is the update
Adam improves on: every parameter moves by the learning rate times its own
gradient, p -= lr_t * grad, with no memory of earlier steps (m and v stay
as they are).

The reference decays the learning rate linearly to zero. The textbook
schedules sit beside it (the config's schedule and warmup): a linear warmup
first, then linear, cosine or constant; or the original paper's "noam"
schedule, which rises for W steps and then falls as 1/sqrt(step).

Written as the reference writes it, float operation for float operation
(`g ** 2`, `** 0.5`, divisions by the bias corrections): the printed losses
depend on them. Builds on config.py (ConfigError, for settings that cannot
work). Left out on purpose: weight decay, gradient clipping, momentum for SGD.
"""
from __future__ import annotations

import math
import sys

from .config import Config, ConfigError

ADAM_ONLY = ("beta1", "beta2", "eps")  # the settings only Adam reads


def check_optimizer(config):
    """Raise ConfigError naming the first optimizer setting that cannot work.

    >>> from microgpt.config import Config
    >>> check_optimizer(Config(schedule="noam"))
    Traceback (most recent call last):
    ...
    microgpt.config.ConfigError: the noam schedule needs warmup of at least 1 step
    >>> check_optimizer(Config(optimizer="sgd", beta1=0.9))
    Traceback (most recent call last):
    ...
    microgpt.config.ConfigError: beta1=0.9 is Adam's, and optimizer='sgd' keeps no averages to use it
    """
    if not (math.isfinite(config.lr) and config.lr > 0):
        raise ConfigError(f"lr must be a positive number, got {config.lr}")
    for name in ("beta1", "beta2"):
        if not 0 <= getattr(config, name) < 1:
            raise ConfigError(f"{name} must be at least 0 and below 1, got {getattr(config, name)}")
    if not (config.eps > 0 and math.isfinite(config.eps)):
        raise ConfigError(f"eps must be a positive number, got {config.eps}")
    if config.warmup < 0:
        raise ConfigError(f"warmup cannot be negative, got {config.warmup}")
    if config.schedule == "noam" and config.warmup < 1:
        raise ConfigError("the noam schedule needs warmup of at least 1 step")
    if config.optimizer == "sgd":  # Adam's own settings: SGD has no moments to set them on
        for name in ADAM_ONLY:
            if getattr(config, name) != getattr(Config(), name):
                raise ConfigError(f"{name}={getattr(config, name)} is Adam's, and "
                                  f"optimizer='sgd' keeps no averages to use it")

def learning_rate(step, config):
    """The learning rate at step s (0-based) of N = config.steps, lr = config.lr,
    W = config.warmup:

        warmup (s < W):  lr * (s + 1) / W
        then  linear:    lr * (1 - (s - W) / (N - W))     (W = 0: the reference's decay)
              cosine:    lr * 0.5 * (1 + cos(pi * (s - W) / (N - W)))
              constant:  lr
        noam (all s):    lr * n_embd ** -0.5 * min((s + 1) ** -0.5, (s + 1) * W ** -1.5)

    >>> from microgpt.config import Config
    >>> [learning_rate(s, Config(lr=0.01, steps=4)) for s in range(4)]
    [0.01, 0.0075, 0.005, 0.0025]
    >>> [round(learning_rate(s, Config(lr=0.01, steps=6, warmup=2, schedule="cosine")), 6)
    ...  for s in range(6)]                    # up in 2 steps, then half a cosine
    [0.005, 0.01, 0.01, 0.008536, 0.005, 0.001464]
    >>> [round(learning_rate(s, Config(lr=1.0, n_embd=16, warmup=2, schedule="noam")), 4)
    ...  for s in range(4)]                    # 0.25 * (s + 1) / 2 ** 1.5, then 0.25 / sqrt(s + 1)
    [0.0884, 0.1768, 0.1443, 0.125]
    """
    lr, s, n, w = config.lr, step, config.steps, config.warmup
    if config.schedule == "noam":
        return lr * config.n_embd ** -0.5 * min((s + 1) ** -0.5, (s + 1) * w ** -1.5)
    if s < w:
        return lr * (s + 1) / w
    if config.schedule == "linear":  # with w = 0 the reference's lr * (1 - s / n), bit for bit
        return lr * (1 - (s - w) / (n - w))
    if config.schedule == "cosine":
        return lr * 0.5 * (1 + math.cos(math.pi * (s - w) / (n - w)))
    return lr  # constant


def peak_learning_rate(config):
    """The largest learning rate of the run: at the last warmup step, or at
    the run's last step when the warmup is longer than the run. It is lr
    itself, unless noam's scale n_embd ** -0.5 * W ** -0.5 multiplies it,
    or the run ends while the rate still climbs.

    >>> from microgpt.config import Config
    >>> peak_learning_rate(Config(lr=0.01, schedule="noam", warmup=100, n_embd=16))
    0.00025
    >>> peak_learning_rate(Config(lr=0.01, warmup=100, steps=10))   # 10 steps of 100 up
    0.001
    """
    top = min(config.warmup, config.steps) - 1 if config.warmup else 0  # the highest rate's step
    return learning_rate(top, config)


def adam_step(params, m, v, step, config):
    """One Adam update of params (a flat list of Values) at step (0-based)."""
    lr_t = learning_rate(step, config)
    beta1, beta2, eps = config.beta1, config.beta2, config.eps
    bias1 = 1 - beta1 ** (step + 1)  # m and v start at 0: the bias corrections undo that pull
    bias2 = 1 - beta2 ** (step + 1)  # (the same for every parameter, so computed once a step)
    keep1, keep2 = 1 - beta1, 1 - beta2  # the new gradient's shares, also once a step
    for i, p in enumerate(params):
        g = p.grad
        m_i = m[i] = beta1 * m[i] + keep1 * g       # running mean of g
        v_i = v[i] = beta2 * v[i] + keep2 * g ** 2  # ... and of g squared
        m_hat = m_i / bias1
        v_hat = v_i / bias2
        p.data -= lr_t * m_hat / (v_hat ** 0.5 + eps)
        p.grad = 0.0


def sgd_step(params, step, config):
    """One step of plain gradient descent at step (0-based): each parameter
    moves against its own gradient, p -= lr_t * grad, lr_t the schedule's.

    >>> from microgpt.config import Config
    >>> from microgpt.value import Value
    >>> p = Value(1.0); p.grad = 0.5
    >>> sgd_step([p], 0, Config(lr=0.1, optimizer="sgd")); p.data, p.grad   # 1 - 0.1 * 0.5
    (0.95, 0.0)
    """
    lr_t = learning_rate(step, config)
    for p in params:
        p.data -= lr_t * p.grad
        p.grad = 0.0


class Diverged(ArithmeticError):
    """Training has left the finite numbers, usually from too high a learning rate."""


MAX_GRADIENT = sys.float_info.max ** 0.5  # Adam squares each gradient: above this, it overflows


def check_finite(loss, params):
    """Raise Diverged, the gradients zeroed as Adam would, unless the loss
    and the gradients' norm are finite (the norm below MAX_GRADIENT)."""
    norm = math.hypot(*[p.grad for p in params])  # inf or nan if any gradient is
    if math.isfinite(loss) and norm < MAX_GRADIENT:
        return
    for p in params:
        p.grad = 0.0
    raise Diverged(f"the loss is {loss}" if not math.isfinite(loss)
                   else f"the gradient's norm is {norm:.3g}")
