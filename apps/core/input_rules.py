"""What every typed or imported value must be, checked in one place for forms and imports.

- Text holds no control characters other than tab, line feed and carriage return: a NUL
  cannot be stored by PostgreSQL at all, and the others are invisible on screen and break
  exports.
- Dates and times lie in the portal's plausible range (`apps.core.dates`).

Forms get both through `InputRulesMixin`; the call import calls `control_character_problem`
and `apps.core.dates.is_plausible` on every cell.
"""

import re

from django import forms
from django.core.exceptions import ValidationError

from .dates import add_plausible_validator

# C0 controls but tab, LF and CR; DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_character_problem(text: str) -> str | None:
    """Why `text` cannot be kept, or None: the first control character, named."""
    found = _CONTROL.search(text)
    if found is None:
        return None
    return (
        f"contains a control character (U+{ord(found.group()):04X}) at position "
        f"{found.start() + 1}: remove it"
    )


def validate_no_control_characters(value) -> None:
    """Validator for text fields."""
    problem = control_character_problem(value) if isinstance(value, str) else None
    if problem:
        raise ValidationError(f"This text {problem}.", code="control_character")


class InputRulesMixin:
    """For forms: text fields refuse control characters, date fields implausible dates."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            add_plausible_validator(field)
            if isinstance(field, forms.CharField) and (
                validate_no_control_characters not in field.validators
            ):
                field.validators.append(validate_no_control_characters)
