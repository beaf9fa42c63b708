// The quizzes of livenotes (src/livenotes/_internal/directives/quiz.py renders them): check the chosen answer, say
// why that choice is right or wrong, show the explanation and the section to read again, keep the score, and let
// the reader try a question again or start over. The key is in each question's data-answer; the words come from the
// form's data-say-* attributes (the site's texts); nothing leaves the page. Radios and buttons are native controls,
// so the keyboard (Tab, arrows, Space) does everything; verdicts and the score are announced (role=status).

const part = (question, name) => question.querySelector(`.livenotes-quiz__${name}`)

/** The form's words, with {name} filled in. */
const say = (form, name, values = {}) =>
  form.dataset[`say${name[0].toUpperCase()}${name.slice(1)}`].replace(/\{(\w+)\}/g, (_, key) => values[key])

const clearVerdict = question => {
  question.classList.remove("livenotes-quiz__question--right", "livenotes-quiz__question--wrong")
  delete question.dataset.result
  part(question, "feedback").textContent = ""
  part(question, "explanation").hidden = true
  part(question, "retry").hidden = true
  for (const label of question.querySelectorAll(".livenotes-quiz__choice"))
    label.classList.remove("livenotes-quiz__choice--right", "livenotes-quiz__choice--chosen-wrong")
}

const updateScore = form => {
  const questions = [...form.querySelectorAll(".livenotes-quiz__question")]
  const checked = questions.filter(q => q.dataset.result).length
  const right = questions.filter(q => q.dataset.result === "right").length
  part(form, "score").textContent = checked ? say(form, "score", { right, total: questions.length, checked }) : ""
}

const checkQuestion = (form, question) => {
  const chosen = question.querySelector("input[type=radio]:checked")
  clearVerdict(question)
  if (chosen === null) {
    part(question, "feedback").textContent = say(form, "pick")
    updateScore(form)
    return
  }
  const answer = question.dataset.answer
  const right = chosen.value === answer
  const rightLabel = question.querySelector(`input[value="${answer}"]`).closest("label")
  rightLabel.classList.add("livenotes-quiz__choice--right")
  if (right) {
    part(question, "feedback").textContent = say(form, "right")
  } else {
    chosen.closest("label").classList.add("livenotes-quiz__choice--chosen-wrong")
    // the right choice as its label shows it (in code font when the choices are outputs, so Ġ stays legible)
    const shown = rightLabel.querySelector("code")
    const rightChoice = document.createElement(shown ? "code" : "span")
    rightChoice.textContent = (shown || rightLabel).textContent.trim()
    const [before, after] = say(form, "wrong", { answer: "\u0000" }).split("\u0000")
    part(question, "feedback").replaceChildren(before, rightChoice, after)
  }
  // why the chosen choice is right or wrong, and (after a wrong one) why the right one is right
  for (const why of question.querySelectorAll(".livenotes-quiz__why"))
    why.hidden = !(why.dataset.choice === chosen.value || (!right && why.dataset.choice === answer))
  question.classList.add(right ? "livenotes-quiz__question--right" : "livenotes-quiz__question--wrong")
  question.dataset.result = right ? "right" : "wrong"
  part(question, "explanation").hidden = false
  part(question, "retry").hidden = false
  updateScore(form)
}

const retry = (form, question) => {
  clearVerdict(question)
  for (const input of question.querySelectorAll("input[type=radio]")) input.checked = false
  updateScore(form)
  question.querySelector("input[type=radio]").focus()
}

const setupQuiz = form => {
  if (form.dataset.ready) return
  form.dataset.ready = "true"
  for (const question of form.querySelectorAll(".livenotes-quiz__question")) {
    part(question, "check").addEventListener("click", () => checkQuestion(form, question))
    part(question, "retry").addEventListener("click", () => retry(form, question))
    // a new choice clears the last verdict until it is checked again
    for (const input of question.querySelectorAll("input[type=radio]"))
      input.addEventListener("change", () => { clearVerdict(question); updateScore(form) })
  }
  part(form, "reset").addEventListener("click", () => {
    for (const question of form.querySelectorAll(".livenotes-quiz__question")) {
      clearVerdict(question)
      for (const input of question.querySelectorAll("input[type=radio]")) input.checked = false
    }
    updateScore(form)
    form.querySelector("input[type=radio]").focus()
  })
}

const setupQuizzes = () => document.querySelectorAll(".livenotes-quiz").forEach(setupQuiz)

// Material's instant navigation swaps the page without reloading scripts: document$ emits for every page
if (typeof window.document$ !== "undefined") window.document$.subscribe(setupQuizzes)
else setupQuizzes()
