import matplotlib.pyplot as plt
import matplotlib_fontja  # 図の中の日本語のためのフォント(IPAex ゴシック)。import するだけで使われる
import torch
from transformers import AutoModel, AutoTokenizer

tokenizer = AutoTokenizer.from_pretrained("checkpoints/all-MiniLM-L6-v2")
# "eager" attention keeps the weights so they can be returned; the fast default kernel never forms them.
model = AutoModel.from_pretrained("checkpoints/all-MiniLM-L6-v2", attn_implementation="eager").eval()

sentence = "The animal didn't cross the street because it was too tired."
inputs = tokenizer(sentence, return_tensors="pt")
tokens = tokenizer.convert_ids_to_tokens(inputs["input_ids"][0])
with torch.no_grad():
    attentions = model(**inputs, output_attentions=True).attentions  # one (1, heads, n, n) tensor per layer
weights = torch.stack(attentions)[:, 0]  # (layers, heads, n, n); each row sums to 1
print("トークン:", tokens)
print("重みの形 (層, ヘッド, 見る側, 見られる側):", tuple(weights.shape))
print("各行の合計:", round(weights[0, 0, 3].sum().item(), 4))

it, animal, street = tokens.index("it"), tokens.index("animal"), tokens.index("street")
layer, head = divmod(weights[:, :, it, animal].argmax().item(), weights.shape[1])
print(f"「it」から「animal」への重みがいちばん大きいヘッド: 第 {layer + 1} 層のヘッド {head + 1}")
row = weights[layer, head, it]
print("そのヘッドで「it」が見ている先:", [(tokens[i], round(row[i].item(), 2)) for i in row.argsort(descending=True)[:4]])
print(f"全ヘッドの平均: animal {weights[:, :, it, animal].mean():.3f} / street {weights[:, :, it, street].mean():.3f}")

fig, axes = plt.subplots(weights.shape[0], weights.shape[1], figsize=(13, 7.2), layout="constrained")
for (l, h), ax in zip([(l, h) for l in range(weights.shape[0]) for h in range(weights.shape[1])], axes.flat):
    ax.imshow(weights[l, h], cmap="viridis", vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([])
    if h == 0:
        ax.set_ylabel(f"第 {l + 1} 層", fontsize=11, rotation=0, labelpad=22, va="center")
    if l == 0:
        ax.set_title(f"ヘッド {h + 1}", fontsize=10)
fig.suptitle("all-MiniLM-L6-v2 の 6 層 × 12 ヘッドのアテンションの重み(行が見る側、列が見られる側のトークン)")
plt.show()

fig, ax = plt.subplots(figsize=(6.4, 5.6))
ax.imshow(weights[layer, head], cmap="viridis", vmin=0, vmax=1)
ax.set_xticks(range(len(tokens)), tokens, rotation=90)
ax.set_yticks(range(len(tokens)), tokens)
ax.set_xlabel("見られる側のトークン")
ax.set_ylabel("見る側のトークン")
ax.set_title(f"第 {layer + 1} 層のヘッド {head + 1}: it から animal への重みがいちばん大きいヘッド")
plt.show()
