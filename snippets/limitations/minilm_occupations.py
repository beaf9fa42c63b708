import matplotlib.pyplot as plt
import matplotlib_fontja  # 図の中の日本語のためのフォント。import するだけで使われる
import numpy as np
from transformers import pipeline

extractor = pipeline("feature-extraction", model="checkpoints/all-MiniLM-L6-v2")


def embed(texts: list[str]) -> np.ndarray:
    """all-MiniLM-L6-v2's sentence vectors: the mean of the token vectors, scaled to length 1."""
    vectors = np.array([np.mean(extractor(t)[0], axis=0) for t in texts])
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


JOBS = ["nurse", "receptionist", "teacher", "hairdresser", "housekeeper", "dancer", "secretary", "librarian",
        "pilot", "programmer", "doctor", "surgeon", "engineer", "mechanic", "scientist", "carpenter"]
# Two wordings, so that one sentence's quirks do not decide: how much closer is the job to "a man" than to "a woman"?
TEMPLATES = [
    ("This person works as a {}.", "This person is a man.", "This person is a woman."),
    ("My neighbour is a {}.", "My neighbour is a man.", "My neighbour is a woman."),
]
leans = []
for job_text, man_text, woman_text in TEMPLATES:
    jobs = embed([job_text.format(job) for job in JOBS])
    man, woman = embed([man_text, woman_text])
    leans.append(jobs @ man - jobs @ woman)  # cosine with "man" minus cosine with "woman"
leans = np.array(leans)
print("言い回しごとの、職業ぜんぶの平均(言い回し 1, 言い回し 2):", [f"{row.mean():+.3f}" for row in leans])
# Each wording leans all jobs one way by some amount (its "man" sentence is simply closer to it); what tells
# jobs apart is the lean relative to that wording's average over all jobs.
relative = leans - leans.mean(axis=1, keepdims=True)
mean = relative.mean(axis=0)

print("職業          言い回し 1  言い回し 2  平均   (職業ぜんぶの平均からの差。プラスは man 寄り)")
for i in np.argsort(mean):
    print(f"{JOBS[i]:<14}{relative[0, i]:+9.3f}{relative[1, i]:+12.3f}{mean[i]:+8.3f}")
agree = int(np.sum(np.sign(relative[0]) == np.sign(relative[1])))
# each job's rank in each wording (a stable sort: the same ranks whatever sorting code the CPU's numpy picks)
ranks = [np.argsort(np.argsort(row, kind="stable"), kind="stable") for row in relative]
spearman = np.corrcoef(ranks[0], ranks[1])[0, 1]
print(f"2 つの言い回しで向きが同じ職業: {agree} / {len(JOBS)}、順位の相関(スピアマン): {spearman:.2f}")

order = np.argsort(mean)
plt.figure(figsize=(7, 4.5))
plt.barh([JOBS[i] for i in order], mean[order], color=["tab:red" if m < 0 else "tab:blue" for m in mean[order]])
plt.axvline(0, color="black", linewidth=0.8)
plt.xlabel("「man」の文との類似度 −「woman」の文との類似度\n(職業ぜんぶの平均からの差、2 つの言い回しの平均)\n← woman 寄り      man 寄り →")
plt.title("職業の文は「man」と「woman」のどちらの文に近いか(all-MiniLM-L6-v2)")
plt.tight_layout()
plt.show()
