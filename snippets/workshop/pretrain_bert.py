# livenotes: timeout=600; produces=checkpoints/tiny-bert-austen
import hashlib
import json
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import matplotlib_fontja  # 図の中の日本語のためのフォント(IPAex ゴシック)。import するだけで使われる
import torch
from transformers import AutoTokenizer, BertConfig, BertForMaskedLM

torch.manual_seed(0)
tokenizer = AutoTokenizer.from_pretrained("checkpoints/austen-tokenizer")
MASK = tokenizer.mask_token_id


def token_ids(book: str) -> torch.Tensor:
    text = " ".join(Path(f"data/austen/{book}.txt").read_text().split())
    return torch.tensor(tokenizer(text)["input_ids"])


BOOKS = ["emma", "mansfieldpark", "northangerabbey", "prideprejudice", "sensesensibility"]
training = torch.cat([token_ids(book) for book in BOOKS])
held_out = token_ids("persuasion")[:20_000]  # a novel the model never sees in training


def mask_tokens(ids: torch.Tensor, generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """BERT's recipe: choose 15% of the tokens; of those, 80% become [MASK], 10% a random token, 10% stay."""
    chosen = torch.rand(ids.shape, generator=generator) < 0.15
    labels = torch.where(chosen, ids, -100)  # -100 = not scored; the answer is the original token
    roll = torch.rand(ids.shape, generator=generator)
    inputs = ids.clone()
    inputs[chosen & (roll < 0.8)] = MASK
    random_token = chosen & (roll >= 0.8) & (roll < 0.9)
    inputs[random_token] = torch.randint(len(tokenizer), (int(random_token.sum()),), generator=generator)
    return inputs, labels


# Self-supervision again: hide some tokens and ask for them back. The labels are the hidden tokens.
example = torch.tensor(tokenizer("It is a truth universally acknowledged, that a single man")["input_ids"])
inputs, labels = mask_tokens(example, torch.Generator().manual_seed(11))
print("入力  :", tokenizer.convert_ids_to_tokens(inputs))
print("正解  :", [tokenizer.convert_ids_to_tokens(int(t)) if t >= 0 else "·" for t in labels])

# Short windows. A guess, not tested by this build: at first the [MASK] position knows nothing but its
# position, and the model has to discover that its neighbours are worth looking at; with 8 tokens a
# window's average already says a lot about the neighbours, so that may come sooner than with 64.
CONTEXT, BATCH, STEPS = 8, 512, 600
config = BertConfig(
    vocab_size=len(tokenizer), hidden_size=128, num_hidden_layers=2, num_attention_heads=4, intermediate_size=512,
    max_position_embeddings=CONTEXT, type_vocab_size=1, pad_token_id=tokenizer.pad_token_id,
    hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,  # no dropout: a short run cannot afford it
)
model = BertForMaskedLM(config)
print(f"パラメータ数: {model.num_parameters():,}")

# The test: 15% of the held-out tokens, every one replaced by [MASK] (fixed by a seed).
windows = held_out[: len(held_out) // CONTEXT * CONTEXT].view(-1, CONTEXT)
hidden = torch.rand(windows.shape, generator=torch.Generator().manual_seed(1)) < 0.15
test_inputs = windows.masked_fill(hidden, MASK)
answers = windows[hidden]
frequent = torch.bincount(training, minlength=len(tokenizer)).topk(5).indices  # the unigram baseline


def top_k_accuracy(k: int) -> float:
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(input_ids=batch).logits for batch in test_inputs.split(256)])
    model.train()
    guesses = logits[hidden].topk(k).indices
    return (guesses == answers[:, None]).any(dim=1).float().mean().item()


baseline = torch.isin(answers, frequent).float().mean().item()
before = top_k_accuracy(5)
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=1e-3, total_steps=STEPS, pct_start=0.1)
curve = []
for step in range(1, STEPS + 1):
    starts = torch.randint(len(training) - CONTEXT, (BATCH,))
    inputs, labels = mask_tokens(torch.stack([training[s : s + CONTEXT] for s in starts]))
    loss = model(input_ids=inputs, labels=labels).loss
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    schedule.step()
    optimizer.zero_grad()
    curve.append(loss.item())
    if step % 50 == 0:
        print(f"step {step}/{STEPS} loss {loss.item():.2f}", file=sys.stderr)
after = top_k_accuracy(5)

print(f"評価用の [MASK] {len(answers):,} 個での top-5 正解率:")
print(f"  いちばん多い 5 トークンを毎回答える(ユニグラム頻度): {baseline:.3f}")
print(f"  学習前: {before:.3f} → 学習後: {after:.3f}(top-1: {top_k_accuracy(1):.3f})")
print("よく出る 5 トークン:", tokenizer.convert_ids_to_tokens(frequent))

fig, ax = plt.subplots(figsize=(6.4, 3.6))
ax.plot(range(1, STEPS + 1), curve, linewidth=0.8)
ax.set_title("小さな BERT の事前学習の損失", fontsize=10)
ax.set_xlabel("ステップ")
ax.set_ylabel("選んだトークンでの損失(自然対数で測った値)")
plt.show()

folder = Path("checkpoints/tiny-bert-austen")
tokenizer.model_max_length = CONTEXT
model.save_pretrained(folder)
tokenizer.save_pretrained(folder)
metrics = {"top5_unigram_baseline": round(baseline, 4), "top5_untrained": round(before, 4), "top5_trained": round(after, 4)}
(folder / "metrics.json").write_text(json.dumps(metrics, indent=2))
recipe = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
(folder / "README.md").write_text(f"""---
language: en
library_name: transformers
pipeline_tag: fill-mask
---
# tiny-bert-austen

A 2-layer BERT ({model.num_parameters():,} parameters) pretrained from scratch with masked language
modelling, as a lesson, on five Jane Austen novels (public domain; Debian package r-cran-janeaustenr).
It reads at most {CONTEXT} tokens. Not useful for anything but learning.

- recipe: `snippets/workshop/pretrain_bert.py` (sha256 {recipe})
- training: {STEPS} steps of {BATCH} windows of {CONTEXT} tokens, 15% chosen (80% [MASK], 10% random, 10% kept),
  AdamW, one-cycle learning rate up to 1e-3
- top-5 accuracy on {len(answers):,} masked tokens of *Persuasion*: {after:.3f} trained, {before:.3f} untrained,
  {baseline:.3f} for always answering the five most frequent tokens
""")
print("保存先:", folder)
