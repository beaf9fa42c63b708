from transformers import pipeline

classifier = pipeline("sentiment-analysis", model="checkpoints/minilm-sentiment")

reviews = [
    "I've been waiting for a HuggingFace course my whole life.",
    "I hate this so much!",
    "The plot was thin, but the actors made every scene worth watching.",
]
for review, answer in zip(reviews, classifier(reviews)):
    print(f"{answer['label']:<8} {answer['score']:.3f}  {review}")
