# livenotes: random-init
# random-init: MiniLM has no classification head, so loading it into BertForSequenceClassification adds a random one
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

# Where did fine-tuning change the body? The same relative change, part by part.
tuned = dict(models["感情分析にファインチューニングした重み"].bert.named_parameters())
parts = {"埋め込み": "embeddings.", **{f"{i + 1} 層目": f"encoder.layer.{i}." for i in range(6)}, "pooler": "pooler."}
shares = []
for part, prefix in parts.items():
    keys = [key for key in reference if key.startswith(prefix)]
    change = sum(((tuned[key] - reference[key]) ** 2).sum() for key in keys) ** 0.5
    size = sum((reference[key] ** 2).sum() for key in keys) ** 0.5
    shares.append(f"{part} {(change / size).item():.2%}")
print("ファインチューニングした重みの部分ごとの変化:", ", ".join(shares))
