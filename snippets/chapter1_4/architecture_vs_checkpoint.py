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
    "感情分析に微調整した重み": BertForSequenceClassification.from_pretrained("checkpoints/minilm-sentiment"),
}
SENTENCES = ["I've been waiting for a HuggingFace course my whole life.", "I hate this so much!"]
inputs = tokenizer(SENTENCES, padding=True, return_tensors="pt")

shapes = {name: [tuple(p.shape) for p in model.parameters()] for name, model in models.items()}
print("パラメータの形はすべて同じ?", len({str(s) for s in shapes.values()}) == 1, f"({len(shapes['ランダムな重み'])} 個のテンソル)")
reference = dict(models["MiniLM の重み + 新しい頭"].bert.named_parameters())  # the body, without the head
for name, model in models.items():
    model.eval()
    # how far this body is from MiniLM's: the largest change over all 23 million numbers
    change = max((p - reference[key]).abs().max().item() for key, p in model.bert.named_parameters())
    with torch.no_grad():
        probabilities = model(**inputs).logits.softmax(-1)[:, 1]
    print(f"{name}: MiniLM の重みとの最大の差 {change:.4f}  POSITIVE の確率 {[round(p, 3) for p in probabilities.tolist()]}")
