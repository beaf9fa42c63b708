# livenotes: produces=checkpoints/austen-tokenizer
from pathlib import Path

from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import PreTrainedTokenizerFast

books = sorted(Path("data/austen").glob("*.txt"))
training_books = [str(book) for book in books if book.stem != "persuasion"]  # Persuasion is held out

# byte-level BPE, as GPT-2 uses: start from the 256 bytes, then merge the most frequent pairs
tokenizer = Tokenizer(models.BPE())
tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
tokenizer.decoder = decoders.ByteLevel()
trainer = trainers.BpeTrainer(
    vocab_size=1000,
    special_tokens=["<|endoftext|>", "[PAD]", "[MASK]"],
    initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    show_progress=False,
)
tokenizer.train(training_books, trainer)
# "was [MASK]" should mask " happy", space included: [MASK] swallows the space before it (lstrip).
# The trainer adds its special tokens without that, so [MASK] is re-added with it.
tokenizer.add_special_tokens([AddedToken("[MASK]", lstrip=True, special=True, normalized=False)])

wrapped = PreTrainedTokenizerFast(
    tokenizer_object=tokenizer,
    bos_token="<|endoftext|>",
    eos_token="<|endoftext|>",
    pad_token="[PAD]",
    mask_token="[MASK]",
)
wrapped.save_pretrained("checkpoints/austen-tokenizer")

print("学習に使った本:", [Path(book).stem for book in training_books])
print("語彙の大きさ:", len(wrapped))
merges = [token for token, _ in sorted(wrapped.get_vocab().items(), key=lambda item: item[1])][259:]
print("最初に覚えた結合:", merges[:12])
print("最後に覚えた結合:", merges[-8:])
for text in ["It is a truth universally acknowledged", "Transformers", "She was [MASK] to see him."]:
    print(f"{text!r} → {wrapped.tokenize(text)}")
