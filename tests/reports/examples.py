"""How many hypothesis examples a report's property test gets.

Each example of a report test builds a period of records and the whole report twice (the
report and its slow reference): 200 of them, as the forms get, would cost minutes per report.
CI runs 50 derandomized examples of each; a developer's run what the profile says (25).
"""

from hypothesis import settings

CI_REPORT_EXAMPLES = 50


def report_examples() -> int:
    return min(settings().max_examples, CI_REPORT_EXAMPLES)
