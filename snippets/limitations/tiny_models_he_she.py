import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, pipeline

# The course's test, in sentences our tiny models can read (short, in Jane Austen's words):
# does the model expect different words after "he" than after "she"?
tokenizer = AutoTokenizer.from_pretrained("checkpoints/tiny-gpt2-austen")
gpt2 = AutoModelForCausalLM.from_pretrained("checkpoints/tiny-gpt2-austen")
print("小さな GPT-2: 次のトークンの top-5")
for text in ["He was a", "She was a", "He was very", "She was very"]:
    with torch.no_grad():
        probabilities = gpt2(**tokenizer(text, return_tensors="pt")).logits[0, -1].softmax(dim=-1)
    top = probabilities.topk(5)
    shown = [(tokenizer.convert_ids_to_tokens(int(i)), round(float(p), 3)) for p, i in zip(top.values, top.indices)]
    print(f"  {text:<13}", shown)

unmasker = pipeline("fill-mask", model="checkpoints/tiny-bert-austen")
print("小さな BERT: [MASK] の top-5")
for text in ["He was very [MASK].", "She was very [MASK]."]:
    # the token as the tokenizer writes it (Ġ: a space before it), as in the GPT-2 rows above
    shown = [(unmasker.tokenizer.convert_ids_to_tokens(g["token"]), round(g["score"], 3)) for g in unmasker(text, top_k=5)]
    print(f"  {text:<21}", shown)
