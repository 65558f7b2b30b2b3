"""
microgpt.variants: the textbook variants too large to be one line of the
algorithm. A variant that is one line (LayerNorm, GELU, fixed positions,
tied weights, ...) acts where it acts, beside the reference's line, in
model.py, positions.py or attention.py; here are the ones that need a
module of their own: byte-pair encoding (bpe.py), and GPT-2's byte-level
BPE (bytelevel.py).
"""
