"""Predict, then reveal: the reader commits to an answer before the explanation appears."""

from __future__ import annotations

import ipywidgets as ipw


class Prediction(ipw.VBox):
    """A multiple-choice question whose explanation shows only after the reader picks an answer."""

    def __init__(self, question: str, options: list[str], answer: int, explanation: str):
        if not 0 <= answer < len(options):
            raise ValueError(f"answer must index one of the {len(options)} options, got {answer}")
        self.answer = answer
        self.choice = ipw.RadioButtons(options=options, value=None, layout=ipw.Layout(width="auto"))
        self.choice.add_class("ts-predict-choice")
        self.reveal = ipw.Button(description="Reveal", button_style="info", disabled=True)
        self.reveal.add_class("ts-predict-reveal")
        self.result = ipw.HTML().add_class("ts-predict-result")
        self._explanation = explanation
        self.choice.observe(lambda change: setattr(self.reveal, "disabled", change["new"] is None), "value")
        self.reveal.on_click(self._on_reveal)
        super().__init__([ipw.HTML(f"<b>Predict.</b> {question}"), self.choice, self.reveal, self.result])
        self.add_class("ts-predict")

    def _on_reveal(self, _button=None) -> None:
        picked = self.choice.options.index(self.choice.value)
        verdict = "Right." if picked == self.answer else f"Not quite: it is “{self.choice.options[self.answer]}”."
        self.result.value = f"<p><b>{verdict}</b> {self._explanation}</p>"
