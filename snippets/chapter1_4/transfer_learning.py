import csv
import json
from pathlib import Path

import matplotlib.pyplot as plt
import matplotlib_fontja  # 図の中の日本語のためのフォント(IPAex ゴシック)。import するだけで使われる
from matplotlib.ticker import FormatStrFormatter

# The numbers the model workshop's recipe measured and wrote next to the checkpoint.
metrics = json.loads(Path("checkpoints/minilm-sentiment/metrics.json").read_text())
with open("data/rotten_tomatoes/test.csv", encoding="utf-8") as handle:
    labels = [row["label"] for row in csv.DictReader(handle)]
always_positive = labels.count("POSITIVE") / len(labels)

bars = {
    "いつも POSITIVE と答える": always_positive,
    "ランダムな重み + ファインチューニング": metrics["accuracy_from_scratch"],
    "MiniLM + ファインチューニング": metrics["accuracy_fine_tuned"],
}
for name, value in bars.items():
    print(f"{name}: {value:.3f}")

fig, ax = plt.subplots(figsize=(6.4, 3.2))
ax.bar([name.replace(" + ", "\n+ ") for name in bars], list(bars.values()), color=["0.7", "C1", "C0"])
ax.set_ylim(0, 0.9)  # from 0, so that the bars' heights compare as the accuracies do
ax.yaxis.set_major_formatter(FormatStrFormatter("%.2f"))
ax.set_title("評価データ(レビュー 1,254 件)での正解率: 3 つの出発点の比較", fontsize=10)
ax.set_ylabel("正解率")
for i, value in enumerate(bars.values()):
    ax.text(i, value + 0.005, f"{value:.3f}", ha="center")
ax.tick_params(axis="x", labelsize=9)
plt.show()
