import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

SENTENCES = ["I've been waiting for a HuggingFace course my whole life.", "I hate this so much!"]
classifier = pipeline("sentiment-analysis", model="checkpoints/minilm-sentiment")
print("pipeline の答え:", classifier(SENTENCES))

# The same three steps by hand.
tokenizer = AutoTokenizer.from_pretrained("checkpoints/minilm-sentiment")
model = AutoModelForSequenceClassification.from_pretrained("checkpoints/minilm-sentiment")

# 1. pre-processing: text → token ids (padded to the same length, with a mask marking the padding)
inputs = tokenizer(SENTENCES, padding=True, return_tensors="pt")
print("① トークン:", tokenizer.convert_ids_to_tokens(inputs["input_ids"][1]))
print("   ID:", inputs["input_ids"][1].tolist())
print("   attention_mask:", inputs["attention_mask"][1].tolist())

# 2. the model: ids → one raw score (logit) per label
with torch.no_grad():
    logits = model(**inputs).logits
print("② logits:", [[round(x, 3) for x in row] for row in logits.tolist()])

# 3. post-processing: softmax turns the scores into probabilities; the largest one names the label
probabilities = logits.softmax(dim=-1)
for row in probabilities:
    best = int(row.argmax())
    print(f"③ 確率 {[round(p, 4) for p in row.tolist()]} → {model.config.id2label[best]} {row[best]:.4f}")
