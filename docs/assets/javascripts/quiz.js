// The quizzes of livenotes (src/livenotes/_internal/quiz.py renders them): check the chosen answer, say whether
// it is right, and show the explanation. The key is in each question's data-answer; nothing leaves the page.
const checkQuestion = (question) => {
  const chosen = question.querySelector("input[type=radio]:checked")
  const feedback = question.querySelector(".livenotes-quiz__feedback")
  const explanation = question.querySelector(".livenotes-quiz__explanation")
  question.classList.remove("livenotes-quiz__question--right", "livenotes-quiz__question--wrong")
  if (chosen === null) {
    feedback.textContent = "答えを 1 つ選んでください。"
    explanation.hidden = true
    return
  }
  const answer = question.dataset.answer
  const right = chosen.value === answer
  if (right) {
    feedback.textContent = "正解!"
  } else {
    // the right choice as the label shows it (in code font when the choices are outputs, so Ġ stays legible)
    const label = question.querySelector(`input[value="${answer}"]`).closest("label")
    const shown = label.querySelector("code")
    const rightChoice = shown ? document.createElement("code") : document.createElement("span")
    rightChoice.textContent = (shown || label).textContent.trim()
    feedback.replaceChildren("不正解。正解は「", rightChoice, "」。")
  }
  question.classList.add(right ? "livenotes-quiz__question--right" : "livenotes-quiz__question--wrong")
  explanation.hidden = false
}

const setupQuizzes = () => {
  document.querySelectorAll(".livenotes-quiz__question:not([data-ready])").forEach((question) => {
    question.dataset.ready = "true"
    question.querySelector(".livenotes-quiz__check").addEventListener("click", () => checkQuestion(question))
    // a new choice clears the last verdict until it is checked again
    question.querySelectorAll("input[type=radio]").forEach((input) =>
      input.addEventListener("change", () => {
        question.querySelector(".livenotes-quiz__feedback").textContent = ""
        question.classList.remove("livenotes-quiz__question--right", "livenotes-quiz__question--wrong")
      }),
    )
  })
}

// Material's instant navigation swaps the page without reloading scripts: document$ emits for every page
if (typeof window.document$ !== "undefined") window.document$.subscribe(setupQuizzes)
else setupQuizzes()
