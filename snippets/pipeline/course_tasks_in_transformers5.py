import transformers
from transformers import pipeline
from transformers.pipelines import check_task

print("transformers", transformers.__version__)
# the task names the course's chapter1/3.mdx passes to pipeline() (and feature-extraction, which it lists)
COURSE_TASKS = [
    "sentiment-analysis", "zero-shot-classification", "text-generation", "fill-mask", "ner",
    "feature-extraction", "question-answering", "summarization", "translation",
    "image-classification", "automatic-speech-recognition",
]
for task in COURSE_TASKS:
    try:
        normalized = check_task(task)[0]
        print(f"{task:<26} ある   ({normalized})")
    except KeyError:
        print(f"{task:<26} ない")

# The course groups NER tokens with grouped_entities=True; transformers 5 no longer accepts it.
try:
    ner = pipeline("ner", model="checkpoints/minilm-ner", grouped_entities=True)
    ner("My name is Sylvain and I work at Hugging Face in Brooklyn.")
except TypeError as error:
    print("grouped_entities=True →", type(error).__name__, str(error).splitlines()[0])
