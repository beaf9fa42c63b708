# livenotes: timeout=600; produces=checkpoints/tiny-gpt2-ja
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
# a model this small trains faster on one thread, and the build trains another recipe on the other core meanwhile
torch.set_num_threads(1)
tokenizer = AutoTokenizer.from_pretrained("checkpoints/ja-tokenizer")
END = tokenizer.eos_token_id


def token_ids(split: str) -> torch.Tensor:
    """段落ごとにトークンにして、段落の終わりに <|endoftext|> を置いた 1 本の列。"""
    ids = []
    for paragraph in Path(f"data/manpages_ja/{split}.txt").read_text(encoding="utf-8").splitlines():
        ids += tokenizer(paragraph)["input_ids"] + [END]
    return torch.tensor(ids)


training = token_ids("train")
held_out = token_ids("test")[:40_000]  # 学習に使わない 1 割の man ページから
print(f"学習用トークン: {len(training):,} / 評価用トークン: {len(held_out):,}")

CONTEXT, BATCH, STEPS = 64, 8, 2000  # 大きなバッチを少し回すより、小さなバッチで何度も重みを動かす方が、この短い学習では損失が下がった
config = GPT2Config(
    vocab_size=len(tokenizer), n_positions=CONTEXT, n_embd=96, n_layer=2, n_head=4,
    resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
    bos_token_id=END, eos_token_id=END, pad_token_id=tokenizer.pad_token_id,
)
model = GPT2LMHeadModel(config)
print(f"パラメータ数: {model.num_parameters():,}(2 層、4 ヘッド、96 次元、語彙 {len(tokenizer):,})")


def held_out_loss() -> float:
    # 64 トークンの窓を半分ずつずらし、各窓の後ろ半分だけを採点する(工房の英語の GPT-2 と同じ測り方)
    half = CONTEXT // 2
    windows = torch.stack([held_out[s : s + CONTEXT] for s in range(0, len(held_out) - CONTEXT, half)])
    labels = windows.clone()
    labels[:, :half] = -100
    model.eval()
    with torch.no_grad():
        losses = [model(w, labels=l).loss.item() for w, l in zip(windows.split(64), labels.split(64))]
    model.train()
    return sum(losses) / len(losses)


def continue_text(prompt: str) -> str:
    model.eval()
    ids = tokenizer(prompt, return_tensors="pt")["input_ids"]
    out = model.generate(ids, max_new_tokens=16, do_sample=False, pad_token_id=tokenizer.pad_token_id)
    model.train()
    return tokenizer.decode(out[0][ids.shape[1] :])


PROMPTS = ["ファイルを", "このオプションは", "エラーが"]
untrained = held_out_loss()
samples = {0: [continue_text(p) for p in PROMPTS]}
started, started_cpu = time.perf_counter(), time.process_time()  # metrics.json へ(マシンの混み具合で変わる)
optimizer = torch.optim.AdamW(model.parameters(), lr=5e-3)
schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=5e-3, total_steps=STEPS, pct_start=0.1)
curve = []
for step in range(1, STEPS + 1):
    starts = torch.randint(len(training) - CONTEXT, (BATCH,))
    batch = torch.stack([training[s : s + CONTEXT] for s in starts])
    loss = model(batch, labels=batch).loss  # 正解は入力を 1 トークンずらしたもの(モデルの中でずらす)
    loss.backward()
    optimizer.step()
    schedule.step()
    optimizer.zero_grad()
    curve.append(loss.item())
    if step % 100 == 0:
        print(f"step {step}/{STEPS} loss {loss.item():.2f}", file=sys.stderr)
    if step in (200, STEPS):
        samples[step] = [continue_text(p) for p in PROMPTS]
training_seconds, training_cpu_seconds = time.perf_counter() - started, time.process_time() - started_cpu
trained = held_out_loss()

print(f"評価用の損失: 学習前 {untrained:.2f} → 学習後 {trained:.2f}")
print(f"パープレキシティ: 学習前 {math.exp(untrained):,.0f} → 学習後 {math.exp(trained):.0f}(語彙は {len(tokenizer):,})")
for step, texts in samples.items():
    print(f"\n{step:>4} ステップ後(貪欲法、16 トークンまで):")
    for prompt, text in zip(PROMPTS, texts):
        print(f"  {prompt} → {text!r}")

fig, ax = plt.subplots(figsize=(6.4, 3.6))
ax.plot(range(1, STEPS + 1), curve, linewidth=0.6, label="学習のバッチ")
ax.scatter([0, STEPS], [untrained, trained], color="C1", zorder=3, label="評価データ(学習に使っていない man ページ)")
ax.set_title("日本語を読む小さな GPT-2 の事前学習の損失", fontsize=10)
ax.set_xlabel("ステップ")
ax.set_ylabel("交差エントロピー損失(1 トークンあたり)")
ax.set_ylim(bottom=0)
ax.legend()
plt.show()

folder = Path("checkpoints/tiny-gpt2-ja")
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
(folder / "README.md").write_text("""---
language: ja
library_name: transformers
pipeline_tag: text-generation
---
# tiny-gpt2-ja

A 2-layer GPT-2 (518 k parameters) pretrained for 2,000 steps on the Japanese man pages of Debian's manpages-ja
0.5.0.0.20221215+dfsg-1 (the JM Project's translations; each page keeps its original's licence), with a 3,000-token
BPE tokenizer trained on the same text. A teaching model: it writes Japanese-looking phrases, not sense.
""")
print("保存先:", folder)
