"""User errors that name a parameter, so each front end can say it in its own words.

The library says ``out '/x' is not a directory``; the CLI, which knows that ``out`` is its
``--out`` flag, says ``--out '/x' is not a directory``. No library module needs to know the CLI.
"""

from __future__ import annotations


class ParameterError(ValueError):
    """A bad value of the parameter ``parameter``; ``template`` holds ``{name}`` where it is named."""

    def __init__(self, parameter: str, template: str, others: tuple[str, ...] = ()):
        self.parameter = parameter
        self.template = template
        self.others = others  # other parameters the message names, as ``{other}``
        super().__init__(self._render({}))

    def renamed(self, names: dict[str, str]) -> ValueError:
        """The same error with the parameters called as ``names`` says (e.g. their command-line flags)."""
        return ValueError(self._render(names))

    def _render(self, names: dict[str, str]) -> str:
        others = {other: names.get(other, other) for other in self.others}
        return self.template.format(name=names.get(self.parameter, self.parameter), **others)
