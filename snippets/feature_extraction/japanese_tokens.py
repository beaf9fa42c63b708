from transformers import AutoTokenizer

tokenizer = AutoTokenizer.from_pretrained("checkpoints/all-MiniLM-L6-v2")

for text in ["transfer learning", "転移学習", "アテンション"]:
    print(f"{text} → {tokenizer.tokenize(text)}")
