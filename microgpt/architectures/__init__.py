"""
microgpt.architectures: the models beside the GPT, each a room that reads
like its paper and shares the GPT's attention, small layers and engine: the
encoder over a whole sequence under a mask, the encoder-only classifier
(BERT's kind), the original encoder-decoder Transformer with its data, the
recurrent language models attention replaced, and the progression's first
rooms: bigram counts and an MLP language model, its gradients by hand and
on the engine. Each trains through training.train_step with its own loss,
except the counts (nothing to train) and the MLP by hand (plain floats, on
purpose).
"""
