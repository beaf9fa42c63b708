import matplotlib.pyplot as plt
import matplotlib_fontja  # 図の中の日本語のためのフォント(IPAex ゴシック)。import するだけで使われる
import torch
from transformers import AutoConfig, AutoModel, BartConfig, BertConfig, DistilBertConfig, GPT2Config, OpenAIGPTConfig, T5Config

# The largest size each paper published, built from its configuration on the "meta" device:
# the layers and their shapes exist, the numbers in them do not, so nothing is downloaded or allocated.
ARCHITECTURES = [
    ("GPT", 2018.45, OpenAIGPTConfig()),
    ("BERT-large", 2018.8, BertConfig(hidden_size=1024, num_hidden_layers=24, num_attention_heads=16, intermediate_size=4096)),
    ("GPT-2 XL", 2019.15, GPT2Config(n_embd=1600, n_layer=48, n_head=25)),
    ("DistilBERT", 2019.8, DistilBertConfig()),
    ("BART-large", 2019.83, BartConfig()),
    ("T5-11B", 2019.86, T5Config(d_model=1024, d_kv=128, d_ff=65536, num_layers=24, num_heads=128)),
    ("GPT-3", 2020.4, GPT2Config(n_embd=12288, n_layer=96, n_head=96, n_positions=2048)),
]
counts = {}
for name, year, config in ARCHITECTURES:
    with torch.device("meta"):
        model = AutoModel.from_config(config)
    counts[name] = (year, model.num_parameters())
    print(f"{name:<16} {int(year)}  {type(model).__name__:<15} {model.num_parameters():>16,}")

# Our own two, for scale (their configurations come from the model workshop's checkpoints); drawn a little
# apart so that both points show.
for folder, x in [("checkpoints/tiny-gpt2-austen", 2026.1), ("checkpoints/tiny-bert-austen", 2026.9)]:
    with torch.device("meta"):
        model = AutoModel.from_config(AutoConfig.from_pretrained(folder))
    name = folder.removeprefix("checkpoints/")
    counts[name] = (x, model.num_parameters())
    print(f"{name:<16} 2026  {type(model).__name__:<15} {model.num_parameters():>16,}")

# labels of points that sit close together go below or to the left; the check below prints whether any label
# touches another label or a point, or leaves the plot (then the printed line differs and the build says so)
OFFSETS = {"GPT": (6, -10), "BERT-large": (-6, 3), "DistilBERT": (6, -10), "BART-large": (7, -4), "tiny-gpt2-austen": (-6, 4),
           "tiny-bert-austen": (6, -12)}
fig, ax = plt.subplots(figsize=(6.4, 3.8))
labels = []
for name, (year, size) in counts.items():
    ax.scatter(year, size, color="C1" if name.startswith("tiny") else "C0")
    dx, dy = OFFSETS.get(name, (6, 3))
    labels.append(ax.annotate(name, (year, size), textcoords="offset points", xytext=(dx, dy), fontsize=8,
                              ha="right" if dx < 0 else "left"))
ax.set_yscale("log")
ax.set_title("Transformer モデルのパラメータ数(右下の 2 点はこのサイトで学習させたモデル)", fontsize=10)
ax.set_xlabel("発表の年")
ax.set_ylabel("パラメータ数(対数目盛)")
ax.set_xlim(2016.8, 2029.6)
ax.set_ylim(3e4, 1e12)

fig.canvas.draw()
renderer = fig.canvas.get_renderer()
boxes = [label.get_window_extent(renderer).expanded(1.05, 1.1) for label in labels]
points = ax.transData.transform([position for position in counts.values()])
radius = 4  # pixels: a scatter marker's half width at this size
touching = [
    f"{labels[i].get_text()} と {labels[j].get_text()}" for i in range(len(boxes)) for j in range(i + 1, len(boxes))
    if boxes[i].overlaps(boxes[j])
] + [
    f"{label.get_text()} と {name} の点" for label, box in zip(labels, boxes)
    for name, (x, y) in zip(counts, points)
    if box.x0 - radius < x < box.x1 + radius and box.y0 - radius < y < box.y1 + radius
]
outside = [label.get_text() for label, box in zip(labels, boxes) if not ax.bbox.contains(box.x0, box.y0)
           or not ax.bbox.contains(box.x1, box.y1)]
print("図のラベルの重なり:", "、".join(touching) or "なし", "/ 枠からはみ出たラベル:", "、".join(outside) or "なし")
plt.show()
