import matplotlib.pyplot as plt
import matplotlib_fontja  # 図の中の日本語のためのフォント(IPAex ゴシック)。import するだけで使われる
import numpy as np
from transformers import pipeline

extractor = pipeline("feature-extraction", model="checkpoints/all-MiniLM-L6-v2")

sentences = [
    "I loved this movie.",
    "The film was wonderful.",
    "The pizza was cold and bland.",
    "Attention is all you need.",
]
# all-MiniLM-L6-v2 turns a sentence into one vector: the mean of its token vectors, scaled to length 1
embeddings = np.array([np.mean(extractor(s)[0], axis=0) for s in sentences])
embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)
similarity = embeddings @ embeddings.T  # cosine similarity of every pair

print("文ベクトルの形:", embeddings.shape)
for sentence, row in zip(sentences, similarity):
    print(f"{sentence:<30}", " ".join(f"{value:5.2f}" for value in row))

fig, ax = plt.subplots(figsize=(6.4, 4.8))
image = ax.imshow(similarity, vmin=0, vmax=1, cmap="Oranges")
ax.set_xticks(range(len(sentences)), [f"S{i + 1}" for i in range(len(sentences))])
ax.set_yticks(range(len(sentences)), [f"S{i + 1}: {s}" for i, s in enumerate(sentences)])
for i in range(len(sentences)):
    for j in range(len(sentences)):
        value = similarity[i, j]
        ax.text(j, i, f"{value:.2f}", ha="center", va="center", color="white" if value > 0.6 else "black")
fig.colorbar(image, ax=ax, label="コサイン類似度")
ax.set_title("4 つの文ベクトルどうしのコサイン類似度", fontsize=10)
fig.tight_layout()
plt.show()
