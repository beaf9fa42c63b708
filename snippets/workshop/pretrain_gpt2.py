# livenotes: timeout=600; produces=checkpoints/tiny-gpt2-austen
import hashlib
import json
import math
import sys
import time
from pathlib import Path

import matplotlib.pyplot as plt
import matplotlib_fontja  # 図の中の日本語のためのフォント(IPAex ゴシック)。import するだけで使われる
import torch
from transformers import AutoTokenizer, GPT2Config, GPT2LMHeadModel

torch.manual_seed(0)
tokenizer = AutoTokenizer.from_pretrained("checkpoints/austen-tokenizer")


def token_ids(book: str) -> torch.Tensor:
    text = " ".join(Path(f"data/austen/{book}.txt").read_text().split())
    return torch.tensor(tokenizer(text)["input_ids"])


BOOKS = ["emma", "mansfieldpark", "northangerabbey", "prideprejudice", "sensesensibility"]
training = torch.cat([token_ids(book) for book in BOOKS])
held_out = token_ids("persuasion")[:40_000]  # a novel the model never sees in training
print(f"学習用トークン: {len(training):,} / 評価用トークン: {len(held_out):,}")

# Self-supervision: the labels are the text itself, shifted by one token.
example = tokenizer("It is a truth universally acknowledged")["input_ids"]
print("入力  :", tokenizer.convert_ids_to_tokens(example[:-1]))
print("正解  :", tokenizer.convert_ids_to_tokens(example[1:]))

CONTEXT, BATCH, STEPS = 64, 64, 900
config = GPT2Config(
    vocab_size=len(tokenizer), n_positions=CONTEXT, n_embd=128, n_layer=2, n_head=4,
    resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,  # no dropout: a short run cannot afford it
    bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
)
model = GPT2LMHeadModel(config)
print(f"パラメータ数: {model.num_parameters():,}")


def held_out_loss() -> float:
    # Windows of CONTEXT tokens, each moved by half a window; only the second half of each is scored,
    # so every scored token has at least CONTEXT / 2 tokens before it (the usual strided evaluation).
    half = CONTEXT // 2
    windows = torch.stack([held_out[s : s + CONTEXT] for s in range(0, len(held_out) - CONTEXT, half)])
    labels = windows.clone()
    labels[:, :half] = -100  # not scored
    model.eval()
    with torch.no_grad():
        losses = [model(w, labels=l).loss.item() for w, l in zip(windows.split(64), labels.split(64))]
    model.train()
    return sum(losses) / len(losses)


def continue_text(prompt: str) -> str:
    model.eval()
    ids = tokenizer(prompt, return_tensors="pt")["input_ids"]
    out = model.generate(ids, max_new_tokens=24, do_sample=False, pad_token_id=tokenizer.pad_token_id)
    model.train()
    return tokenizer.decode(out[0][ids.shape[1] :])


PROMPT = "She was"
untrained = held_out_loss()
samples = {0: continue_text(PROMPT)}
# The training's wall time and CPU time go to metrics.json (not printed: they vary with the machine's load)
started, started_cpu = time.perf_counter(), time.process_time()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=1e-2, total_steps=STEPS, pct_start=0.1)
curve = []
for step in range(1, STEPS + 1):
    starts = torch.randint(len(training) - CONTEXT, (BATCH,))
    batch = torch.stack([training[s : s + CONTEXT] for s in starts])
    loss = model(batch, labels=batch).loss  # the model shifts the labels by one inside
    loss.backward()
    optimizer.step()
    schedule.step()
    optimizer.zero_grad()
    curve.append(loss.item())
    if step % 50 == 0:
        print(f"step {step}/{STEPS} loss {loss.item():.2f}", file=sys.stderr)
    if step in (100, 400, STEPS):
        samples[step] = continue_text(PROMPT)
training_seconds, training_cpu_seconds = time.perf_counter() - started, time.process_time() - started_cpu
trained = held_out_loss()

print(f"評価用の損失: 学習前 {untrained:.2f} → 学習後 {trained:.2f} (学習前の {trained / untrained:.0%})")
print(f"パープレキシティ: 学習前 {math.exp(untrained):.0f} → 学習後 {math.exp(trained):.1f}")
for step, text in samples.items():
    print(f"{step:>4} ステップ後: {PROMPT!r} → {text!r}")

fig, ax = plt.subplots(figsize=(6.4, 3.6))
ax.plot(range(1, STEPS + 1), curve, linewidth=0.8, label="学習のバッチ")
ax.scatter([0, STEPS], [untrained, trained], color="C1", zorder=3, label="評価データ(『説得』)")
ax.set_title("小さな GPT-2 の事前学習の損失", fontsize=10)
ax.set_xlabel("ステップ")
ax.set_ylabel("交差エントロピー損失(1 トークンあたり、自然対数)")
ax.legend()
plt.show()

folder = Path("checkpoints/tiny-gpt2-austen")
model.save_pretrained(folder)
tokenizer.save_pretrained(folder)
metrics = {
    "held_out_loss_untrained": round(untrained, 4),
    "held_out_loss_trained": round(trained, 4),
    "training_seconds": round(training_seconds, 1),
    "training_cpu_seconds": round(training_cpu_seconds, 1),
    "training_tokens": STEPS * BATCH * CONTEXT,
    "cpu_threads": torch.get_num_threads(),
}
(folder / "metrics.json").write_text(json.dumps(metrics, indent=2))
recipe = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
(folder / "README.md").write_text(f"""---
language: en
library_name: transformers
pipeline_tag: text-generation
---
# tiny-gpt2-austen

A 2-layer GPT-2 ({model.num_parameters():,} parameters) pretrained from scratch, as a lesson, on five
Jane Austen novels (public domain; Debian package r-cran-janeaustenr). Byte-level BPE tokenizer of
{len(tokenizer)} tokens trained on the same books. Not useful for anything but learning.

- recipe: `snippets/workshop/pretrain_gpt2.py` (sha256 {recipe})
- training: {STEPS} steps of {BATCH} windows of {CONTEXT} tokens, AdamW, one-cycle learning rate up to 1e-2
- held-out loss on *Persuasion* (first {len(held_out):,} tokens): {untrained:.3f} untrained, {trained:.3f} trained
""")
print("保存先:", folder)
