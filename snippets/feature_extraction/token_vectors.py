from transformers import pipeline

extractor = pipeline("feature-extraction", model="checkpoints/all-MiniLM-L6-v2")

sentence = "Transformers are language models."
vectors = extractor(sentence)[0]  # one vector per token, [CLS] and [SEP] included
tokens = extractor.tokenizer.convert_ids_to_tokens(extractor.tokenizer(sentence)["input_ids"])

print("トークン:", tokens)
print("ベクトルの数:", len(vectors), "/ 1 本あたりの次元:", len(vectors[0]))
for token, vector in zip(tokens, vectors):
    print(f"{token:>14}", [round(x, 3) for x in vector[:4]], "...")
