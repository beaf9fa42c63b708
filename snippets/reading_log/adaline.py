import csv

import matplotlib.pyplot as plt
import matplotlib_fontja  # 図の中の日本語のためのフォント(IPAex ゴシック)。import するだけで使われる
import numpy as np

with open("data/iris/iris.csv", encoding="utf-8") as handle:
    rows = [row for row in csv.DictReader(handle) if row["species"] in ("setosa", "versicolor")]
X = np.array([[float(row["sepal_length"]), float(row["petal_length"])] for row in rows])
y = np.array([1 if row["species"] == "versicolor" else 0 for row in rows])


def train_adaline(X: np.ndarray, y: np.ndarray, eta: float, epochs: int) -> tuple[np.ndarray, float, list[float]]:
    """ADALINE: learn from the weighted sum itself (not the step), by gradient descent on the mean squared error."""
    rng = np.random.default_rng(1)
    w, b, losses = rng.normal(0.0, 0.01, size=X.shape[1]), 0.0, []
    for _ in range(epochs):
        errors = y - (X @ w + b)  # all flowers at once (full batch)
        w = w + eta * 2.0 * X.T @ errors / len(y)  # one step down the slope of the loss
        b = b + eta * 2.0 * errors.mean()
        losses.append(float((errors**2).mean()))
    return w, b, losses


def accuracy(X: np.ndarray, w: np.ndarray, b: float) -> float:
    return float(np.mean(np.where(X @ w + b >= 0.5, 1, 0) == y))


# Two learning rates on the raw measurements: one too big, one small.
_, _, too_big = train_adaline(X, y, eta=0.1, epochs=15)
_, _, small = train_adaline(X, y, eta=0.0001, epochs=15)
print("η = 0.1   の損失:", [f"{loss:.3g}" for loss in too_big[:3]], "…", f"{too_big[-1]:.3g}(発散)")
print("η = 0.0001 の損失:", [f"{loss:.3g}" for loss in small[:3]], "…", f"{small[-1]:.3g}(ゆっくり)")

# Standardisation: each feature to mean 0 and standard deviation 1. The loss surface becomes
# round instead of a long narrow valley, so one learning rate suits every direction.
X_std = (X - X.mean(axis=0)) / X.std(axis=0)
w, b, standardised = train_adaline(X_std, y, eta=0.1, epochs=15)
print("標準化 + η = 0.1 の損失:", [f"{loss:.3g}" for loss in standardised[:3]], "…", f"{standardised[-1]:.3g}")
print(f"標準化したモデルの学習データでの正解率: {accuracy(X_std, w, b):.2f}")

fig, axes = plt.subplots(1, 3, figsize=(12, 3.8), layout="constrained")
for ax, losses, title in [
    (axes[0], too_big, "そのままの特徴量、η = 0.1"),
    (axes[1], small, "そのままの特徴量、η = 0.0001"),
    (axes[2], standardised, "標準化した特徴量、η = 0.1"),
]:
    ax.plot(range(1, len(losses) + 1), np.log10(losses), marker="o")
    ax.set_title(title)
    ax.set_xlabel("エポック")
axes[0].set_ylabel("log10(平均二乗誤差)")
fig.suptitle("ADALINE の損失の推移: 学習率と標準化による違い")
plt.show()
