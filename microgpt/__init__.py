"""
microgpt: the whole GPT algorithm in small, dependency-free modules.

Reading order (each module builds only on the ones before it):
value, data, tokenizer, config, layers, attention, model, optim, generate,
cli, train.
"""
