import csv

import matplotlib.pyplot as plt
import matplotlib_fontja  # 図の中の日本語のためのフォント(IPAex ゴシック)。import するだけで使われる
import numpy as np
from matplotlib.colors import ListedColormap

with open("data/iris/iris.csv", encoding="utf-8") as handle:
    rows = [row for row in csv.DictReader(handle) if row["species"] in ("setosa", "versicolor")]
X = np.array([[float(row["sepal_length"]), float(row["petal_length"])] for row in rows])
y = np.array([1 if row["species"] == "versicolor" else 0 for row in rows])
X_std = (X - X.mean(axis=0)) / X.std(axis=0)

rng = np.random.default_rng(1)  # the weights' start and every epoch's order come from this one generator
w, b = rng.normal(0.0, 0.01, size=2), 0.0


def update(x: np.ndarray, target: int, eta: float) -> float:
    """One flower: a step down the slope of that flower's squared error; its error before the step."""
    global w, b
    error = target - (x @ w + b)
    w = w + eta * 2.0 * error * x
    b = b + eta * 2.0 * error
    return float(error**2)


def partial_fit(X: np.ndarray, y: np.ndarray, eta: float = 0.01) -> list[float]:
    """Learn from flowers that arrive later, going on from the weights there are (no fresh start)."""
    return [update(x, target, eta) for x, target in zip(X, y)]


# Stochastic gradient descent: shuffle, then one step per flower (100 steps an epoch instead of 1).
sgd_losses = []
for epoch in range(15):
    order = rng.permutation(len(y))
    sgd_losses.append(float(np.mean(partial_fit(X_std[order], y[order]))))
print("確率的勾配降下法(η = 0.01)のエポックごとの平均損失:", [f"{loss:.3f}" for loss in sgd_losses[:4]], "…", f"{sgd_losses[-1]:.3f}")

# The same η with full-batch gradient descent (one step an epoch, as in adaline.py) for comparison.
w_gd, b_gd, gd_losses = np.random.default_rng(1).normal(0.0, 0.01, size=2), 0.0, []
for epoch in range(15):
    errors = y - (X_std @ w_gd + b_gd)
    gd_losses.append(float((errors**2).mean()))
    w_gd, b_gd = w_gd + 0.01 * 2.0 * X_std.T @ errors / len(y), b_gd + 0.01 * 2.0 * errors.mean()
print("同じ η の(全部まとめた)勾配降下法:", [f"{loss:.3f}" for loss in gd_losses[:4]], "…", f"{gd_losses[-1]:.3f}")

accuracy = np.mean(np.where(X_std @ w + b >= 0.5, 1, 0) == y)
print(f"確率的勾配降下法のモデルの学習データでの正解率: {accuracy:.2f}")

# partial_fit: a flower that comes later is learnt from at once, without training again from the start.
new_flower = (X_std[0] + np.array([0.3, 0.2]), 0)  # a setosa a little bigger than the first one
before = float((new_flower[1] - (new_flower[0] @ w + b)) ** 2)
partial_fit(np.array([new_flower[0]]), np.array([new_flower[1]]))
after = float((new_flower[1] - (new_flower[0] @ w + b)) ** 2)
print(f"あとから来た 1 本の二乗誤差: 学習前 {before:.4f} → partial_fit のあと {after:.4f}")

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
grid_x, grid_y = np.meshgrid(np.linspace(-2.5, 3, 300), np.linspace(-2, 2.5, 300))
answer = np.where(np.c_[grid_x.ravel(), grid_y.ravel()] @ w + b >= 0.5, 1, 0).reshape(grid_x.shape)
left.contourf(grid_x, grid_y, answer, alpha=0.3, cmap=ListedColormap(["tab:red", "tab:blue"]))
for label, name, marker, color in [(0, "setosa", "o", "tab:red"), (1, "versicolor", "s", "tab:blue")]:
    left.scatter(*X_std[y == label].T, marker=marker, color=color, edgecolor="black", label=name)
left.set_title("ADALINE(確率的勾配降下法)の決定領域")
left.set_xlabel("がくの長さ(標準化)")
left.set_ylabel("花びらの長さ(標準化)")
left.legend(loc="upper left")
right.plot(range(1, 16), sgd_losses, marker="o", label="確率的勾配降下法(1 本ずつ)")
right.plot(range(1, 16), gd_losses, marker="s", label="勾配降下法(全部まとめて)")
right.set_title("同じ η = 0.01 での平均損失の推移")
right.set_xlabel("エポック")
right.set_ylabel("平均二乗誤差")
right.legend()
plt.tight_layout()
plt.show()
