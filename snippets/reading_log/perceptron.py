import csv

import matplotlib.pyplot as plt
import matplotlib_fontja  # 図の中の日本語のためのフォント(IPAex ゴシック)。import するだけで使われる
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.ticker import MaxNLocator

# Two species and two measurements, so that the data and the boundary fit in one picture.
with open("data/iris/iris.csv", encoding="utf-8") as handle:
    rows = [row for row in csv.DictReader(handle) if row["species"] in ("setosa", "versicolor")]
X = np.array([[float(row["sepal_length"]), float(row["petal_length"])] for row in rows])
y = np.array([1 if row["species"] == "versicolor" else 0 for row in rows])
print(f"データ: {len(y)} 本の花(setosa {np.sum(y == 0)} / versicolor {np.sum(y == 1)})、特徴量 {X.shape[1]} 個")


def predict(X: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    return np.where(X @ w + b >= 0.0, 1, 0)  # a step: the weighted sum decides, nothing in between


# Rosenblatt's rule: after each flower, move the weights by (true - predicted) × input.
# A right answer moves nothing; a wrong one moves the boundary towards that flower.
rng = np.random.default_rng(1)
w, b, eta = rng.normal(0.0, 0.01, size=2), 0.0, 0.1
mistakes = []
for epoch in range(10):
    count = 0
    for xi, target in zip(X, y):
        update = eta * (target - predict(xi, w, b))
        w, b = w + update * xi, b + update
        count += int(update != 0.0)
    mistakes.append(count)
print("エポックごとの誤分類の数:", mistakes)
print(f"学習後の重み w = {np.round(w, 2)}, b = {b:.2f}")
print(f"学習データでの正解率: {np.mean(predict(X, w, b) == y):.2f}")

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
left.plot(range(1, len(mistakes) + 1), mistakes, marker="o")
left.set_title("エポックごとの誤分類(重みの更新)の数", fontsize=10)
left.set_xlabel("エポック")
left.set_ylabel("更新の数")
left.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no 0.5 ticks
xx, yy = np.meshgrid(np.linspace(X[:, 0].min() - 1, X[:, 0].max() + 1, 300), np.linspace(-0.5, 6.5, 300))
regions = predict(np.c_[xx.ravel(), yy.ravel()], w, b).reshape(xx.shape)
right.contourf(xx, yy, regions, alpha=0.25, cmap=ListedColormap(["tab:red", "tab:blue"]))  # as in adaline_sgd.py
for label, marker, name, color in [(0, "o", "setosa", "tab:red"), (1, "s", "versicolor", "tab:blue")]:
    right.scatter(X[y == label, 0], X[y == label, 1], marker=marker, color=color, label=name, edgecolor="black")
right.set_title("学習後の決定領域", fontsize=10)
right.set_xlabel("がくの長さ [cm]")
right.set_ylabel("花びらの長さ [cm]")
right.legend(loc="upper left")
plt.show()
