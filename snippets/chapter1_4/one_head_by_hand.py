import math

import matplotlib.pyplot as plt
import matplotlib_fontja  # 図の中の日本語のためのフォント(IPAex ゴシック)。import するだけで使われる
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

# モデル工房の小さな GPT-2 の、第 1 層のヘッド 2 を手で計算する("eager" はアテンションの重みを返す実装)
tokenizer = AutoTokenizer.from_pretrained("checkpoints/tiny-gpt2-austen")
model = AutoModelForCausalLM.from_pretrained("checkpoints/tiny-gpt2-austen", attn_implementation="eager").eval()
LAYER, HEAD = 0, 1  # 0 から数える: 第 1 層のヘッド 2
block = model.transformer.h[LAYER]
width = model.config.n_embd  # 128
d = width // model.config.n_head  # 1 つのヘッドの次元: 128 / 4 = 32
head = slice(HEAD * d, (HEAD + 1) * d)

ids = tokenizer("She was very happy", return_tensors="pt")["input_ids"]
tokens = [tokenizer.decode([i]).replace(" ", "␣") for i in ids[0]]
n = len(tokens)


def table(name, rows, columns=None, first=4):
    """行はトークン。列が多いときは最初の first 個だけ見せる。"""
    shown = columns or [f"{j}" for j in range(min(first, rows.shape[1]))]
    print(f"\n{name}" + (f"({rows.shape[1]} 次元のうち最初の {first} 個)" if columns is None else ""))
    print(" " * 8 + "".join(f"{c:>8}" for c in shown))
    for token, row in zip(tokens, rows):
        cells = [("-inf" if v == float("-inf") else f"{v:.2f}") for v in row[: len(shown)].tolist()]
        print(f"{token:>8}" + "".join(f"{c:>8}" for c in cells))


with torch.no_grad():
    # 1. 埋め込み: トークンのベクトル + 位置のベクトル。GPT-2 はアテンションの前に層正規化をかける
    x = model.transformer.wte(ids) + model.transformer.wpe(torch.arange(n))
    h = block.ln_1(x)[0]
    # 2. クエリ・キー・バリュー: 1 つの行列で 3 つ(128 × 3)をまとめて作り、このヘッドの 32 次元を取り出す
    q, k, v = block.attn.c_attn(h).split(width, dim=-1)
    Q, K, V = q[:, head], k[:, head], v[:, head]
    # 3. スコア: 各クエリと各キーの内積を √d で割る
    scores = Q @ K.T / math.sqrt(d)
    # 4. 因果マスク: 自分より後ろのトークンは -inf(ソフトマックスで 0 になる)
    later = torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=1)
    masked = scores.masked_fill(later, float("-inf"))
    # 5. ソフトマックス: 各行を足して 1 の重みに
    weights = masked.softmax(dim=-1)
    # 6. 重みでバリューを混ぜる: これがこのヘッドの出力
    out = weights @ V

    # モデル自身の計算: アテンションの重みと、このヘッドの出力(ヘッドを並べて出力の行列 c_proj に入る前のもの)
    seen = {}
    hook = block.attn.c_proj.register_forward_hook(lambda module, args, output: seen.setdefault("heads", args[0]))
    own = model(ids, output_attentions=True)
    hook.remove()

table("クエリ Q", Q)
table("キー K", K)
table("バリュー V", V)
table(f"スコア Q·Kᵀ / √{d}(行が見る側、列が見られる側)", scores, tokens)
table("因果マスクのあと", masked, tokens)
table("ソフトマックスのあと(アテンションの重み)", weights, tokens)
print("各行の合計:", [round(s, 4) for s in weights.sum(dim=-1).tolist()])
table("出力 = 重み × V", out)

same_weights = torch.allclose(weights, own.attentions[LAYER][0, HEAD], atol=1e-6)
same_output = torch.allclose(out, seen["heads"][0, :, head], atol=1e-6)
print(f"\n手計算の重み = モデルの重み: {same_weights}、手計算の出力 = モデルのこのヘッドの出力: {same_output}")
assert same_weights and same_output

fig, axes = plt.subplots(1, 3, figsize=(10.5, 3.4))
steps = [(r"スコア $QK^{\top}/\sqrt{d}$", scores), ("因果マスク(後ろは −∞)", masked), ("ソフトマックス(重み)", weights)]
for ax, (title, values) in zip(axes, steps):
    shown = values.clone()
    shown[torch.isinf(shown)] = float("nan")
    ax.imshow(shown, cmap="Oranges")
    finite = values[~torch.isinf(values)]
    low, high = finite.min().item(), finite.max().item()
    for i in range(n):
        for j in range(n):
            value = values[i, j].item()
            dark = not math.isinf(value) and (value - low) / (high - low) > 0.6  # white text on the darker cells
            ax.text(j, i, "−∞" if math.isinf(value) else f"{value:.2f}", ha="center", va="center", fontsize=9,
                    color="white" if dark else "black")
    ax.set_xticks(range(n), tokens, rotation=45)
    ax.set_yticks(range(n), tokens)
    ax.set_title(title, fontsize=10)
axes[0].set_ylabel("見る側(クエリ)")
axes[1].set_xlabel("見られる側(キー)")
fig.suptitle("小さな GPT-2 の第 1 層・ヘッド 2 を手で計算した 3 つの段階", fontsize=11)
fig.tight_layout()
