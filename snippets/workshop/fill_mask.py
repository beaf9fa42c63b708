from transformers import pipeline

unmasker = pipeline("fill-mask", model="checkpoints/tiny-bert-austen")

# The model reads at most 8 tokens, so the sentences are short.
for text in ["She was [MASK] to see him.", "It was a [MASK] day.", "Mr. [MASK] was gone."]:
    guesses = unmasker(text, top_k=3)
    print(text, "→", [(guess["token_str"], round(guess["score"], 2)) for guess in guesses])
