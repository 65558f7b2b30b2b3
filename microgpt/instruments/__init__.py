"""
microgpt.instruments: what a learner steps through the model with, as plain
numbers: every vector of the forward pass, every head's attention, what the
heads do over many documents, a graph drawn, gradients checked and measured,
why attention is scaled, how far back a model reaches, what each piece of
the GPT buys (the progression from bigram counts to Adam). Each reads values the
model hands back; none changes what it measures.
"""
