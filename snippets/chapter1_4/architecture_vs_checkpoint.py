# livenotes: random-init
# random-init: MiniLM has no classification head, so loading it into BertForSequenceClassification adds a random one
import csv

import torch
from transformers import AutoConfig, AutoTokenizer, BertForSequenceClassification

torch.manual_seed(0)
LABELS = {"id2label": {0: "NEGATIVE", 1: "POSITIVE"}, "label2id": {"NEGATIVE": 0, "POSITIVE": 1}}
tokenizer = AutoTokenizer.from_pretrained("checkpoints/all-MiniLM-L6-v2")  # all three share the same vocabulary

# One architecture (the class and its configuration), three sets of weights (checkpoints).
models = {
    "ランダムな重み": BertForSequenceClassification(AutoConfig.from_pretrained("checkpoints/all-MiniLM-L6-v2", **LABELS)),
    "MiniLM の重み + 新しい頭": BertForSequenceClassification.from_pretrained("checkpoints/all-MiniLM-L6-v2", **LABELS),
    "感情分析にファインチューニングした重み": BertForSequenceClassification.from_pretrained("checkpoints/minilm-sentiment"),
}
SENTENCES = ["I've been waiting for a HuggingFace course my whole life.", "I hate this so much!"]
inputs = tokenizer(SENTENCES, padding=True, return_tensors="pt")

shapes = {name: [tuple(p.shape) for p in model.parameters()] for name, model in models.items()}
print("パラメータの形はすべて同じ?", len({str(s) for s in shapes.values()}) == 1, f"({len(shapes['ランダムな重み'])} 個のテンソル)")
reference = dict(models["MiniLM の重み + 新しい頭"].bert.named_parameters())  # the body, without the head
for name, model in models.items():
    model.eval()
    # how far this body is from MiniLM's: the largest change of any one of the 23 million numbers, and the size of
    # all the changes together relative to the size of MiniLM's weights (the square root of the sums of squares)
    body = dict(model.bert.named_parameters())
    largest = max((body[key] - p).abs().max().item() for key, p in reference.items())
    relative = (sum(((body[key] - p) ** 2).sum() for key, p in reference.items()) ** 0.5
                / sum((p ** 2).sum() for p in reference.values()) ** 0.5).item()
    with torch.no_grad():
        probabilities = model(**inputs).logits.softmax(-1)[:, 1]
    print(f"{name}: MiniLM の重みとの差 最大 {largest:.4f}, 全体の {relative:.2%}"
          f"  POSITIVE の確率 {[round(p, 3) for p in probabilities.tolist()]}")

# Where did fine-tuning change the body? Part by part: how far a weight moved (root mean square of the change),
# how large the weights are (root mean square), and the ratio of the two (the relative change above).
tuned = dict(models["感情分析にファインチューニングした重み"].bert.named_parameters())
parts = {"埋め込み": "embeddings.", **{f"第 {i + 1} 層": f"encoder.layer.{i}." for i in range(6)}, "pooler": "pooler."}
print("部分ごとに: 動いた量(二乗平均平方根)/ 重みの大きさ(同じ)/ 比")
with torch.no_grad():
    for part, prefix in parts.items():
        keys = [key for key in reference if key.startswith(prefix)]
        change = torch.cat([(tuned[key] - reference[key]).flatten() for key in keys]).pow(2).mean().sqrt()
        size = torch.cat([reference[key].flatten() for key in keys]).pow(2).mean().sqrt()
        print(f"  {part:<7} {change.item():.5f} / {size.item():.4f} / {(change / size).item():.2%}")

    # The word embeddings get a gradient only in the rows of tokens that occur in the training reviews (the
    # first 3,200 of the file, cut to 48 tokens, as finetune_sentiment.py reads them). Any other row moves only
    # by AdamW's weight decay, under 1e-5 here: a row counts as moved when some weight in it moved more than 1e-4.
    with open("data/rotten_tomatoes/train.csv", encoding="utf-8") as handle:
        reviews = [row["text"] for row in csv.DictReader(handle)][:3200]
    seen = {i for ids in tokenizer(reviews, truncation=True, max_length=48)["input_ids"] for i in ids}
    key = "embeddings.word_embeddings.weight"
    moved = set(torch.nonzero((tuned[key] - reference[key]).abs().amax(dim=1) > 1e-4).flatten().tolist())
print(f"語彙の埋め込み {len(reference[key]):,} 行のうち、動いた行 {len(moved):,}。"
      f"学習したレビューに出てくるトークンは {len(seen):,} 種類で、動いた行はすべてその中: {moved <= seen}")
