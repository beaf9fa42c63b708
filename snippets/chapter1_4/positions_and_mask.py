import matplotlib.pyplot as plt
import matplotlib_fontja  # 図の中の日本語のためのフォント(IPAex ゴシック)。import するだけで使われる
import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer

# The model workshop's GPT-2 body; "eager" attention keeps the weights so they can be returned.
tokenizer = AutoTokenizer.from_pretrained("checkpoints/tiny-gpt2-austen")
model = AutoModel.from_pretrained("checkpoints/tiny-gpt2-austen", attn_implementation="eager").eval()
learned = model.wpe.weight.detach().numpy()  # one learned vector per position
positions, dims = learned.shape


def sinusoidal(positions: int, dims: int) -> np.ndarray:
    """The original Transformer's position encoding: sine in even dimensions, cosine in odd ones, each pair a
    different wavelength (Vaswani et al. 2017, section 3.5)."""
    position = np.arange(positions)[:, None]
    pair = np.arange(dims)[None, :] // 2
    angle = position / np.power(10000, 2 * pair / dims)
    return np.where(np.arange(dims) % 2 == 0, np.sin(angle), np.cos(angle))


fixed = sinusoidal(positions, dims)
print(f"位置の数 {positions}、ベクトルの次元 {dims}")


def neighbours(table: np.ndarray) -> float:
    """Mean cosine similarity of each position's vector with the next one's."""
    unit = table / np.linalg.norm(table, axis=1, keepdims=True)
    return float((unit[:-1] * unit[1:]).sum(axis=1).mean())


print(f"隣どうしの位置のコサイン類似度の平均: sin/cos {neighbours(fixed):.2f}、学習したもの {neighbours(learned):.2f}")

sentence = "She was glad to see him."
inputs = tokenizer(sentence, return_tensors="pt")
tokens = tokenizer.convert_ids_to_tokens(inputs["input_ids"][0])  # Ġ: a space before the token
with torch.no_grad():
    attentions = torch.stack(model(**inputs, output_attentions=True).attentions)[:, 0]  # (layer, head, row, col)
# The head that gives the most weight to earlier tokens: a head that only looks at each token itself would show
# an empty upper triangle with or without a mask, and prove nothing.
earlier = torch.tril(attentions, diagonal=-1).sum(dim=(-2, -1))
layer, head = divmod(int(earlier.argmax()), attentions.shape[1])
attention = attentions[layer, head]
future = torch.triu(attention, diagonal=1)  # what each token gives to tokens after it
print(f"{len(tokens)} トークンの文、自分より前のトークン全部への重みがいちばん多いヘッド: 第 {layer + 1} 層のヘッド {head + 1}")
print(f"  自分より前のトークン全部への重みの合計 {earlier[layer, head].item():.2f} / 後ろのトークンへの重みの合計 "
      f"{future.sum().item()}(ちょうど 0: {bool((future == 0).all())})")

fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), gridspec_kw={"width_ratios": [1, 1, 0.8]})
for ax, table, title in [(axes[0], fixed, "元の Transformer: sin と cos の波"), (axes[1], learned, "小さな GPT-2: 学習したベクトル")]:
    ax.imshow(table, aspect="auto", cmap="RdBu_r")
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("ベクトルの次元")
    ax.set_ylabel("位置")
axes[2].imshow(attention, cmap="viridis", vmin=0, vmax=1)
# the tokens in DejaVu Sans: the Japanese figure font has no Ġ
axes[2].set_xticks(range(len(tokens)), tokens, rotation=90, fontfamily="DejaVu Sans")
axes[2].set_yticks(range(len(tokens)), tokens, fontfamily="DejaVu Sans")
axes[2].set_title(f"GPT-2 の第 {layer + 1} 層ヘッド {head + 1} の重み(右上はちょうど 0)", fontsize=10)
fig.suptitle("位置エンコーディングの 2 つの方式と、Decoder の因果マスク")
fig.tight_layout()
plt.show()
