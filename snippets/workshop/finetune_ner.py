# livenotes: timeout=600; random-init; produces=checkpoints/minilm-ner
# random-init: MiniLM has no token-classification head; the new one is trained here
import hashlib
import json
import random
import re
import sys
from pathlib import Path

import torch
from faker import Faker
from transformers import AutoTokenizer, BertForTokenClassification

torch.manual_seed(0)
LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
TEMPLATES = [
    "My name is {PER} and I work at {ORG} in {LOC}.",
    "{PER} joined {ORG} last year.",
    "{PER} lives in {LOC} with her family.",
    "{ORG} is opening a new office in {LOC}.",
    "Yesterday {PER} met {PER} near the station in {LOC}.",
    "The team at {ORG} hired {PER} as an engineer.",
    "{PER} flew from {LOC} to {LOC} for a meeting with {ORG}.",
    "According to {PER}, {ORG} will move to {LOC} next spring.",
    "I am {PER}, and I study at {ORG}.",
    "We spent the summer in {LOC}.",
]

fake = Faker("en_US")
Faker.seed(0)
rng = random.Random(0)
NAMES = {"PER": lambda: rng.choice([fake.first_name(), fake.name()]), "ORG": fake.company, "LOC": fake.city}


def make_sentence() -> tuple[list[str], list[str]]:
    """A sentence from a template, as words with one BIO label each."""
    words, labels = [], []
    for piece in re.split(r"(\{[A-Z]+\})", rng.choice(TEMPLATES)):
        if piece.startswith("{"):
            kind = piece[1:-1]
            for i, word in enumerate(NAMES[kind]().split()):
                words.append(word)
                labels.append(("B-" if i == 0 else "I-") + kind)
        else:
            for word in re.findall(r"\w+|[^\w\s]", piece):
                words.append(word)
                labels.append("O")
    return words, labels


train = [make_sentence() for _ in range(2000)]
test = [make_sentence() for _ in range(500)]  # new names, drawn after the training ones
seen = {word.lower() for words, _ in train for word in words}
print("コースの例文の名前は学習データにある?", {w: w in seen for w in ["sylvain", "hugging", "face", "brooklyn"]})
print("合成した学習文の例:")
for words, labels in train[:2]:
    print("  ", " ".join(f"{w}/{l}" for w, l in zip(words, labels)))

tokenizer = AutoTokenizer.from_pretrained("checkpoints/all-MiniLM-L6-v2")
model = BertForTokenClassification.from_pretrained(
    "checkpoints/all-MiniLM-L6-v2",
    id2label=dict(enumerate(LABELS)),
    label2id={label: i for i, label in enumerate(LABELS)},
)


def encode(batch: list[tuple[list[str], list[str]]]) -> dict:
    """Sub-word tokens; each inherits its word's label (a word's later pieces continue it: I-)."""
    encoded = tokenizer([words for words, _ in batch], is_split_into_words=True, padding=True, return_tensors="pt")
    targets = []
    for row, (_, labels) in enumerate(batch):
        ids, previous = [], None
        for word in encoded.word_ids(row):
            if word is None:
                ids.append(-100)
            elif word == previous and labels[word] != "O":
                ids.append(LABELS.index("I-" + labels[word][2:]))
            else:
                ids.append(LABELS.index(labels[word]))
            previous = word
        targets.append(ids)
    encoded["labels"] = torch.tensor(targets)
    return encoded


optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
for step, start in enumerate(range(0, len(train), 32), 1):
    loss = model(**encode(train[start : start + 32])).loss
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    if step % 10 == 0:
        print(f"step {step}/{len(train) // 32} loss {loss.item():.3f}", file=sys.stderr)


def spans(labels: list[str]) -> set[tuple[int, int, str]]:
    """Entities as (first word, last word, type)."""
    found, start = set(), None
    for i, label in enumerate([*labels, "O"]):
        if start is not None and not (label.startswith("I-") and label[2:] == labels[start][2:]):
            found.add((start, i - 1, labels[start][2:]))
            start = None
        if label.startswith("B-") or (label.startswith("I-") and start is None):
            start = i
    return found


model.eval()
true_positives = predicted = expected = 0
with torch.no_grad():
    for start in range(0, len(test), 100):
        batch = test[start : start + 100]
        encoded = encode(batch)
        guesses = model(**{k: v for k, v in encoded.items() if k != "labels"}).logits.argmax(-1)
        for row, (words, labels) in enumerate(batch):
            first_piece = {}
            for position, word in enumerate(encoded.word_ids(row)):
                if word is not None and word not in first_piece:
                    first_piece[word] = LABELS[guesses[row, position]]
            gold, guess = spans(labels), spans([first_piece[i] for i in range(len(words))])
            true_positives += len(gold & guess)
            predicted += len(guess)
            expected += len(gold)
precision, recall = true_positives / predicted, true_positives / expected
f1 = 2 * precision * recall / (precision + recall)
print(f"評価用 {len(test)} 文(学習に使っていない名前)の固有表現: 適合率 {precision:.3f} / 再現率 {recall:.3f} / F1 {f1:.3f}")

folder = Path("checkpoints/minilm-ner")
model.save_pretrained(folder)
tokenizer.save_pretrained(folder)
(folder / "metrics.json").write_text(json.dumps({"entity_precision": precision, "entity_recall": recall, "entity_f1": f1}))
recipe = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
(folder / "README.md").write_text(f"""---
language: en
library_name: transformers
pipeline_tag: token-classification
base_model: sentence-transformers/all-MiniLM-L6-v2
---
# minilm-ner

all-MiniLM-L6-v2 fine-tuned, as a lesson, to tag persons, organisations and places (BIO tags).
**The training data is synthetic**: {len(TEMPLATES)} sentence templates filled with names from the
Faker package (seed 0). It knows those sentence shapes, not English in general.

- recipe: `snippets/workshop/finetune_ner.py` (sha256 {recipe})
- training: {len(train):,} sentences, one pass in batches of 32, AdamW lr 1e-4
- held-out entity F1 on {len(test)} new sentences: {f1:.3f} (precision {precision:.3f}, recall {recall:.3f})
""")
print("保存先:", folder)
