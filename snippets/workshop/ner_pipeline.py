from transformers import pipeline

ner = pipeline("token-classification", model="checkpoints/minilm-ner", aggregation_strategy="simple")

for entity in ner("My name is Sylvain and I work at Hugging Face in Brooklyn."):
    print(f"{entity['entity_group']:<4} {entity['word']!r:<16} {entity['score']:.2f}")
