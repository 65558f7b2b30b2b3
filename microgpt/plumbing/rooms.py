"""
rooms.py: the flags of the rooms beside a language model's run, and the
check that sends a run to its room: fine-tuning's (train --init, --loss-on),
the Vision Transformer's (--patch, --pixel-max), the encoder-decoder's
attention (--score); a classifier, an encoder-decoder, a masked model or a
ViT asked of train is told which command trains it (check_language_model).

The commands reach them as flags.add_image_flags, ... Builds on config.py
and cli.py (the flag types). Leaves out the flags every run has (--steps,
--n-embd, the textbook variants): flags.py's.
"""
from __future__ import annotations

from . import cli
from ..config import CHOICES, Config, ConfigError


OTHER_ROOMS = {"classifier": "learns which file a line came from: python -m microgpt classify",
               "seq2seq": "learns from source/target pairs: python -m microgpt seq2seq",
               "mlm": "learns to fill in masked characters: python -m microgpt mlm",
               "vit": "learns to tell images apart: python -m microgpt vit"}


def check_language_model(config):
    """ConfigError unless config is a model that learns to continue documents
    (a GPT or a recurrent baseline), as train, inspect and compare train:
    the other rooms have commands of their own."""
    if config.model in OTHER_ROOMS:
        raise ConfigError(f"--model {config.model} is not a language model trained on "
                          f"documents: it {OTHER_ROOMS[config.model]}")


def add_finetuning_flags(parser):
    """train's flags for fine-tuning (variants/finetuning.py): --init, --loss-on."""
    g = parser.add_argument_group("fine-tuning (variants/finetuning.py)")
    g.add_argument("--init", metavar="CHECKPOINT",
                   help="start a new run from this checkpoint's weights and model (a GPT's or a "
                        "recurrent one's): fresh Adam moments, step 0, this run's own --steps, "
                        "--lr and schedule (default: the reference's); characters it has never "
                        "seen become new tokens after its own (BOS moves last), their rows "
                        "drawn fresh; a flag that would change the model is refused")
    g.add_argument("--loss-on", choices=CHOICES["loss_on"], default="all",
                   help="all: a line trains as any document does; response: each line "
                        "is prompt<TAB>response, split at its first TAB, and its loss is the mean "
                        "over the positions that predict the response and the closing BOS only: "
                        "the prompt is read, not trained on (default %(default)s)")


def add_image_flags(parser, leave_out=()):
    """Add the Vision Transformer's flags (vit, gradcheck --model vit): the
    patch, and the pixels' range; leave_out: Config fields left out."""
    g = parser.add_argument_group("images (the Vision Transformer: patches.py)")
    g.add_argument("--patch", type=cli.whole_number(1), metavar="P", default=Config().patch,
                   help="cut each image into patches of P x P pixels, one token each; P must "
                        "divide the image's side (default %(default)s)")
    if "pixel_max" not in leave_out:
        g.add_argument("--pixel-max", type=cli.number(0, inclusive=False), metavar="M",
                       default=Config().pixel_max,
                       help="pixels run from 0 to M and are divided by it (default "
                            "%(default)g, the digits' range)")


def add_encoder_decoder_flags(parser):
    """Add --score, Bahdanau attention's (seq2seq, gradcheck; --arch, which
    encoder-decoder, is add_run_flags')."""
    g = parser.add_argument_group("the encoder-decoder's attention (python -m microgpt seq2seq)")
    g.add_argument("--score", choices=CHOICES["score"], default=Config().score,
                   help="with --arch gru-attention: additive, Bahdanau's v . tanh(W_a s + U_a "
                        "h_j); or dot, Luong's s . h_j (default %(default)s)")
