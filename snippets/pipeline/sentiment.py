from transformers import pipeline

classifier = pipeline("sentiment-analysis", model="checkpoints/minilm-sentiment")

sentences = [
    "I've been waiting for a HuggingFace course my whole life.",  # the course's two examples
    "I hate this so much!",
    "The plot is thin, but the actors are wonderful.",
    "A dull, lifeless film that never finds its footing.",
    "I did not like it at all.",
    "Not bad at all.",
]
for sentence, answer in zip(sentences, classifier(sentences)):
    print(f"{answer['label']:<8} {answer['score']:.3f}  {sentence}")
