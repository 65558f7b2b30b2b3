"""
sessions.py: what a command's training loop runs inside (session): stop
requests between steps (Ctrl-C, SIGTERM), the checkpoint saved at the end
and on every way out, a diverged step refused with the last good state
kept, the time the steps took; the loop of the commands beside train
(train_to_the_end) and its held-out loss line (held_out_line).

Builds on optim.py (Diverged), training.py, held_out.py, cli.py, memory.py (the cycle
collector off while training) and stopping.py. Leaves out opening a run
and checking it before work: runs.py's. train.py's own loop reads as the
reference's, inside a session.
"""
from __future__ import annotations

import contextlib
import sys
import time

from ..optim import Diverged
from ..instruments.held_out import held_out_loss
from ..training import train_step
from . import cli, memory
from .stopping import stop_requests


@contextlib.contextmanager
def session(prog, state, save, out, at_exit=lambda: None):
    """What a command's training loop runs inside; it yields a StopRequest.

    Ctrl-C or SIGTERM only asks the loop to stop (stop.requested: the loop
    ends after its step); then the run is saved and the command ends with
    status 130. A step that diverged (Diverged) keeps the last good state,
    saved, and ends with status 3; a closed stdout saves and ends quietly.
    At the end the run is saved and the time it took said on stderr.
    save(why) saves the run to out (False when it could not, a line says
    why); at_exit() runs after the save, however the loop ends (train's --plot)."""
    config = state.config
    with stop_requests(prog) as stop, memory.cycle_collector_off():
        first_step, start_time = state.step, time.perf_counter()
        try:
            yield stop
        except Diverged as e:  # the state is still the last good step's: keep that
            kept = f"; {out} holds step {state.step}" if save() else ""
            at_exit()
            cli.fail(prog, f"training diverged at step {state.step + 1} ({e}); try a smaller "
                           f"--lr than {config.lr:g}{kept}", cli.DIVERGED)
        except cli.OutputClosed:  # keep the work, then end quietly
            save("stdout closed")
            at_exit()
            raise
        if stop.requested:
            kept = f"; saved to {out}" if save() else ""
            at_exit()
            print(f"{prog}: interrupted after step {state.step}{kept}", file=sys.stderr)
            sys.exit(cli.INTERRUPTED)
        if state.step > first_step:
            done, elapsed = state.step - first_step, time.perf_counter() - start_time
            print(f"trained {cli.plural(done, 'step')} in {elapsed:.1f} s "
                  f"({1000 * elapsed / done:.1f} ms/step)", file=sys.stderr)
        save("done")
        at_exit()
    if stop.requested:  # during the save: it is done, so stop now
        raise KeyboardInterrupt


def train_to_the_end(prog, state, examples, held_out, out, progress=None):
    """The training loop of a command beside train (classify, mlm, seq2seq,
    vit): a step line after each step (and, given a Progress, its line) and
    the held-out loss line, inside a session that saves to out (None: nowhere)."""
    def save(why=None):
        return out is not None and cli.save(prog, state, out, why)

    with session(prog, state, save, out) as stop:
        for step in range(state.step, state.config.steps):
            loss = train_step(state, examples)
            print(f"step {step + 1:4d} / {state.config.steps:4d} | loss {loss:.4f}", flush=True)
            if progress is not None:
                progress.step("training", state.step, state.config.steps)
            held_out_line(state, held_out)
            if stop.requested:
                break


def held_out_line(state, held_out):
    """After a step: the held-out loss line, every eval_every steps and after
    the last, when the run has a split."""
    config = state.config
    if held_out and (state.step % config.eval_every == 0 or state.step == config.steps):
        print(f"held-out after step {state.step:4d} | loss "
              f"{held_out_loss(state, held_out):.4f}", flush=True)
